"""Multi-row inserts: the yearly import writes thousands of rows a second through these."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

COPY_FROM_ROWS = 50


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one round trip: COPY on PostgreSQL for batches, INSERT otherwise.

    psycopg's executemany still sends one statement per row; COPY is what keeps the yearly
    import at thousands of rows a second. A refused COPY is raised as SQLAlchemy's
    IntegrityError, like any other insert, so callers handle one kind of error.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        session.execute(insert(table), rows)
        return
    import psycopg

    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc
