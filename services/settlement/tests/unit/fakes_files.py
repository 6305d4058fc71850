"""The in-memory store's part for files (9101/9102) (settlement.usecases.ports.files)."""

from __future__ import annotations


class FakeFiles:
    def __init__(self) -> None:
        super().__init__()
