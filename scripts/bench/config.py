"""How big a run is: BENCH_QUICK=1 for a ~5 minute smoke run, otherwise the full benchmark."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    quick: bool
    repeats: int
    concurrency: tuple[int, ...]
    duration: float  # seconds per measured run
    ceiling_duration: float
    visit_people: int
    settle_count: int
    decode_codes: int
    import_sizes: tuple[int, ...]
    clearing_rows: int
    profile_seconds: int
    history_large: int  # settlements stored for the second settle-latency measurement


def plan() -> Plan:
    if os.environ.get("BENCH_QUICK") == "1":
        return Plan(True, 2, (1, 8, 32), 4, 2, 400, 150, 400, (2_000, 4_000, 8_000), 100_000, 8, 1_000_000)
    return Plan(
        False, 3, (1, 4, 16, 32, 64), 12, 5, 2000, 600, 2000, (10_000, 25_000, 50_000), 1_000_000, 20, 10_000_000
    )
