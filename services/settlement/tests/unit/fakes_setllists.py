"""The in-memory store's part for settlement lists (4101-4104) and their quality control (settlement.usecases.ports.setllists)."""

from __future__ import annotations


class FakeSetlList:
    def __init__(self) -> None:
        super().__init__()
