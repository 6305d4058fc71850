"""The in-memory store's part for pharmacy settlement (2101-2103) (settlement.usecases.ports.pharmacy)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


class FakePharmacy:
    lines: list[SimpleNamespace]
    _ids: Any

    def __init__(self) -> None:
        super().__init__()

    def add_purchase_lines(self, rows: list[dict[str, Any]]) -> None:
        self.lines.extend(SimpleNamespace(id=next(self._ids), **row) for row in rows)
