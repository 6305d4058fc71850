"""13xx catalogue downloads and queries, as a HIS calls them on its first day."""

from __future__ import annotations

from typing import Any

COVERED: set[str] = set()


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
