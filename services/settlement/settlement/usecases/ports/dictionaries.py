"""The port of dictionaries (1901) and institution information (1201)."""

from __future__ import annotations

from typing import Protocol


class DictionaryStore(Protocol):
    pass
