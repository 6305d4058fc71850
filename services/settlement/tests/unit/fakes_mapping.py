"""The in-memory store's part for item mapping (3301/3302) (settlement.usecases.ports.mapping)."""

from __future__ import annotations


class FakeMapping:
    def __init__(self) -> None:
        super().__init__()
