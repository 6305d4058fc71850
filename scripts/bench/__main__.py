"""`make bench`: start the system, generate data, drive each workload, write docs/benchmarks.md.

BENCH_QUICK=1 python -m bench      (from scripts/; ~5 minutes)
python -m bench                    (the full run; ~30 minutes on 2 cores)
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from bench import config, machine, report, workloads
from bench.system import System

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    plan = config.plan()
    started = time.monotonic()
    var = Path(tempfile.mkdtemp(prefix="bench-"))
    system = System(var=var)
    results: dict = {"machine": machine.describe(), "quick": plan.quick, "plan": plan.__dict__}
    try:
        print("starting PostgreSQL, the broker and every service", flush=True)
        system.start()
        results.update(workloads.run_all(system, plan, var))
    finally:
        system.stop()
    results["total_seconds"] = round(time.monotonic() - started)
    results["load_average_at_end"] = machine.load_average()
    (ROOT / "docs" / "bench").mkdir(parents=True, exist_ok=True)
    (ROOT / "docs" / "bench" / "results.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False, default=str)
    )
    report.write(results, ROOT / "docs")
    print(f"wrote docs/benchmarks.md in {results['total_seconds']} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
