"""The store's part for settlement lists (4101-4104) and their quality control, over SQL (settlement.usecases.ports.setllists)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class SetlListSql:
    session: Session
    _postgres: bool
