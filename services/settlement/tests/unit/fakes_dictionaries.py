"""The in-memory store's part for dictionaries (1901) and institutions (1201) (settlement.usecases.ports.dictionaries)."""

from __future__ import annotations


class FakeDictionaries:
    def __init__(self) -> None:
        super().__init__()
