"""make chaos: the long fault run on PostgreSQL; its figures go to docs/reliability.md ("Faults")."""

from __future__ import annotations

import argparse
import shutil
import sys
import time

from stack import ROOT

from chaos.report import summary, write_section
from chaos.run import FULL, SHORT, run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos")
    parser.add_argument("--short", action="store_true", help="the short plan that make test runs")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave docs/reliability.md alone")
    args = parser.parse_args(argv)
    # Kept after the run: each service's log shows how it rode out the faults.
    var = ROOT / "var" / "chaos"
    shutil.rmtree(var, ignore_errors=True)
    t0 = time.monotonic()
    result = run(
        var, SHORT if args.short else FULL, lambda m: print(f"[{time.monotonic() - t0:5.1f}s] {m}", flush=True)
    )
    print(f"service and broker logs: {var}")
    print(summary(result))
    if not args.no_write:
        write_section(result)
        print("figures written to docs/reliability.md (section Faults)")
    failed = result.findings.problems + [f"unclean answers: {result.tally.unclean[:5]}"] * bool(result.tally.unclean)
    for problem in failed:
        print("FAILED:", problem)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
