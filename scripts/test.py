"""make test: one throwaway PostgreSQL server, then every suite on SQLite and PostgreSQL.

Each suite runs in its own pytest process (every service is its own package with its
own conftest). The last line sums them up as 'N passed, N failed'. Arguments go to every
pytest run: `-m unit` (make test-unit, and the other layers) runs one layer everywhere.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from medshared import broker
from medshared.testing import start_postgres, stop_postgres

ROOT = Path(__file__).resolve().parents[1]
SUITES = [ROOT / "shared", *sorted(p.parent for p in (ROOT / "services").glob("*/pyproject.toml")), ROOT / "tests"]
SUMMARY = re.compile(r"^=*\s*\d+ (passed|failed|skipped|errors?|deselected).* in [\d.]+s")


def main(argv: list[str]) -> int:
    pg_root = Path(tempfile.mkdtemp(prefix="medpg-"))
    env = dict(os.environ)
    started = False
    # The unit layer (make test-unit) touches no database: no server to start.
    if "TEST_POSTGRES_URL" not in env and argv[:2] != ["-m", "unit"]:
        env["TEST_POSTGRES_URL"] = start_postgres(pg_root, broker.free_port())
        started = True
    totals = {"passed": 0, "failed": 0, "skipped": 0, "errors": 0}
    failed_suites = []
    t0 = time.monotonic()
    try:
        for suite in SUITES:
            if not (suite / "tests").is_dir() and suite.name != "tests":
                continue
            target = suite if suite.name == "tests" else suite / "tests"
            if not any(target.rglob("test_*.py")):
                continue
            print(f"\n=== {suite.relative_to(ROOT)} ===", flush=True)
            proc = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *argv, str(target)],
                cwd=suite if suite.name != "tests" else ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            sys.stdout.write(proc.stdout)
            _count(proc.stdout, totals)
            if proc.returncode not in (0, 5):
                failed_suites.append(str(suite.relative_to(ROOT)))
    finally:
        if started:
            stop_postgres(pg_root)
        shutil.rmtree(pg_root, ignore_errors=True)
    print(f"\nsuites failing: {', '.join(failed_suites) or 'none'}; {time.monotonic() - t0:.0f}s")
    print(f"{totals['passed']} passed, {totals['failed'] + totals['errors']} failed, {totals['skipped']} skipped")
    return 1 if failed_suites or totals["passed"] == 0 else 0


def _count(output: str, totals: dict[str, int]) -> None:
    lines = [line for line in output.splitlines() if SUMMARY.search(line)]
    if not lines:
        return
    for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)", lines[-1]):
        totals["errors" if word.startswith("error") else word] += int(number)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
