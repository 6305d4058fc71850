"""The store's part for departments (3401-3403), over SQL (settlement.usecases.ports.departments)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class DepartmentSql:
    session: Session
    _postgres: bool
