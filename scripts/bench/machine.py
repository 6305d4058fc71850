"""The machine a run was measured on, from /proc (no third-party probes)."""

from __future__ import annotations

import os
import platform
from pathlib import Path
from typing import Any


def _meminfo_kb(field: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe() -> dict[str, str | int]:
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": _cpu_model(),
        "memory_gb": round(_meminfo_kb("MemTotal") / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average": load_average(),
    }


def load_average() -> str:
    """1/5/15-minute load: on a shared machine, other work competes for the same cores."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def family(pid: int) -> list[int]:
    """A process and its descendants (uvicorn's workers under its supervisor)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident set size of a process and its workers, from /proc/<pid>/status."""
    total = 0
    for member in family(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


def own_user_system_seconds(pid: int) -> tuple[float, float]:
    """User and system (kernel) CPU time of one process (not its children); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def own_cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (not its children); 0 once it is gone."""
    return sum(own_user_system_seconds(pid))


def user_system_seconds(pid: int) -> tuple[float, float]:
    """User and system (kernel) CPU time of a process and its workers, apart."""
    each = [own_user_system_seconds(member) for member in family(pid)]
    return sum(u for u, _ in each), sum(s for _, s in each)


def context_switches(pid: int) -> int:
    """Voluntary and involuntary context switches so far of every thread of a process and its workers
    (a thread that already exited is not counted)."""
    total = 0
    for member in family(pid):
        try:
            tasks = list(Path(f"/proc/{member}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                for line in (task / "status").read_text().splitlines():
                    if "ctxt_switches:" in line:
                        total += int(line.split()[1])
            except (OSError, IndexError, ValueError):
                continue
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process and its workers have used so far."""
    return sum(own_cpu_seconds(member) for member in family(pid))


class Usage:
    """CPU seconds used between two samples by a service's process family and by the PostgreSQL
    backends of its databases (each backend by its own pid, so one that connects mid-run counts
    from its start and the others are not blurred by it)."""

    def __init__(self, pid: int, databases: list[str]) -> None:
        self.pid = pid
        self.databases = databases

    def sample(self) -> dict[str, Any]:
        return {
            "service": cpu_seconds(self.pid),
            "backends": {b: own_cpu_seconds(b) for b in backend_pids(self.databases)},
        }

    @staticmethod
    def used(start: dict[str, Any], end: dict[str, Any]) -> dict[str, float]:
        backends = sum(max(0.0, cpu - start["backends"].get(b, 0.0)) for b, cpu in end["backends"].items())
        return {"service": end["service"] - start["service"], "postgresql": backends}


def backend_pids(database_names: list[str]) -> list[int]:
    """PostgreSQL backends serving these databases (their title names the database)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and any(f" {name} " in title for name in database_names):
            pids.append(int(entry.name))
    return pids
