"""The store's part for files (9101/9102), over SQL (settlement.usecases.ports.files)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class FileSql:
    session: Session
    _postgres: bool
