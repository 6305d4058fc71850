"""Transactional outbox and inbox.

A service writes its state change and the events it causes in one transaction
(`stage`). The relay publishes committed rows in order with acks=all, keyed by the
person, and marks them published only once the broker has them: a broker outage delays
events, it never loses them. Consumers record each event id in their inbox in the same
transaction as the effect, so a redelivered event has its effect once.

An event the handler cannot apply (a bug, a payload it cannot store) is tried `max_tries`
times, then set aside in the service's `dead_letter` table, in a transaction of its own,
and the consumer commits past it: one bad event never stops the events behind it. An
operator lists and replays dead letters (medshared.deadletters). Failures that are not the
event's fault (the database away, a lock timeout) are never counted as tries: the consumer
backs off and reads the same events again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from medshared import broker, tracing
from medshared.events import Event, utcnow
from medshared.hotsql import HotWrite, any_of
from medshared.logs import mask_text

log = logging.getLogger(__name__)

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

# A topic only the relay creates, beside each topic it publishes: while it exists the broker
# still holds what the relay gave it.
MARKER_SUFFIX = ".relay-marker"


def outbox_table(metadata: MetaData) -> Table:
    table = Table(
        "outbox_message",
        metadata,
        Column("id", _BIGINT, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(100), nullable=False),
        Column("key", String(64), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        # JSON: the traceparent and request id of whatever staged the event, sent as Kafka headers.
        Column("headers", Text, nullable=True),
    )
    for name, columns, where in OUTBOX_INDEXES:
        Index(name, *(table.c[c] for c in columns), **_partial(where))
    return table


# The relay reads the oldest unpublished rows: an index of only those, in id order, stays as small
# as the backlog and needs no sort. (An index of published_at over every row kept each row's NULL
# entry until vacuum and made the relay sort the whole backlog for each batch: 15-22 ms a batch of
# 500 while an import of 20,000 people was published.) Republishing reads recent published rows.
OUTBOX_INDEXES = (
    ("ix_outbox_message_unpublished", ("id",), "published_at IS NULL"),
    ("ix_outbox_message_published_at", ("published_at",), "published_at IS NOT NULL"),
)


def upgrade_outbox_indexes(op: Any) -> None:
    """For a service's migration: the full published_at index becomes OUTBOX_INDEXES.

    On PostgreSQL each index is built and dropped CONCURRENTLY, outside a transaction: an outbox of
    millions of rows keeps taking the events of every settlement while its indexes change.
    """
    with op.get_context().autocommit_block():
        unpublished, published = OUTBOX_INDEXES
        _create_index(op, *unpublished)
        op.drop_index("ix_outbox_message_published_at", table_name="outbox_message", postgresql_concurrently=True)
        _create_index(op, *published)


def downgrade_outbox_indexes(op: Any) -> None:
    with op.get_context().autocommit_block():
        for name, _, _ in OUTBOX_INDEXES:
            op.drop_index(name, table_name="outbox_message", postgresql_concurrently=True)
        op.create_index(
            "ix_outbox_message_published_at", "outbox_message", ["published_at"], postgresql_concurrently=True
        )


def _create_index(op: Any, name: str, columns: tuple[str, ...], where: str) -> None:
    op.create_index(name, "outbox_message", list(columns), postgresql_concurrently=True, **_partial(where))


def _partial(where: str) -> dict[str, Any]:
    """A partial index's predicate, for both backends."""
    return {"postgresql_where": text(where), "sqlite_where": text(where)}


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox_message",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("topic", String(100), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )


DEAD_LETTER_PENDING = "pending"
DEAD_LETTER_REPLAYED = "replayed"
# What a dead letter keeps of an error: enough to act on, never a whole SQL statement.
_ERROR_CHARS = 2000


def dead_letter_table(metadata: MetaData) -> Table:
    """Events a consumer set aside after `max_tries` failed tries; one row per event id.

    Idempotent per metadata: the consumer and the operator API of a service share one table.
    """
    if "dead_letter" in metadata.tables:
        return metadata.tables["dead_letter"]
    return Table(
        "dead_letter",
        metadata,
        Column("dead_letter_id", _BIGINT, primary_key=True, autoincrement=True),
        Column("topic", String(100), nullable=False),
        Column("kafka_partition", Integer, nullable=False),
        Column("kafka_offset", _BIGINT, nullable=False),
        # None for a message that is not an event envelope at all.
        Column("event_id", String(36), nullable=True, unique=True),
        Column("event_type", String(100), nullable=False),
        Column("key", String(200), nullable=True),
        Column("payload", Text, nullable=False),  # the message as it was on the topic
        Column("headers", Text, nullable=True),  # JSON: its trace headers
        Column("error_class", String(200), nullable=False),
        Column("error", Text, nullable=False),
        Column("tries", Integer, nullable=False),
        Column("first_failed_at", DateTime(timezone=True), nullable=False),
        Column("last_failed_at", DateTime(timezone=True), nullable=False),
        Column("status", String(12), nullable=False, index=True),  # pending | replayed
        Column("replayed_at", DateTime(timezone=True), nullable=True),
        Column("replayed_by", String(64), nullable=True),
    )


def is_transient(exc: BaseException) -> bool:
    """True for failures that are not the event's fault: the database away, a lock timeout, a deadlock."""
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _cause(exc: BaseException) -> BaseException:
    orig = exc.orig if isinstance(exc, StatementError) else None
    return orig if isinstance(orig, BaseException) else exc


def error_class(exc: BaseException) -> str:
    """The class of what went wrong: the driver's error rather than SQLAlchemy's wrapper around it."""
    return type(_cause(exc)).__name__[:200]


def error_text(exc: BaseException) -> str:
    """The error as an operator reads it: the first line of the driver's message, without the SQL
    and its parameters (which would carry ID numbers and names)."""
    text = str(_cause(exc)).strip()
    return mask_text(text.splitlines()[0] if text else type(exc).__name__)[:_ERROR_CHARS]


def stage(session: Session, outbox: Table, topic: str, event: Event) -> None:
    """Add an event to the caller's transaction; it is published only if that commits."""
    # One row as the parameters of a statement built once per table: a plain INSERT, not an executemany.
    (row,) = outbox_rows(session, topic, [event])
    _insert(outbox).run(session, row)


@functools.lru_cache(maxsize=64)
def _insert(table: Table) -> HotWrite:
    return HotWrite(insert(table))


def outbox_rows(
    session: Session, topic: str, events: Iterable[Event], body: Callable[[Event], str] = Event.to_json
) -> list[dict[str, Any]]:
    """The outbox rows for `events`, for a caller that inserts many at once (a bulk import).

    Marks the session so the unit of work wakes the relay when it commits.
    """
    session.info["staged_events"] = True
    now, headers = utcnow(), tracing.outbox_headers()
    return [
        {
            "event_id": e.event_id,
            "topic": topic,
            "key": e.key,
            "event_type": e.event_type,
            "body": body(e),
            "created_at": now,
            "headers": headers,
        }
        for e in events
    ]


def pending_query(outbox: Table, limit: int) -> Any:
    """The oldest unpublished rows, read through ix_outbox_message_unpublished."""
    o = outbox.c
    return select(o.id, o.topic, o.key, o.body, o.headers).where(o.published_at.is_(None)).order_by(o.id).limit(limit)


@functools.lru_cache(maxsize=8)
def _mark_statement(outbox: Table) -> HotWrite:
    # The ids as one list parameter: the same statement for any batch, prepared once, where an IN
    # list is a new statement of 500 placeholders to build, send and plan each time.
    return HotWrite(update(outbox).where(any_of(outbox.c.id, "ids")).values(published_at=bindparam("now")))


class OutboxRelay:
    """Publishes committed outbox rows; safe to run in several processes at once on PostgreSQL."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        outbox: Table,
        bootstrap: str,
        topics: Iterable[str],
        *,
        batch_size: int = 500,
        idle_seconds: float = 0.2,
        republish_seconds: float = 3600.0,
        check_seconds: float = 0.5,
    ) -> None:
        self._factory = factory
        self._outbox = outbox
        self._bootstrap = bootstrap
        self._topics = list(topics)
        self._batch_size = batch_size
        self._pending = pending_query(outbox, batch_size)  # built once: the relay runs it after every commit
        self._idle = idle_seconds
        self._producer: Any = None
        self._admin: Any = None
        self._republish = dt.timedelta(seconds=republish_seconds)
        self._check_seconds = check_seconds
        self._last_check = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        self._wake.set()

    def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were published."""
        if self._producer is None:
            broker.ensure_topics(self._bootstrap, self._topics)
            self._producer = broker.producer(self._bootstrap)
            self._admin = broker.admin(self._bootstrap)
            self._last_check = 0.0
        if time.monotonic() - self._last_check >= self._check_seconds:
            self.republish_if_broker_lost_events()
            self._last_check = time.monotonic()
        query = self._pending
        with self._factory() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Row locks let several relays share the outbox without blocking writers.
                with session.begin():
                    rows = session.execute(query.with_for_update(skip_locked=True)).all()
                    self._send(rows)
                    self._mark(session, rows)
                return len(rows)
            # SQLite has one write lock for the whole file: never hold it while the broker is slow.
            # A crash between send and mark publishes a row twice, which consumers' inboxes absorb.
            with session.begin():
                rows = session.execute(query).all()
            self._send(rows)
            with session.begin():
                self._mark(session, rows)
            return len(rows)

    def republish_if_broker_lost_events(self) -> int:
        """Send the recent window of published rows again when the broker lost them.

        An embedded broker restarts empty: events it took but nobody had read yet are gone
        although their rows say published. A missing marker topic is the sign; the repeats are
        harmless because consumers' inboxes skip event ids they have applied.
        """
        present = set(self._admin.list_topics())
        lost = [t for t in self._topics if t + MARKER_SUFFIX not in present]
        if not lost:
            return 0
        broker.ensure_topics(self._bootstrap, lost)
        since = utcnow() - self._republish
        o = self._outbox.c
        sent, after = 0, 0
        while True:
            with self._factory() as session, session.begin():
                rows = session.execute(
                    select(o.id, o.topic, o.key, o.body, o.headers)
                    .where(o.published_at >= since, o.topic.in_(lost), o.id > after)
                    .order_by(o.id)
                    .limit(self._batch_size)
                ).all()
            if not rows:
                break
            self._send(rows)
            sent, after = sent + len(rows), rows[-1].id
        # Only once everything is out again: a relay that dies half way repeats it on its next start.
        broker.ensure_topics(self._bootstrap, [t + MARKER_SUFFIX for t in lost], partitions=1)
        if sent:
            log.warning("outbox relay: the broker had lost %s; republished %d recent events", ", ".join(lost), sent)
        return sent

    def _send(self, rows: Sequence[Any]) -> None:
        futures = [
            self._producer.send(
                r.topic, key=r.key.encode(), value=r.body.encode(), headers=tracing.kafka_headers(r.headers)
            )
            for r in rows
        ]
        if futures:
            self._producer.flush(timeout=10)
        for future in futures:
            future.get(timeout=10)  # raises if the broker did not take it: nothing is marked

    def _mark(self, session: Session, rows: Sequence[Any]) -> None:
        if rows:
            _mark_statement(self._outbox).run(session, {"ids": [r.id for r in rows], "now": utcnow()})

    def _run(self) -> None:
        backoff = self._idle
        while not self._stop.is_set():
            try:
                published = self.publish_pending()
                backoff = self._idle
                if published >= self._batch_size:
                    continue  # more are waiting; a smaller batch emptied the outbox
            except Exception as exc:  # broker down, database busy: retry, never drop
                log.warning("outbox relay: %s; retrying", exc.__class__.__name__)
                self._close_producer()
                backoff = min(max(backoff * 2, 0.2), 2.0)
            self._wake.wait(backoff)
            self._wake.clear()

    def _close_producer(self) -> None:
        if self._producer is not None:
            with contextlib.suppress(Exception):
                self._producer.close(timeout=1)
            self._producer = None
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
            self._admin = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=10)
        self._close_producer()
