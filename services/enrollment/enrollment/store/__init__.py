"""The repository the use cases work through (enrollment.usecases.ports.Store), over SQL.

`SqlStore` is the real one over a SQLAlchemy session (the tables of enrollment.db), put
together from one part per family: people and employers, enrollments and identities,
policy and money. `SqlUnitOfWork` opens the runtime's transactions with a SqlStore in
them. tests/unit/fakes.py holds an in-memory store with the same methods.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enrollment.db import outbox
from enrollment.domain.ids import new_id
from enrollment.messaging import contracts
from enrollment.store.bulk import COPY_FROM_ROWS, bulk_insert
from enrollment.store.enrollments import EnrollmentsSql
from enrollment.store.money import MoneySql
from enrollment.store.people import PeopleSql
from enrollment.usecases.ports import KeyTaken
from medshared.events import Event, batched
from medshared.outbox import outbox_rows, stage
from medshared.runtime import Runtime

__all__ = ["COPY_FROM_ROWS", "SqlStore", "SqlUnitOfWork", "bulk_insert", "new_id"]


class SqlStore(PeopleSql, EnrollmentsSql, MoneySql):
    """The store over one SQLAlchemy session (a unit of work, or a read-only session)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def stage(self, event: Event) -> None:
        stage(self.session, outbox, contracts.TOPIC, event)

    def stage_all(self, events: list[Event]) -> None:
        """Many events of one transaction (an import's batch of rows): as batch messages
        (medshared.events.batched), their outbox rows in one multi-row insert."""
        messages = batched(events, contracts.PRODUCER, new_id=new_id)
        rows = outbox_rows(self.session, contracts.TOPIC, messages, body=contracts.body)
        bulk_insert(self.session, outbox, rows)


class SqlUnitOfWork:
    """The runtime's unit of work with a SqlStore in it: commit on success, roll back on error."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @contextmanager
    def transaction(self) -> Iterator[SqlStore]:
        try:
            with self.runtime.unit_of_work() as session:
                yield SqlStore(session)
        except IntegrityError as exc:
            raise KeyTaken(str(exc.orig or exc)) from exc
