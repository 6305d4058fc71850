"""The port of the national catalogues (13xx): versioned records, increments and paged queries."""

from __future__ import annotations

from typing import Protocol


class CatalogueStore(Protocol):
    pass
