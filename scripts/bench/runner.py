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
_system: Any = None


def observe(system: Any) -> None:
    """From now on every run also measures the CPU of the service it drives (found by its URL)
    and of that service's PostgreSQL backends, over the run's measured window."""
    global _system
    _system = system


def _watch(url: str) -> dict[str, Any] | None:
    if _system is None or _system.stack is None:
        return None
    for service, service_url in _system.stack.urls.items():
        if service_url.rstrip("/") == url.rstrip("/"):
            database = _system.database_urls.get(service, "")
            try:
                pid = _system.pid(service)
            except StopIteration:
                return None
            return {"pid": pid, "databases": [database.rsplit("/", 1)[1]] if database else []}
    return None


def drive(workload: str, **cfg: Any) -> dict[str, Any]:
    """One run of `bench.drive` in a fresh process; each run gets its own msgid day."""
    cfg = {"workload": workload, "run": next(_runs), "warmup": 1.0, **cfg}
    if "url" in cfg and "watch" not in cfg:
        cfg["watch"] = _watch(cfg["url"])
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
