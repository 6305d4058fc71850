"""The port of pharmacy settlement (2101-2103)."""

from __future__ import annotations

from typing import Any, Protocol


class PharmacyStore(Protocol):
    """A settled purchase's drug lines, stored as fee lines of its visit, already marked with its setl_id."""

    def add_purchase_lines(self, rows: list[dict[str, Any]]) -> None: ...
