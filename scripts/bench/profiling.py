"""py-spy under load: a sampled profile of one service process, reduced to its top frames."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path


def py_spy() -> str | None:
    return shutil.which("py-spy") or (
        str(Path(sys.executable).with_name("py-spy")) if Path(sys.executable).with_name("py-spy").exists() else None
    )


def record(pid: int, seconds: int, raw_out: Path, *, cpu: bool = True) -> subprocess.Popen[bytes] | None:
    """Start sampling `pid` for `seconds` (collapsed stacks to raw_out); None when py-spy is missing.

    With `cpu`, only the thread holding the GIL is sampled: where the process's Python CPU went.
    Without it every thread that is not idle is sampled, which also counts a thread waiting for
    the GIL or for PostgreSQL (psycopg's `Connection.wait`) where it waits: where time went.
    """
    exe = py_spy()
    if exe is None:
        return None
    args = [
        exe,
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(seconds),
        "--rate",
        "200",
        "--nonblocking",
        "--format",
        "raw",
        "--output",
        str(raw_out),
        *(["--gil"] if cpu else []),
    ]
    return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _frames(stack: str) -> list[str]:
    return [f for f in stack.split(";") if f]


def top_frames(
    raw: Path, *, limit: int = 15, own_code: tuple[str, ...] = (), within: str = ""
) -> dict[str, list[tuple[str, float]]]:
    """Share of busy samples per frame: `inclusive` (frame anywhere on the stack) and `self` (frame on top).

    Idle samples (threads waiting in select/poll/wait) are dropped so the shares are of CPU work.
    With `within`, only stacks through that frame count, waits included: where one request's time went.
    """
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = _frames(stack)
        if within:
            if not any(within in f for f in frames):
                continue
        elif not frames or any(
            idle in frames[-1]
            for idle in ("wait (threading", "select (", "poll (", "_worker (concurrent", "acquire", "sleep")
        ):
            continue
        n = int(count)
        total += n
        own[frames[-1]] += n
        for f in set(frames):
            if not own_code or any(p in f for p in own_code):
                inclusive[f] += n
    if total == 0:
        return {"inclusive": [], "self": []}

    def share(c):
        return [(f, round(100 * n / total, 1)) for f, n in c.most_common(limit)]

    return {"inclusive": share(inclusive), "self": share(own), "samples": [("busy samples", float(total))]}
