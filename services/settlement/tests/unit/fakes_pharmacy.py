"""The in-memory store's part for pharmacy settlement (2101-2103) (settlement.usecases.ports.pharmacy)."""

from __future__ import annotations


class FakePharmacy:
    def __init__(self) -> None:
        super().__init__()
