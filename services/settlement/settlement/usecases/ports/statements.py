"""The port of detail reconciliation (3202), clearing applications (3203/3204) and institution monthly statements."""

from __future__ import annotations

from typing import Protocol


class StatementStore(Protocol):
    pass
