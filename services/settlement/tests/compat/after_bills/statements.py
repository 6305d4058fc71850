"""3202-3204 reconciliation and clearing applications, as a HIS or pharmacy calls them once bills exist."""

from __future__ import annotations

from typing import Any

COVERED: set[str] = set()


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
