"""13xx catalogue downloads and queries, as a HIS calls them on its first day: every download from
nothing (ver "0"), each answered with a file to fetch with 9102, and the first page of each query."""

from __future__ import annotations

from typing import Any

from settlement.domain.catalogues import DOWNLOADS

QUERIES = ("1304", "1312", "1318", "1319")
COVERED: set[str] = {*DOWNLOADS, *QUERIES}


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    for infno in DOWNLOADS:
        offered = s.step(infno, {"data": {"ver": "0"}})
        if offered is not None and not str(offered.get("filename", "")).endswith(".zip"):
            s.failures[infno] = f"answered no zip to fetch with 9102: {offered}"
    for infno in QUERIES:
        s.step(infno, {"data": {"page_num": 1, "page_size": 100, "updt_time": "2000-01-01 00:00:00"}})
