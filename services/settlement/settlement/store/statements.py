"""The store's part for detail reconciliation (3202), clearing applications (3203/3204) and institution monthly statements, over SQL (settlement.usecases.ports.statements)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class StatementSql:
    session: Session
    _postgres: bool
