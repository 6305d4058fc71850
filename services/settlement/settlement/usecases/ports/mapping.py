"""The port of item mapping (3301/3302): an institution's own codes mapped to national codes."""

from __future__ import annotations

from typing import Protocol


class MappingStore(Protocol):
    pass
