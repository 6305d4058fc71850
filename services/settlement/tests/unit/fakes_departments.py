"""The in-memory store's part for departments (3401-3403) (settlement.usecases.ports.departments)."""

from __future__ import annotations


class FakeDepartments:
    def __init__(self) -> None:
        super().__init__()
