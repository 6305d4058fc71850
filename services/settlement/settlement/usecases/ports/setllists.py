"""The port of settlement lists (4101-4104) and their quality control."""

from __future__ import annotations

from typing import Protocol


class SetlListStore(Protocol):
    pass
