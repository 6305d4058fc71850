"""The port of departments (3401-3403) of an institution."""

from __future__ import annotations

from typing import Protocol


class DepartmentStore(Protocol):
    pass
