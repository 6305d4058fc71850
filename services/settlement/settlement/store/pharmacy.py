"""The store's part for pharmacy settlement (2101-2103), over SQL (settlement.usecases.ports.pharmacy)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class PharmacySql:
    session: Session
    _postgres: bool
