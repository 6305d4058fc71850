"""Statements a national call makes every time, run straight through the driver on PostgreSQL.

An indexed lookup through SQLAlchemy's Session costs the calling process about twice the CPU it
costs through a HotRead (88-113 µs against 46-71 µs; psycopg alone 34-45 µs: make bench, "What one
statement costs settlement's process"), and a settlement makes a dozen or more statements. A
HotRead is a Core SELECT compiled once, a HotWrite an INSERT, UPDATE or DELETE compiled once for
each set of parameter names it is given. On PostgreSQL each runs on the session's own connection
(so inside the session's transaction, with its isolation and its locks) through one psycopg cursor
kept per connection, and answers what the session would: rows as named tuples with the same
attribute names, each value passed through its column type's own result processor, each
parameter through its bind processor, and driver errors raised as SQLAlchemy's (a dropped
connection is invalidated as SQLAlchemy would). A HotWrite answers the rows it touched, and refuses
(ValueError) a statement that relies on a Python-side column default or returns rows: SQLAlchemy
would fill those in, the driver cannot. On SQLite both run through the session.
"""

from __future__ import annotations

import json
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import TypeDecorator, bindparam, exc
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql import CompoundSelect, Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal

_CURSOR = "medshared.hotsql.cursor"
_IN_TRANSACTION = "medshared.hotsql.in_transaction"
Processor = Callable[[Any], Any] | None
Statement = Select[Any] | CompoundSelect[Any]


class _KeyList(TypeDecorator[Any]):
    """A list of keys as one parameter: an array on PostgreSQL, JSON text elsewhere (SQLite's json_each)."""

    impl = NullType  # no cast: PostgreSQL takes the array for the column's own type
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        keys = list(value)
        return keys if dialect.name == "postgresql" else json.dumps(keys)


class _AnyOf(ColumnElement[Any]):
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own declaration): the cache key, column and parameter
        ("column", InternalTraversal.dp_clauseelement),
        ("keys", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], keys: BindParameter[Any]) -> None:
        self.column = column
        self.keys = keys
        self.type = NullType()  # a comparison as it stands, not a boolean value SQLite would compare to 1


def any_of(column: ColumnElement[Any], name: str) -> ColumnElement[Any]:
    """`column` equals one of the keys in the list parameter `name`: `= ANY(:name)` on PostgreSQL,
    `IN (SELECT value FROM json_each(:name))` on SQLite. One statement for any number of keys (an IN
    list is a new statement per length, with a placeholder per key), so a hot statement can carry it."""
    return _AnyOf(column, bindparam(name, type_=_KeyList()))


@compiles(_AnyOf, "postgresql")
def _any_of_postgresql(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} = ANY({compiler.process(element.keys, **kw)})"


@compiles(_AnyOf)
def _any_of_elsewhere(element: _AnyOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN (SELECT value FROM json_each({compiler.process(element.keys, **kw)}))"


class _Bound:
    """A compiled statement as PostgreSQL runs it: its SQL, its literal values and bind processors."""

    def __init__(self, compiled: SQLCompiler, dialect: Dialect) -> None:
        self.sql = compiled.string
        if "POSTCOMPILE" in self.sql:
            raise ValueError("a hot statement cannot expand IN lists; match a list parameter with any_of(column, name)")
        self.dialect = dialect
        self.defaults: dict[str, Any] = {}
        self.binds: list[tuple[str, Callable[[Any], Any]]] = []
        for name, bind in compiled.binds.items():
            if bind.callable is not None:
                raise ValueError(f"a hot statement binds values, not callables: give {name} its value")
            if not bind.required:
                self.defaults[name] = bind.value
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                self.binds.append((name, processor))

    def params(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        params = self.defaults | dict(given or {})
        for name, processor in self.binds:
            if name in params:
                params[name] = processor(params[name])
        return params


class _Compiled(_Bound):
    """A SELECT as PostgreSQL runs it, with its row type and, once the first answer has told the
    columns' driver types, their result processors."""

    def __init__(self, statement: Statement, dialect: Dialect) -> None:
        super().__init__(statement.compile(dialect=dialect), dialect)
        self.columns = list(statement.selected_columns)
        self.row: Any = namedtuple("Row", list(statement.selected_columns.keys()))  # type: ignore[misc]
        self.results: list[Processor] | None = None

    def rows(self, cursor: Any, values: list[tuple[Any, ...]]) -> list[Any]:
        processors = self.results
        if processors is None:  # the cursor's description builds a column object per column: read once
            description: Sequence[Any] = cursor.description
            if len(description) != len(self.columns):
                raise ValueError(f"{len(description)} columns answered for {len(self.columns)} selected")
            found: list[Processor] = [
                column.type.dialect_impl(self.dialect).result_processor(self.dialect, d.type_code)
                for column, d in zip(self.columns, description, strict=True)
            ]
            processors = self.results = found if any(found) else []  # [] when every value is the driver's own
        make = self.row._make
        if not processors:
            return [make(v) for v in values]
        return [make([p(x) if p else x for p, x in zip(processors, v, strict=True)]) for v in values]


class HotRead:
    """One SELECT (or UNION of SELECTs) on a hot path; `all`, `first` and `scalars` answer as Session.execute would."""

    def __init__(self, statement: Statement) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str], _Compiled] = {}  # by dialect: a process may use both

    def all(self, session: Session, params: Mapping[str, Any] | None = None) -> list[Any]:
        connection, cursor = _in_transaction(session)
        dialect = connection.dialect
        compiled = self._compiled.get((dialect.name, dialect.driver))
        if compiled is None:  # on every backend, so a statement the driver path refuses fails on SQLite too
            compiled = self._compiled[dialect.name, dialect.driver] = _Compiled(self.statement, dialect)
        if dialect.driver != "psycopg":
            return list(session.execute(self.statement, params).all())
        bound = compiled.params(params)
        try:
            cursor.execute(compiled.sql, bound)
            values = cursor.fetchall()
        except dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, cursor, compiled.sql, bound, error) from error
        return compiled.rows(cursor, values)

    def first(self, session: Session, params: Mapping[str, Any] | None = None) -> Any | None:
        rows = self.all(session, params)
        return rows[0] if rows else None

    def one(self, session: Session, params: Mapping[str, Any] | None = None) -> Any:
        rows = self.all(session, params)
        if len(rows) != 1:
            raise exc.NoResultFound("no row was found") if not rows else exc.MultipleResultsFound("more than one row")
        return rows[0]

    def scalars(self, session: Session, params: Mapping[str, Any] | None = None) -> list[Any]:
        return [row[0] for row in self.all(session, params)]


class HotWrite:
    """One INSERT, UPDATE or DELETE on a hot path; `run` answers the number of rows it touched."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        self._compiled: dict[tuple[str, str, frozenset[str]], _Bound] = {}

    def run(self, session: Session, params: Mapping[str, Any]) -> int:
        connection, cursor = _in_transaction(session)
        dialect = connection.dialect
        key = (dialect.name, dialect.driver, frozenset(params))
        bound = self._compiled.get(key)
        if bound is None:  # on every backend, so a statement the driver path refuses fails on SQLite too
            bound = self._compiled[key] = self._compile(dialect, key[2])
        if dialect.driver != "psycopg":
            result: Any = connection.execute(
                self.statement, dict(params), execution_options={"preserve_rowcount": True}
            )
            return int(result.rowcount)
        values = bound.params(params)
        try:
            cursor.execute(bound.sql, values)
        except dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, cursor, bound.sql, values, error) from error
        return int(cursor.rowcount)

    def _compile(self, dialect: Dialect, keys: frozenset[str]) -> _Bound:
        # As for an executemany: no implicit RETURNING of the primary key, which nothing here reads.
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=sorted(keys), for_executemany=True)
        defaulted = [c.name for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
        if defaulted:
            raise ValueError(f"a HotWrite cannot fill in Python-side defaults: give {', '.join(defaulted)} a value")
        if compiled.returning:
            raise ValueError("a HotWrite answers no rows; run a statement with RETURNING through the session")
        return _Bound(compiled, dialect)


def _in_transaction(session: Session) -> tuple[Connection, Any]:
    """The session's connection and, on psycopg, its hot cursor: looked up through the session once
    per transaction (a dozen Python calls each time), then kept in the session's info beside the
    transaction they belong to. A new transaction (after a commit or a rollback) looks them up again."""
    transaction = session.get_transaction()
    kept = session.info.get(_IN_TRANSACTION)
    if kept is not None and transaction is not None and kept[0] is transaction:
        return kept[1], kept[2]
    connection = session.connection()
    cursor = _cursor(connection) if connection.dialect.driver == "psycopg" else None
    session.info[_IN_TRANSACTION] = (session.get_transaction(), connection, cursor)
    return connection, cursor


def _cursor(connection: Connection) -> Any:
    """The connection's own cursor for hot statements, made once per DBAPI connection."""
    pooled = connection.connection
    driver: Any = pooled.driver_connection
    kept = pooled.info.get(_CURSOR)
    if kept is None or kept[0] is not driver or kept[1].closed:
        kept = pooled.info[_CURSOR] = (driver, driver.cursor())
    return kept[1]


def _wrapped(connection: Connection, cursor: Any, sql: str, params: dict[str, Any], error: Exception) -> Exception:
    """The driver's error as SQLAlchemy raises it; a lost connection is invalidated, so the pool
    replaces it instead of handing it out again."""
    dialect = connection.dialect
    invalidated = dialect.is_disconnect(error, connection.connection.dbapi_connection, cursor)  # type: ignore[arg-type]
    if invalidated:
        connection.invalidate(error)
    return exc.DBAPIError.instance(
        sql,
        params,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=invalidated,
        dialect=dialect,
    )
