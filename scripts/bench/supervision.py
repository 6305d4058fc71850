"""2207 alone with and without the fund-supervision engine: the engine's cost at settlement.

The demo rule set (one rule per category, docs/supervision.md) is in force for the run, so "with"
is the ordinary 2207-alone measurement repeated here beside "without": settlement restarted with
SETTLEMENT_SUPERVISION=false, the same population, concurrency and count, then restarted as it was.
Each side reports visits/s, p50 of 2207 and settlement's CPU per 2207 (its process CPU time over the
run divided by the settlements made); the issue's budget is at most 10% more time per 2207.

    workloads.run_all:  results["supervision"] = supervision.with_and_without(system, plan, population, memory)
    report.write:       supervision.report_row(r.get("supervision"))
"""

from __future__ import annotations

import math
from typing import Any


def _measured(system: Any, plan: Any, population: list[dict[str, str]], memory: Any) -> dict[str, Any]:
    from bench import machine
    from bench.workloads import settle_alone

    pid = system.pid("settlement")
    before = machine.cpu_seconds(pid)
    result = settle_alone(system, plan, population, memory)
    used = machine.cpu_seconds(pid) - before
    settled = plan.repeats * plan.settle_count
    return result | {"cpu_ms_per_2207": round(1000 * used / settled, 3) if settled else math.nan}


def with_and_without(system: Any, plan: Any, population: list[dict[str, str]], memory: Any) -> dict[str, Any]:
    """The system's side (bench.workloads): 2207 alone with the engine, then without, then restored."""
    from bench.workloads import say

    say("2207 alone with the fund-supervision engine (demo rule set in force)")
    with_engine = _measured(system, plan, population, memory)
    assert system.stack is not None
    system.stack.env_overrides["SETTLEMENT_SUPERVISION"] = "false"
    try:
        system.restart("settlement", workers=1)
        say("2207 alone without the engine (SETTLEMENT_SUPERVISION=false)")
        without = _measured(system, plan, population, memory)
    finally:
        system.stack.env_overrides.pop("SETTLEMENT_SUPERVISION", None)
        system.restart("settlement", workers=1)
    return {"with": with_engine, "without": without}


def _p50(side: dict[str, Any]) -> float:
    return float(side.get("per_call_ms", {}).get("2207", {}).get("p50", math.nan))


def report_row(result: dict[str, Any] | None) -> str:
    """The targets table's row: 2207 with the engine against without (time per call, CPU per call)."""
    if not result:
        return "| 2207 with / without fund supervision | <= +10% per 2207 | not measured | | n/a |"
    with_, without = result["with"], result["without"]
    ratio = _p50(with_) / _p50(without) if _p50(without) else math.nan
    cpu_ratio = with_["cpu_ms_per_2207"] / without["cpu_ms_per_2207"] if without["cpu_ms_per_2207"] else math.nan
    met = "n/a" if math.isnan(ratio) else ("met" if ratio <= 1.10 else "not met")
    return (
        f"| 2207 with / without fund supervision (concurrency {with_['concurrency']}) | <= +10% per 2207 | "
        f"p50 {_p50(with_):.1f} / {_p50(without):.1f} ms ({(ratio - 1) * 100:+.1f}%), "
        f"{with_['throughput']:.1f} / {without['throughput']:.1f} per s, "
        f"CPU {with_['cpu_ms_per_2207']:.2f} / {without['cpu_ms_per_2207']:.2f} ms per 2207 ({(cpu_ratio - 1) * 100:+.1f}%) | "
        f"| {met} |"
    )


def main() -> int:
    """`BENCH_QUICK=1 python -m bench.supervision` (from scripts/): this workload alone, printed."""
    import json
    import tempfile
    from pathlib import Path

    from bench import config
    from bench.system import System
    from bench.workloads import Memory, population

    plan = config.plan()
    system = System(var=Path(tempfile.mkdtemp(prefix="bench-supervision-")))
    try:
        system.start()
        people, _ = population(system, plan)
        result = with_and_without(system, plan, people, Memory(system))
    finally:
        system.stop()
    print(json.dumps(result, indent=1, default=str))
    print(report_row(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
