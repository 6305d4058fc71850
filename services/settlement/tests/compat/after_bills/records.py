"""5201-5205, 5301-5304 queries and 2505/2506 designations, as a HIS or pharmacy calls them once bills exist."""

from __future__ import annotations

from typing import Any

COVERED: set[str] = set()


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
