"""2102 alone: pharmacy purchases at the demo pharmacy, settled as fast as they come, beside 2207 alone.

A purchase is one call (the buyer and two drug lines in the same 2102), so the figure is purchases
per second; its ratio to the ceiling (GET /healthz, same client, same concurrency) is the one to
compare with 2207's. The buyers are the visit population (residents: cash, no account).

    workloads.run_all:  results["pharmacy"] = pharmacy.settle_alone(system, plan, population, memory)
    drive.WORKLOADS:    "pharmacy": pharmacy.purchases
    report.write:       pharmacy.report_row(r.get("pharmacy"))
"""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from decimal import Decimal
from typing import Any

import httpx

from bench.his import DT, Hospital, Person

# The demo dataset's retail pharmacy of 拉萨 (make run loads it with its development credential).
PHARMACY = Hospital("P54010000001", "540100")
# 二甲双胍片 (甲类, no cap) and 注射用头孢呋辛钠 (乙类, capped): a typical counter sale of two drugs.
DRUGS = (
    ("XA10BAA059A001010100001", Decimal(10), Decimal("2.00")),
    ("XJ01DCC041B002010100002", Decimal(2), Decimal("15.00")),
)
TOTAL = sum((cnt * pric for _, cnt, pric in DRUGS), Decimal("0.00"))


def purchase_input(p: Person, n: int) -> dict[str, Any]:
    now = dt.datetime.now().strftime(DT)
    return {
        "druginfo": {
            "psn_no": p.psn_no,
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p.certno,
            "begntime": now,
            "medfee_sumamt": TOTAL,
            "insutype": p.insutype,
            "acct_used_flag": "1",
            "med_type": "41",
            "invono": f"FP{n}",
        },
        "drugdetail": [
            {
                "feedetl_sn": str(i),
                "rxno": "",
                "rx_circ_flag": "0",
                "fee_ocur_time": now,
                "med_list_codg": code,
                "medins_list_codg": f"YP{i:04d}",
                "det_item_fee_sumamt": (cnt * pric).quantize(Decimal("0.01")),
                "cnt": cnt,
                "pric": pric,
            }
            for i, (code, cnt, pric) in enumerate(DRUGS, 1)
        ],
    }


async def purchases(cfg: dict[str, Any]) -> dict[str, Any]:
    """The load generator's side (bench.drive): `count` purchases by `concurrency` counters."""
    from bench import drive

    people = [Person(**p) for p in cfg["people"]]
    async with drive._client(cfg["url"], cfg["concurrency"]) as client:
        front = drive.Hospitals(client, cfg["run"])
        await front.sign_in(PHARMACY)
        rec = drive.Recorder(0)
        todo = iter(range(cfg["count"]))

        async def counter() -> None:
            for n in todo:
                p = people[n % len(people)]
                try:
                    await rec.timed("2102", front.call(PHARMACY, "2102", purchase_input(p, n), p.pool))
                except (drive.Refused, httpx.HTTPError):
                    continue
                rec.done(time.monotonic())

        t0 = time.monotonic()
        await asyncio.gather(*(counter() for _ in range(cfg["concurrency"])))
        elapsed = time.monotonic() - t0
    return rec.result(elapsed)


def settle_alone(system: Any, plan: Any, population: list[dict[str, str]], memory: Any) -> dict[str, Any]:
    """The system's side (bench.workloads): 2102 alone at 2207-alone's concurrency, `repeats` times."""
    from bench.runner import drive
    from bench.workloads import _level, say

    c = 16 if not plan.quick else 8
    runs, ceilings = [], []
    for rep in range(plan.repeats):
        say(f"2102 alone (pharmacy), concurrency {c}, repeat {rep + 1}/{plan.repeats}")
        ceilings.append(drive("healthz", url=system.url("settlement"), concurrency=c, duration=plan.ceiling_duration))
        runs.append(
            drive("pharmacy", url=system.url("settlement"), people=population, concurrency=c, count=plan.settle_count)
        )
        memory.sample()
    return {"concurrency": c} | _level(runs, ceilings)


def _fmt(x: float | None) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.1f}"


def report_row(result: dict[str, Any] | None) -> str:
    """The targets table's row beside 2207 alone (same concurrency, same measure)."""
    if not result:
        return "| 2102 alone (pharmacy purchase, 2 drug lines) | beside 2207 alone | not measured | | n/a |"
    p50 = result.get("per_call_ms", {}).get("2102", {}).get("p50", math.nan)
    return (
        f"| 2102 alone (pharmacy purchase, 2 drug lines, concurrency {result['concurrency']}) | beside 2207 alone | "
        f"{_fmt(result['throughput'])}/s, p50 {_fmt(p50)} ms, {result['errors']} errors | "
        f"{_fmt(result['ratio'] * 100)}% | |"
    )
