"""Engines and sessions for SQLite (embedded default) and PostgreSQL (at scale)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Column, MetaData, Table, create_engine, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from medshared.hotsql import HotWrite

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, *, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # No pre-ping: it costs a round trip per checkout. A connection the server dropped fails its
    # statement once (a 503 to that caller), and SQLAlchemy then discards the whole pool.
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size)


def _sqlite_engine(url: str) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the driver, decide when a transaction begins (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        # SQLite has no row locks: every transaction takes the write lock up front, so two
        # settlements for one person can never both read the same accumulator and both spend it.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def statement_at_a_time(session: Session) -> bool:
    """Run each of the session's statements as its own transaction (PostgreSQL's autocommit), for
    work whose statements each stand alone (a read, then one single-statement write): it saves the
    BEGIN and COMMIT round trips. SQLite keeps its transaction, which takes the write lock up front.
    The pool gives the connection back in its usual mode. True when every statement now commits
    as it runs, so the caller has nothing to commit (on SQLite it still has)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    return True


def insert_if_absent(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING in one round trip; True when the row was new."""
    # Values as parameters of a statement built once per table: compiled once, bound each call.
    return _insert_or_nothing(table, session.get_bind().dialect.name).run(session, values) == 1


@functools.lru_cache(maxsize=256)
def _insert_or_nothing(table: Table, dialect: str) -> HotWrite:
    return HotWrite((pg_insert if dialect == "postgresql" else sqlite_insert)(table).on_conflict_do_nothing())


def upsert_newer(session: Session, table: Table, key: str, row: dict[str, Any]) -> bool:
    """Apply a versioned snapshot to a read model: insert it, or replace what is held when the
    snapshot's `version` is newer; an older or equal one (a redelivery, an out-of-order event) is
    ignored. True when the row changed."""
    return bool(upsert_newer_many(session, table, key, [row]))


def upsert_newer_many(
    session: Session, table: Table, key: str, rows: list[dict[str, Any]]
) -> dict[Any, dict[str, Any]]:
    """`upsert_newer` for many snapshots in one statement: returns the rows that changed, by key.

    Several snapshots of one key count as the newest of them (the row returned). INSERT ... ON CONFLICT DO UPDATE
    WHERE the held version is older, so an older or equal snapshot (a redelivery, an out-of-order
    event) changes nothing; every row must carry the same columns.
    """
    newest: dict[Any, dict[str, Any]] = {}
    for row in rows:
        held = newest.get(row[key])
        if held is None or row["version"] > held["version"]:
            newest[row[key]] = row
    if not newest:
        return {}
    values = list(newest.values())
    names = list(values[0])
    if session.get_bind().dialect.name == "postgresql" and _json_safe(values):
        sql = _upsert_from_json(table.name, key, tuple(names))
        changed = session.execute(sql, {"rows": json.dumps(values, default=_json_value)}).scalars()
        return {k: newest[k] for k in changed}
    new = sqlite_insert(table) if session.get_bind().dialect.name != "postgresql" else pg_insert(table)
    statement = new.on_conflict_do_update(
        index_elements=[table.c[key]],
        set_={name: new.excluded[name] for name in names if name != key},
        where=table.c.version < new.excluded.version,
    ).returning(table.c[key])
    out: dict[Any, dict[str, Any]] = {}
    for start in range(0, len(values), 1000):
        # Parameters, not .values(): one compiled statement, sent as multi-row VALUES by SQLAlchemy.
        out.update((k, newest[k]) for k in session.execute(statement, values[start : start + 1000]).scalars())
    return out


def _json_safe(rows: list[dict[str, Any]]) -> bool:
    """Rows whose values PostgreSQL reads back from JSON exactly as from bound parameters.

    A datetime is not: bound, an aware one is converted to the session's time zone for a column
    without one; in JSON text its offset would be dropped. Rows with one take the other path."""
    return not any(isinstance(v, dt.datetime) for row in rows for v in row.values())


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not a column value")


@functools.lru_cache(maxsize=256)
def _upsert_from_json(table: str, key: str, names: tuple[str, ...]) -> Any:
    """The rows travel as one JSON parameter (jsonb_populate_recordset types each field as its
    column), so the statement text is the same for any number of rows: parsed and planned once,
    instead of a statement with a placeholder per value for the driver to take apart each time."""
    columns = ", ".join(f'"{n}"' for n in names)
    updates = ", ".join(f'"{n}" = EXCLUDED."{n}"' for n in names if n != key)
    return text(
        f'INSERT INTO "{table}" ({columns}) SELECT {columns} '
        f'FROM jsonb_populate_recordset(NULL::"{table}", CAST(:rows AS jsonb)) '
        f'ON CONFLICT ("{key}") DO UPDATE SET {updates} WHERE "{table}".version < EXCLUDED.version '
        f'RETURNING "{table}"."{key}"'
    )


Part = Table | Sequence[Column[Any]]


def _columns(part: Part) -> list[Column[Any]]:
    return list(part.c) if isinstance(part, Table) else list(part)


def labelled_columns(*parts: Part) -> list[Any]:
    """The columns of `parts` (a table's every column, or some of one table's columns, its primary key
    among them), labelled table__column, to select rows of several tables in one statement."""
    labelled = []
    for part in parts:
        columns = _columns(part)
        table = columns[0].table
        assert set(table.primary_key.columns) <= set(columns), f"{table.name}: select its primary key too"
        labelled += [c.label(f"{table.name}__{c.name}") for c in columns]
    return labelled


def split_row(row: Any, *parts: Part) -> list[SimpleNamespace | None]:
    """One namespace per part from a row of `labelled_columns`; None where an outer join found nothing."""
    found: list[SimpleNamespace | None] = []
    for part in parts:
        columns = _columns(part)
        table = columns[0].table
        values = {c.name: getattr(row, f"{table.name}__{c.name}") for c in columns}
        present = any(values[c.name] is not None for c in table.primary_key.columns)
        found.append(SimpleNamespace(**values) if present else None)
    return found


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def upgrade(alembic_ini: Path, url: str) -> None:
    """Run a service's migrations to head (a prestart step, never at import)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(alembic_ini))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")


def run_migrations(metadata: MetaData, default_url: Callable[[], str]) -> None:
    """A service's alembic env.py in one call: the URL from `upgrade` (or the service's settings),
    batch mode so SQLite can alter tables, online or offline."""
    from alembic import context

    url = context.config.attributes.get("database_url") or default_url()
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
