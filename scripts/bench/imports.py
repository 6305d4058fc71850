"""The yearly resident collection from import start until the last person is settleable.

One CSV of residents (100,000 in the full run, 20,000 quick) is posted to enrollment's import API;
the clock runs until settlement's and e-voucher's read models hold every person and enrollment
(settlement can settle them and the phone can activate a voucher). Every process's CPU over the
same window is divided by the people imported: enrollment (parsing, checks, staging two events per
row in batches of 100, its relay), the broker, settlement's and e-voucher's consumers, their PostgreSQL
backends.

    workloads.run_all:  results["import_settleable"] = imports.run(system, plan, memory)
    report.write:       imports.report_rows(r.get("import_settleable")), imports.section(...)

`BENCH_QUICK=1 python -m bench.imports` (from scripts/) runs this workload alone and prints it.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

START = 5_000_000  # certificate numbers beyond every other workload's people
TARGET = 10_000  # people per second, import start to the last person settleable


def _cpu_seconds(meter: Any) -> dict[str, float]:
    """CPU seconds per process (and the whole machine) since the meter started."""
    from bench.workloads import _machine_busy

    end = meter._sample()
    out = {k: end[k] - meter.start.get(k, 0.0) for k in end}
    return out | {"whole machine": _machine_busy() - meter.busy0}


def run(system: Any, plan: Any, memory: Any, start: int = START) -> dict[str, Any]:
    from bench import people
    from bench.arrival import Arrival
    from bench.workloads import CpuMeter, import_csv, say

    n = 20_000 if plan.quick else 100_000
    year = dt.date.today().year
    body = people.csv_rows("540100", start, n, year)
    arrival = Arrival(system, (people.certno("540100", i) for i in range(start, start + n)))
    say(f"yearly collection: importing {n:,} residents in one file, until settlement and e-voucher hold them all")
    cpu = CpuMeter(system)
    t0 = time.monotonic()
    report = import_csv(system, body)
    imported = time.monotonic() - t0
    if report["rejected_count"]:
        raise RuntimeError(f"the import rejected rows: {report['rejected'][:3]}")
    reached = arrival.wait(t0, timeout=3600)
    seconds = _cpu_seconds(cpu)
    memory.sample()
    last = max(reached.values()) if len(reached) == 2 else math.nan
    return {
        "people": n,
        "import_seconds": round(imported, 2),
        "settleable_seconds": {k: round(v, 2) for k, v in reached.items()},
        "last_settleable_seconds": round(last, 2),
        "people_per_s": round(n / last) if last == last else 0,
        "cpu_ms_per_person": {k: round(1000 * v / n, 3) for k, v in seconds.items()},
    }


def report_rows(result: dict[str, Any] | None) -> str:
    if not result:
        return "| imported people settleable (import start to last person, settlement and e-voucher) | >= 10,000 people/s | not measured | | n/a |"
    rate = result["people_per_s"]
    cpu = result["cpu_ms_per_person"]
    busiest = max((k for k in cpu if k != "whole machine"), key=lambda k: cpu[k])
    return (
        f"| imported people settleable ({result['people']:,} people, import start to last person settleable) | "
        f">= {TARGET:,} people/s | {rate:,} people/s ({result['last_settleable_seconds']} s; "
        f"CPU {cpu.get('whole machine', math.nan):.3f} ms per person on the machine, most in {busiest} "
        f"{cpu[busiest]:.3f} ms) | | **{'met' if rate >= TARGET else 'not met'}** |"
    )


def section(result: dict[str, Any] | None) -> list[str]:
    if not result:
        return []
    s = result["settleable_seconds"]
    lines = [
        "## Yearly collection: imported people settleable",
        f"{result['people']:,} residents in one CSV file, posted to enrollment's import API. The import answered after "
        f"{result['import_seconds']} s; settlement held every person and enrollment after {s.get('settlement', 'never')} s, "
        f"e-voucher after {s.get('e-voucher', 'never')} s: **{result['people_per_s']:,} people/s** from the import's start "
        "to the last person settleable. CPU per imported person over the same window:",
        "",
        "| process | CPU ms per person |",
        "|---|---:|",
        *[f"| {k} | {v:.3f} |" for k, v in result["cpu_ms_per_person"].items()],
        "",
    ]
    return lines


def main() -> int:
    """`python -m bench.imports [ROUNDS]`: the collection ROUNDS times into one running stack.

    Each round imports new people on top of the earlier rounds' (its events too stay on the
    broker and in every outbox and inbox), which shows whether the pipeline slows as it fills.
    """
    import json
    import sys
    import tempfile
    from pathlib import Path

    from bench import config
    from bench.system import System
    from bench.workloads import Memory

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    plan = config.plan()
    system = System(var=Path(tempfile.mkdtemp(prefix="bench-imports-")))
    results = []
    try:
        system.start()
        memory = Memory(system)
        for i in range(rounds):
            results.append(run(system, plan, memory, start=START + i * 1_000_000))
            r = results[-1]
            print(
                f"round {i + 1}: {r['people_per_s']:,} people/s, CPU ms per person {r['cpu_ms_per_person']}", flush=True
            )
    finally:
        system.stop()
    print(json.dumps(results[-1], indent=1, default=str))
    print(report_rows(results[-1]))
    print("\n".join(section(results[-1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
