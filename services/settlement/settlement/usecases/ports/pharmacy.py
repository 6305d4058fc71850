"""The port of pharmacy settlement (2101-2103)."""

from __future__ import annotations

from typing import Protocol


class PharmacyStore(Protocol):
    pass
