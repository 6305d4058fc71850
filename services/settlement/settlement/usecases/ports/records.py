"""The port of the records queries (5201-5205, 5301-5304) and person designation filings (2505/2506)."""

from __future__ import annotations

from typing import Protocol


class RecordsStore(Protocol):
    pass
