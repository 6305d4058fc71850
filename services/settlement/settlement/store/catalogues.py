"""The store's part for national catalogues (13xx), over SQL (settlement.usecases.ports.catalogues)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class CatalogueSql:
    session: Session
    _postgres: bool
