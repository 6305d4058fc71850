"""Starts the load generator in its own process and reads back its result."""

from __future__ import annotations

import itertools
import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

SCRIPTS = Path(__file__).resolve().parents[1]
_runs = itertools.count(1)


def drive(workload: str, **cfg: Any) -> dict[str, Any]:
    """One run of `bench.drive` in a fresh process; each run gets its own msgid day."""
    cfg = {"workload": workload, "run": next(_runs), "warmup": 1.0, **cfg}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SCRIPTS), os.environ.get("PYTHONPATH", "")])}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.drive"],
        input=json.dumps(cfg),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"load generator ({workload}) failed:\n{proc.stderr[-3000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return dict(json.loads(proc.stdout)) | {"client_cpu_seconds": round(used, 2)}
