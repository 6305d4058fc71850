"""National catalogues at scale, over HTTP: a 1312 page over a 300,000-item payment catalogue, the full
1301 download of 300,000 drugs (1301, then 9102), and 3301 uploading 10,000 item mappings.

The catalogues are written first, in process and through the code the operators' routes run: the
payment catalogue with settlement.reference.publish_catalogue (the HI list 1312 pages comes with it; in
force from 2099-01-01, so today's settlements keep pricing with the demo catalogue), the 1301 release
with usecases.catalogues.publish (what `python -m settlement.catalogues publish` runs). The calls then
go through the door as a HIS makes them. BENCH_QUICK=1 uses 30,000 items.

    workloads.run_all:  results["catalogues"] = catalogues.run(system, plan, memory)
    report.write:       *catalogues.report_rows(r.get("catalogues"))

A direct run (from scripts/): `python -m bench.catalogues [items]` starts a throwaway PostgreSQL and
settlement alone (in process, the same HTTP routes) and runs the same calls.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import os
import random
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from bench import machine
from bench.his import envelope
from bench.stats import summary_ms
from bench.system import Hospital
from medshared.national import gateway_headers

ITEMS, QUICK_ITEMS = 300_000, 30_000
MAPPINGS, PER_CALL = 10_000, 125  # 3301: a call's input stays under the national 40,000 characters
PAGE_SIZE = 100
HOSPITAL = Hospital("H54010000001", "540100")  # the demo hospital: its credential comes with the demo data
DEMO_CODES = ("XA10BAA059A001010100001", "XJ01DCC041B002010100002", "001102000010000", "C01010100001000")


class Door:
    """The hospital at settlement's national door: signed, signed in, one msgid per call."""

    def __init__(self, http: httpx.Client) -> None:
        self.http, self.sign_no, self.n = http, "", 0

    def call(self, infno: str, input_: dict[str, Any]) -> httpx.Response:
        self.n += 1
        msgid = f"{HOSPITAL.code}{dt.datetime.now():%Y%m%d%H%M%S}{self.n % 10_000:04d}"
        body = envelope(HOSPITAL, infno, msgid, input_, sign_no=self.sign_no)
        headers = {**gateway_headers(HOSPITAL.code, HOSPITAL.token), "content-type": "application/json"}
        return self.http.post("/fsi/api/rsfComIfsService/callService", content=json.dumps(body), headers=headers)

    def ok(self, infno: str, input_: dict[str, Any]) -> Any:
        answer = self.call(infno, input_)
        answer.raise_for_status()
        if answer.headers.get("content-type", "").startswith("application/octet-stream"):
            return answer.content
        body = answer.json()
        if body.get("infcode") not in (0, "0"):
            raise RuntimeError(f"{infno} refused: {body.get('err_msg')}")
        return body["output"]

    def sign_in(self) -> None:
        self.sign_no = self.ok("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}})["signinoutb"][
            "sign_no"
        ]


def fill(database_url: str, items: int) -> dict[str, float]:
    """The payment catalogue (and its HI list) and a 1301 release of `items` generated drugs."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    from settlement import reference
    from settlement.catalogues import generate
    from settlement.store import SqlStore
    from settlement.usecases import catalogues

    engine = create_engine(database_url)
    session = sessionmaker(engine)
    try:
        t0 = time.monotonic()
        body = generate.payment_catalogue(items, catalogue_id="catalogue-bench", version="1")
        with session.begin() as s:
            reference.publish_catalogue(s, body)
        payment = time.monotonic() - t0
        t0 = time.monotonic()
        rows = ((i, line.split("\t")) for i, line in enumerate(generate.national_lines(items), start=1))
        with session.begin() as s:
            catalogues.publish(
                SqlStore(s), "1301", rows, now=dt.datetime.now(), operator="bench", source="txt", ver="299901010001"
            )
        release = time.monotonic() - t0
    finally:
        engine.dispose()
    return {"payment_catalogue_seconds": round(payment, 1), "release_seconds": round(release, 1)}


def pages(door: Door, items: int, count: int) -> dict[str, Any]:
    """1312 pages at random page_num over every row (updt_time long ago), one caller."""
    query = {"page_num": 1, "page_size": PAGE_SIZE, "updt_time": "2000-01-01 00:00:00"}
    t0 = time.monotonic()
    first = door.ok("1312", {"data": query})
    first_ms = (time.monotonic() - t0) * 1000  # numbers the rows once per publication
    total = int(first["recordCounts"])
    rng = random.Random(1312)
    latencies, wrong = [], 0
    for _ in range(count):
        page_num = rng.randint(1, max(1, math.ceil(total / PAGE_SIZE)))
        t0 = time.monotonic()
        answer = door.ok("1312", {"data": query | {"page_num": page_num}})
        latencies.append(time.monotonic() - t0)
        wrong += answer["size"] != min(PAGE_SIZE, total - (page_num - 1) * PAGE_SIZE)
    return {"rows": total, "page_size": PAGE_SIZE, "first_ms": round(first_ms, 1), "wrong_pages": wrong} | {
        "latency_ms": summary_ms(latencies)
    }


def download(door: Door, rss: Callable[[], float] | None) -> dict[str, Any]:
    """The full 1301 from nothing (ver 0) and its 9102 fetch, with the service's peak RSS meanwhile."""
    peak, before, stop = [0.0], rss() if rss else math.nan, threading.Event()

    def sample() -> None:
        while rss and not stop.wait(0.02):
            peak[0] = max(peak[0], rss())

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        t0 = time.monotonic()
        offered = door.ok("1301", {"data": {"ver": "0"}})
        offer_seconds = time.monotonic() - t0
        t0 = time.monotonic()
        fs_download_in = {"file_qury_no": offered["file_qury_no"], "filename": offered["filename"]}
        content = door.ok("9102", {"fsDownloadIn": fs_download_in | {"fixmedins_code": "plc"}})
        fetch_seconds = time.monotonic() - t0
    finally:
        stop.set()
        sampler.join()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        lines = sum(chunk.count(b"\n") for chunk in iter(archive.open(archive.namelist()[0]).read, b""))
    return {
        "seconds": round(offer_seconds + fetch_seconds, 2),
        "offer_seconds": round(offer_seconds, 2),
        "fetch_seconds": round(fetch_seconds, 2),
        "zip_mb": round(len(content) / 1_048_576, 1),
        "lines": lines,
        "rss_before_mb": round(before, 0),
        "rss_peak_mb": round(peak[0], 0) if rss else math.nan,
    }


def mappings(door: Door, count: int) -> dict[str, Any]:
    """3301 uploading `count` own codes mapped to the demo catalogue's items, PER_CALL a call."""
    probe = door.call("3301", {"data": []}).json()
    if "INFNO_UNSUPPORTED" in str(probe.get("err_msg", "")) or "not offered" in str(probe.get("err_msg", "")):
        return {"missing": "3301 is not offered by this build: no figure"}
    latencies, t0 = [], time.monotonic()
    for start in range(0, count, PER_CALL):
        data = [
            {
                "fixmedins_hilist_id": f"BENCH{n:07d}",
                "fixmedins_hilist_name": f"院内项目{n}",
                "list_type": {"X": "101", "C": "301"}.get(DEMO_CODES[n % len(DEMO_CODES)][0], "201"),
                "med_list_codg": DEMO_CODES[n % len(DEMO_CODES)],
                "begndate": "2026-01-01",
                "enddate": "2099-12-31",
                "aprvno": "",
                "dosform": "",
                "spec": "",
            }
            for n in range(start, min(start + PER_CALL, count))
        ]
        c0 = time.monotonic()
        door.ok("3301", {"data": data})
        latencies.append(time.monotonic() - c0)
    seconds = time.monotonic() - t0
    return {
        "mappings": count,
        "calls": len(latencies),
        "seconds": round(seconds, 2),
        "per_s": round(count / seconds),
        "latency_ms": summary_ms(latencies),
    }


def workload(
    http: httpx.Client, database_url: str, items: int, page_count: int, rss: Callable[[], float] | None
) -> dict[str, Any]:
    filled = fill(database_url, items)
    door = Door(http)
    door.sign_in()
    return {
        "items": items,
        "fill": filled,
        "pages": pages(door, items, page_count),
        "download": download(door, rss),
        "mappings": mappings(door, MAPPINGS),
    }


def run(system: Any, plan: Any, memory: Any) -> dict[str, Any]:
    """The make bench workload, against the running settlement service (its RSS sampled meanwhile)."""
    pid = system.pid("settlement")
    items = QUICK_ITEMS if plan.quick else ITEMS
    with httpx.Client(base_url=system.url("settlement"), timeout=1800) as http:

        def rss() -> float:
            return machine.rss_mb(pid)

        return workload(http, system.database_urls["settlement"], items, 100 if plan.quick else 500, rss)


def _fmt(value: Any, digits: int = 1) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.{digits}f}"


def report_rows(result: dict[str, Any] | None) -> list[str]:
    """The targets table's rows: the 1312 page, the full 1301 download, the 3301 upload."""
    if not result:
        return ["| national catalogues (1312 page, 1301 download, 3301 upload) | reported | not measured | | n/a |"]
    items, page, down, maps = result["items"], result["pages"], result["download"], result["mappings"]
    p99 = page["latency_ms"]["p99"]
    rows = [
        f"| 1312 page of {page['page_size']} over a {items:,}-item HI list (random page_num, one caller) | p99 <= 50 ms | "
        f"p50 {_fmt(page['latency_ms']['p50'])} ms, p99 {_fmt(p99)} ms (first page after the publication "
        f"{_fmt(page['first_ms'])} ms; {page['wrong_pages']} wrong pages) | | "
        f"{'**met**' if p99 <= 50 and not page['wrong_pages'] else '**not met**'} |",
        f"| full 1301 download of {items:,} drugs (1301, then 9102) | reported | {down['seconds']} s "
        f"(1301 {down['offer_seconds']} s, 9102 {down['fetch_seconds']} s; {down['zip_mb']} MB zip, {down['lines']:,} lines; "
        f"settlement peak RSS {_fmt(down['rss_peak_mb'], 0)} MB, {_fmt(down['rss_before_mb'], 0)} MB before) | | "
        f"{'**met**' if down['lines'] >= items else '**not met**'} |",
    ]
    if "missing" in maps:
        rows.append(f"| 3301 upload of {MAPPINGS:,} item mappings | reported | {maps['missing']} | | n/a |")
    else:
        rows.append(
            f"| 3301 upload of {maps['mappings']:,} item mappings ({maps['calls']} calls of {PER_CALL}) | reported | "
            f"{maps['seconds']} s, {maps['per_s']:,} mappings/s, p50 {_fmt(maps['latency_ms']['p50'])} ms / "
            f"p99 {_fmt(maps['latency_ms']['p99'])} ms a call | | |"
        )
    return rows


def main(argv: list[str]) -> int:
    """A direct run: a throwaway PostgreSQL, settlement's migrations and demo data, the workload in process."""
    from fastapi.testclient import TestClient

    from medshared import broker
    from medshared.db import upgrade
    from medshared.testing import create_database, start_postgres, stop_postgres
    from settlement.config import Settings
    from settlement.demo import load_demo
    from settlement.main import create_app

    items = int(argv[1]) if len(argv) > 1 else ITEMS
    root = Path(tempfile.mkdtemp(prefix="benchpg-"))
    server = start_postgres(root, broker.free_port())
    try:
        url = create_database(server)
        upgrade(Path(__file__).resolve().parents[2] / "services" / "settlement" / "alembic.ini", url)
        settings = Settings(database_url=url, kafka_bootstrap_servers="", environment="development")
        with TestClient(create_app(settings)) as http:
            load_demo(http.app.state.runtime)
            result = workload(http, url, items, 300, lambda: machine.rss_mb(os.getpid()))
    finally:
        stop_postgres(root)
    print(json.dumps(result, indent=1, ensure_ascii=False))
    print("\n".join(report_rows(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
