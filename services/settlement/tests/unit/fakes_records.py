"""The in-memory store's part for the records queries (5201-5205, 5301-5304) and person designation filings (2505/2506) (settlement.usecases.ports.records)."""

from __future__ import annotations


class FakeRecords:
    def __init__(self) -> None:
        super().__init__()
