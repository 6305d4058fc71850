"""The store's part for the records queries (5201-5205, 5301-5304) and person designation filings (2505/2506), over SQL (settlement.usecases.ports.records)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class RecordsSql:
    session: Session
    _postgres: bool
