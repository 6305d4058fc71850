"""The in-memory store's part for detail reconciliation (3202), clearing applications (3203/3204) and institution monthly statements (settlement.usecases.ports.statements)."""

from __future__ import annotations


class FakeStatement:
    def __init__(self) -> None:
        super().__init__()
