"""The repository the national use cases work through (settlement.usecases.ports.Store), over SQL.

`SqlStore` is the real one over a SQLAlchemy session (the tables of settlement.db), one part per
capability; tests/unit/fakes.py holds an in-memory one with the same methods, so the use cases
run without a database.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from .catalogues import CatalogueSql
from .core import CoreSql
from .departments import DepartmentSql
from .dictionaries import DictionarySql
from .files import FileSql
from .mapping import MappingSql
from .pharmacy import PharmacySql
from .records import RecordsSql
from .setllists import SetlListSql
from .statements import StatementSql
from .supervision import SupervisionSql

__all__ = ["SqlStore"]


class SqlStore(
    CoreSql,
    FileSql,
    CatalogueSql,
    DictionarySql,
    MappingSql,
    DepartmentSql,
    PharmacySql,
    RecordsSql,
    SetlListSql,
    StatementSql,
    SupervisionSql,
):
    """The store over one SQLAlchemy session (a unit of work, or a read-only session)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
