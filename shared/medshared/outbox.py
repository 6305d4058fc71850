"""Transactional outbox and inbox.

A service writes its state change and the events it causes in one transaction
(`stage`). The relay publishes committed rows in order with acks=all, keyed by the
person, and marks them published only once the broker has them: a broker outage delays
events, it never loses them. Consumers record each event id in their inbox in the same
transaction as the effect, so a redelivered event has its effect once.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from medshared import broker, observability
from medshared.events import Event, UnreadableEvent, utcnow

log = logging.getLogger(__name__)

_BIGINT = BigInteger().with_variant(Integer(), "sqlite")

# A topic only the relay creates, beside each topic it publishes: while it exists the broker
# still holds what the relay gave it.
MARKER_SUFFIX = ".relay-marker"


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox_message",
        metadata,
        Column("id", _BIGINT, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("topic", String(100), nullable=False),
        Column("key", String(64), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
        # JSON: the traceparent and request id of whatever staged the event, sent as Kafka headers.
        Column("headers", Text, nullable=True),
    )


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "inbox_message",
        metadata,
        Column("event_id", String(36), primary_key=True),
        Column("topic", String(100), nullable=False),
        Column("event_type", String(100), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
    )


def stage(session: Session, outbox: Table, topic: str, event: Event) -> None:
    """Add an event to the caller's transaction; it is published only if that commits."""
    session.execute(insert(outbox), outbox_rows(session, topic, [event]))


def outbox_rows(
    session: Session, topic: str, events: Iterable[Event], body: Callable[[Event], str] = Event.to_json
) -> list[dict[str, Any]]:
    """The outbox rows for `events`, for a caller that inserts many at once (a bulk import).

    Marks the session so the unit of work wakes the relay when it commits.
    """
    session.info["staged_events"] = True
    now, headers = utcnow(), observability.outbox_headers()
    return [
        {"event_id": e.event_id, "topic": topic, "key": e.key, "event_type": e.event_type, "body": body(e), "created_at": now, "headers": headers}
        for e in events
    ]


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
        query = (
            select(self._outbox.c.id, self._outbox.c.topic, self._outbox.c.key, self._outbox.c.body, self._outbox.c.headers)
            .where(self._outbox.c.published_at.is_(None))
            .order_by(self._outbox.c.id)
            .limit(self._batch_size)
        )
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

    def _send(self, rows: list[Any]) -> None:
        futures = [
            self._producer.send(r.topic, key=r.key.encode(), value=r.body.encode(), headers=observability.kafka_headers(r.headers))
            for r in rows
        ]
        if futures:
            self._producer.flush(timeout=10)
        for future in futures:
            future.get(timeout=10)  # raises if the broker did not take it: nothing is marked

    def _mark(self, session: Session, rows: list[Any]) -> None:
        if rows:
            session.execute(
                update(self._outbox).where(self._outbox.c.id.in_([r.id for r in rows])).values(published_at=utcnow())
            )

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
            try:
                self._producer.close(timeout=1)
            except Exception:  # noqa: BLE001 - closing a broken producer may fail too
                pass
            self._producer = None
        if self._admin is not None:
            try:
                self._admin.close()
            except Exception:  # noqa: BLE001
                pass
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


Handler = Callable[[Session, Event], None]


def record_once(session: Session, inbox: Table, topic: str, event: Event) -> bool:
    """Insert the event id into the inbox; False when it was already there (a redelivery)."""
    return bool(record_new(session, inbox, [(topic, event)]))


def record_new(session: Session, inbox: Table, events: list[tuple[str, Event]]) -> set[str]:
    """Insert the ids not yet in the inbox (repeats within the list count once); returns them."""
    ids = {event.event_id for _, event in events}
    seen = set(session.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(ids))).scalars())
    rows: dict[str, dict[str, Any]] = {}
    now = utcnow()
    for topic, event in events:
        if event.event_id not in seen and event.event_id not in rows:
            rows[event.event_id] = {"event_id": event.event_id, "topic": topic, "event_type": event.event_type, "received_at": now}
    if rows:
        session.execute(insert(inbox), list(rows.values()))
    return set(rows)


def _read(topic: str, raw: bytes) -> Event | None:
    try:
        return Event.from_json(raw)
    except UnreadableEvent as exc:
        log.error("skipping unreadable message on %s: %s", topic, exc)
        return None


class InboxConsumer:
    """Reads topics, applies each event once, and commits the offset after the database commit.

    Partitions are assigned manually (every partition of every topic to this process) and
    offsets are committed under `group_id`; the inbox makes a replay from any offset harmless,
    which is also what rescues a consumer whose embedded broker restarted empty.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        inbox: Table,
        bootstrap: str,
        topics: Iterable[str],
        group_id: str,
        handle: Handler,
        *,
        poll_ms: int = 100,
    ) -> None:
        self._factory = factory
        self._inbox = inbox
        self._bootstrap = bootstrap
        self._topics = list(topics)
        self._group_id = group_id
        self._handle = handle
        self._poll_ms = poll_ms
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Any = None
        self._admin: Any = None
        self._topic_ids: dict[str, str | None] = {}
        self._rewind_on_connect: set[str] = set()
        self._last_reset_check = 0.0
        self.applied = 0
        self.applied_by_topic: dict[str, int] = {}
        # Per topic: the broker's high watermark minus our position, refreshed as we poll.
        self.lag: dict[str, int] = {}
        self._last_lag_check = 0.0

    def _connect(self) -> None:
        broker.ensure_topics(self._bootstrap, self._topics)
        consumer = broker.consumer(self._bootstrap, self._group_id)
        known = {topic: sorted(consumer.partitions_for_topic(topic) or ()) for topic in self._topics}
        if not all(known.values()):
            # A topic just created (a broker that restarted) may not be in the metadata yet:
            # assigning now would leave it unread for good, so try again shortly.
            consumer.close(autocommit=False)
            raise RuntimeError(f"the broker lists no partitions yet for {', '.join(t for t, ps in known.items() if not ps)}")
        consumer.assign([TopicPartition(topic, p) for topic, ps in known.items() for p in ps])
        if self._rewind_on_connect:
            consumer.seek_to_beginning(*[tp for tp in consumer.assignment() if tp.topic in self._rewind_on_connect])
            self._rewind_on_connect = set()
        self._admin = broker.admin(self._bootstrap)
        self._topic_ids = broker.topic_ids(self._admin, self._topics)
        self._consumer = consumer

    def apply(self, topic: str, raw: bytes, headers: list[tuple[str, bytes]] | None = None) -> bool:
        """Apply one message in its own transaction, continuing the trace that staged it; True when it had an effect."""
        event = _read(topic, raw)
        if event is None:
            return False
        with self._factory() as session, session.begin():
            try:
                if not record_once(session, self._inbox, topic, event):
                    return False
            except IntegrityError:  # another instance recorded it first
                return False
            self._handle_traced(session, topic, event, headers)
        self._count(topic)
        return True

    def apply_batch(self, records: list[tuple[str, bytes, list[tuple[str, bytes]] | None]]) -> int:
        """Apply what one poll returned in a single transaction; how many had an effect.

        One commit per poll instead of one per event keeps a busy consumer off the database's
        back. If anything in the batch fails, nothing of it stays and each message is applied
        on its own, so the one at fault is retried alone and the others are not held up.
        """
        events = [(topic, event, headers) for topic, raw, headers in records if (event := _read(topic, raw)) is not None]
        if not events:
            return 0
        try:
            with self._factory() as session, session.begin():
                fresh = record_new(session, self._inbox, [(topic, event) for topic, event, _ in events])
                applied = []
                for t, e, h in events:
                    if e.event_id in fresh:
                        fresh.discard(e.event_id)  # a message delivered twice in one batch counts once
                        applied.append((t, e, h))
                for topic, event, headers in applied:
                    self._handle_traced(session, topic, event, headers)
        except Exception as exc:  # noqa: BLE001 - fall back to one transaction per message
            log.info("consumer %s: a batch of %d failed (%s); applying one by one", self._group_id, len(events), exc.__class__.__name__)
            return sum(self.apply(topic, raw, headers) for topic, raw, headers in records)
        for topic, _, _ in applied:
            self._count(topic)
        return len(applied)

    def _handle_traced(self, session: Session, topic: str, event: Event, headers: list[tuple[str, bytes]] | None) -> None:
        traceparent = observability.header_value(headers, observability.TRACEPARENT_HEADER)
        request_id = observability.header_value(headers, observability.REQUEST_ID_HEADER)
        with observability.continue_trace(traceparent, request_id):
            self._handle(session, event)
            # One line per applied event: with the trace id it carries, it shows where a settlement went.
            log.info("applied %s from %s", event.event_type, topic, extra={"fields": {"event_id": event.event_id}})

    def _count(self, topic: str) -> None:
        self.applied += 1
        self.applied_by_topic[topic] = self.applied_by_topic.get(topic, 0) + 1

    def poll_once(self) -> int:
        if self._consumer is None:
            self._connect()
        batches = self._consumer.poll(timeout_ms=self._poll_ms)
        if batches and self._rewind_recreated_topics({tp.topic for tp in batches}):
            return 0  # nothing of this batch was applied or committed; the next poll reconnects
        records = [(tp.topic, r.value, r.headers) for tp, rs in batches.items() for r in rs]
        if records:
            try:
                self.apply_batch(records)
            except Exception:
                # Leave the offsets where they are: the records are read again after a pause.
                for tp, rs in batches.items():
                    self._consumer.seek(tp, rs[0].offset)
                raise
            self._consumer.commit({tp: OffsetAndMetadata(rs[-1].offset + 1, "", -1) for tp, rs in batches.items()})
        if time.monotonic() - self._last_lag_check > 1.0:
            self._last_lag_check = time.monotonic()
            self._measure_lag()
        if not batches and time.monotonic() - self._last_reset_check > 2.0:
            self._last_reset_check = time.monotonic()
            self._rewind_recreated_topics()
        return len(records)

    def _measure_lag(self) -> None:
        # highwater() is what the last fetch reported: no extra round trip to the broker.
        lag: dict[str, int] = {}
        for tp in self._consumer.assignment():
            end, position = self._consumer.highwater(tp), self._consumer.position(tp)
            if end is not None and position is not None:  # no position while a seek is pending
                lag[tp.topic] = lag.get(tp.topic, 0) + max(end - position, 0)
        self.lag = lag

    def _rewind_recreated_topics(self, topics: set[str] | None = None) -> set[str]:
        """Start over on every topic whose id changed (created again); returns them.

        A broker that restarted empty takes reads at the positions held from before, which
        would skip the start of its new log, and the client keeps fetching by the old topic
        id. So the consumer is closed, and the next poll connects afresh and reads those
        topics from their beginning (the inbox skips what was applied already). The topic id,
        not the log end offset, is the sign: the embedded broker's ListOffsets answers the base
        offset of the last batch, which would rewind a healthy consumer.
        """
        current = broker.topic_ids(self._admin, topics if topics is not None else set(self._topics))
        recreated = {t for t, i in current.items() if i is not None and i != self._topic_ids.get(t)}
        if recreated:
            log.warning("consumer %s: %s created again on the broker; reading from the start", self._group_id, ", ".join(sorted(recreated)))
            self._rewind_on_connect |= recreated
            self._close()
        return recreated

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # broker or database away: back off, then carry on
                log.warning("consumer %s: %s: %s", self._group_id, exc.__class__.__name__, exc)
                self._close()
                self._stop.wait(1.0)

    def _close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close(autocommit=False)
            except Exception:  # noqa: BLE001
                pass
            self._consumer = None
        if self._admin is not None:
            try:
                self._admin.close()
            except Exception:  # noqa: BLE001
                pass
            self._admin = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"consumer-{self._group_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self._close()
