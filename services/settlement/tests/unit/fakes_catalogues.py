"""The in-memory store's part for national catalogues (13xx) (settlement.usecases.ports.catalogues)."""

from __future__ import annotations


class FakeCatalogues:
    def __init__(self) -> None:
        super().__init__()
