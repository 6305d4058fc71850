"""The inbox side: consumers that apply each event once, and the dead letters they set aside.

A consumer records each event id in its inbox in the same transaction as the effect, so a
redelivered event has its effect once, and commits the Kafka offset only after the database
commit. An event the handler cannot apply is tried `max_tries` times, then set aside in the
service's `dead_letter` table in a transaction of its own, and the consumer commits past it;
failures that are not the event's fault (the database away, a lock timeout) are never counted.
Tables and the outbox relay live in medshared.outbox.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kafka import TopicPartition
from kafka.structs import OffsetAndMetadata
from sqlalchemy import (
    Table,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from medshared import broker, tracing
from medshared.events import Event, UnreadableEvent, unbatched, utcnow
from medshared.outbox import (
    DEAD_LETTER_PENDING,
    DEAD_LETTER_REPLAYED,
    dead_letter_table,
    error_class,
    error_text,
    is_transient,
)

log = logging.getLogger(__name__)

Handler = Callable[[Session, Event], None]
# Applies a whole poll's new events in one go (one statement per read-model table, say); it must
# have exactly the effect of `Handler` applied to each event in turn.
BatchHandler = Callable[[Session, list[tuple[str, Event]]], None]


def record_once(session: Session, inbox: Table, topic: str, event: Event) -> bool:
    """Insert the event id into the inbox; False when it was already there (a redelivery)."""
    return bool(record_new(session, inbox, [(topic, event)]))


def record_new(session: Session, inbox: Table, events: list[tuple[str, Event]]) -> set[str]:
    """Insert the ids not yet in the inbox (repeats within the list count once); returns them."""
    rows: dict[str, dict[str, Any]] = {}
    for topic, event in events:
        if event.event_id not in rows:
            rows[event.event_id] = {"event_id": event.event_id, "topic": topic, "event_type": event.event_type}
    if not rows:
        return set()
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # One statement whatever the poll's size: the ids travel as one JSON parameter, and an id
        # another consumer recorded first (or an earlier delivery) is skipped, not an error.
        found = session.execute(_record_from_json(inbox.name), {"rows": json.dumps(list(rows.values())), "now": now})
        return set(found.scalars())
    seen = set(session.execute(select(inbox.c.event_id).where(inbox.c.event_id.in_(rows))).scalars())
    fresh = [r | {"received_at": now} for r in rows.values() if r["event_id"] not in seen]
    if fresh:
        session.execute(insert(inbox), fresh)
    return {r["event_id"] for r in fresh}


@functools.lru_cache(maxsize=16)
def _record_from_json(table: str) -> Any:
    return text(
        f'INSERT INTO "{table}" (event_id, topic, event_type, received_at) '
        "SELECT e.event_id, e.topic, e.event_type, :now "
        "FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS e(event_id text, topic text, event_type text) "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )


def _trace_of(headers: list[tuple[str, bytes]] | None) -> tuple[str | None, str | None]:
    return (
        tracing.header_value(headers, tracing.TRACEPARENT_HEADER),
        tracing.header_value(headers, tracing.REQUEST_ID_HEADER),
    )


def _log_applied(applied: list[tuple[str, Event, list[tuple[str, bytes]] | None]]) -> None:
    """What a batch handler applied: one line per trace and topic in the poll, in that trace.

    A settlement's event has a trace of its own, so it keeps its line (which shows where the
    settlement went); the hundreds of thousands of events of one import share one trace and get
    one line per poll instead of one each."""
    groups: dict[tuple[str | None, str | None, str], list[Event]] = {}
    for topic, event, headers in applied:
        groups.setdefault((*_trace_of(headers), topic), []).append(event)
    for (traceparent, request_id, topic), events in groups.items():
        with tracing.continue_trace(traceparent, request_id):
            if len(events) == 1:
                log.info(
                    "applied %s from %s",
                    events[0].event_type,
                    topic,
                    extra={"fields": {"event_id": events[0].event_id}},
                )
                continue
            kinds = Counter(event.event_type for event in events)
            log.info(
                "applied %d events from %s: %s",
                len(events),
                topic,
                ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
            )


class Interrupted(Exception):
    """A failure that is not the event's fault (it is the __cause__), after `done` was applied."""

    def __init__(self, done: dict[tuple[str, int], int]) -> None:
        super().__init__("interrupted")
        self.done = done


@dataclass(frozen=True)
class Message:
    """One message as the consumer polled it: where it sits on the broker and what it carries."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] | None = None


@dataclass(frozen=True)
class _Read:
    """A message as read: its envelope (what the inbox records and a dead letter names) and the
    events it carries (what the handlers apply): a batch's, or the envelope itself."""

    message: Event
    events: list[Event]


def _parse(topic: str, raw: bytes) -> _Read | UnreadableEvent:
    try:
        event = Event.from_json(raw)
        return _Read(event, unbatched(event))
    except UnreadableEvent as exc:
        log.error("unreadable message on %s: %s", topic, exc)
        return exc


def _storable(text: str) -> str:
    # PostgreSQL text holds no NUL character; the rest of a message is kept as it came.
    return text.replace("\x00", "\ufffd")


def _apply_traced(
    handle: Handler, session: Session, topic: str, events: list[Event], headers: list[tuple[str, bytes]] | None
) -> None:
    with tracing.continue_trace(*_trace_of(headers)):
        for each in events:
            handle(session, each)
            # One line per applied event: with the trace id it carries, it shows where a settlement went.
            log.info("applied %s from %s", each.event_type, topic, extra={"fields": {"event_id": each.event_id}})


class InboxConsumer:
    """Reads topics, applies each event once, and commits the offset after the database commit.

    Partitions are assigned manually (every partition of every topic to this process) and
    offsets are committed under `group_id`; the inbox makes a replay from any offset harmless,
    which is also what rescues a consumer whose embedded broker restarted empty.

    An event the handler refuses `max_tries` times in a row (`retry_seconds` apart, growing) is
    set aside in `dead_letters` and the consumer goes on with the next one.
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
        max_tries: int = 3,
        retry_seconds: float = 0.2,
        dead_letters: Table | None = None,
        handle_many: BatchHandler | None = None,
        pace: broker.FetchPace | None = None,
    ) -> None:
        self._factory = factory
        self._handle_many = handle_many
        self._inbox = inbox
        self._bootstrap = bootstrap
        self._topics = list(topics)
        self._group_id = group_id
        self._handle = handle
        self._poll_ms = poll_ms
        self.pace = pace or broker.FetchPace()
        self._max_tries = max(1, max_tries)
        self._retry_seconds = retry_seconds
        self.dead_letters = dead_letters if dead_letters is not None else dead_letter_table(inbox.metadata)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._consumer: Any = None
        self._admin: Any = None
        self._topic_ids: dict[str, str | None] = {}
        self._rewind_on_connect: set[str] = set()
        self._last_reset_check = 0.0
        self.applied = 0
        self.applied_by_topic: dict[str, int] = {}
        # Per (topic, event_type): how many events this process set aside.
        self.dead_lettered: dict[tuple[str, str], int] = {}
        # Per topic: the log end offset minus the offset committed after our last database commit,
        # summed over the topic's partitions: events on the broker not yet applied here.
        self.lag: dict[str, int] = {}
        self._committed: dict[TopicPartition, int] = {}

    def _connect(self) -> None:
        broker.ensure_topics(self._bootstrap, self._topics)
        consumer = broker.consumer(self._bootstrap, self._group_id)
        known = {topic: sorted(consumer.partitions_for_topic(topic) or ()) for topic in self._topics}
        if not all(known.values()):
            # A topic just created (a broker that restarted) may not be in the metadata yet:
            # assigning now would leave it unread for good, so try again shortly.
            consumer.close(autocommit=False)
            raise RuntimeError(
                f"the broker lists no partitions yet for {', '.join(t for t, ps in known.items() if not ps)}"
            )
        assigned = [TopicPartition(topic, p) for topic, ps in known.items() for p in ps]
        consumer.assign(assigned)
        rewound = [tp for tp in assigned if tp.topic in self._rewind_on_connect]
        if rewound:
            consumer.seek_to_beginning(*rewound)
            self._rewind_on_connect = set()
        self._admin = broker.admin(self._bootstrap)
        self._topic_ids = broker.topic_ids(self._admin, self._topics)
        self._committed = self._committed_offsets(consumer, assigned, set(rewound))
        self._consumer = consumer
        self.pace.connected()

    def _committed_offsets(
        self, consumer: Any, assigned: list[TopicPartition], rewound: set[TopicPartition]
    ) -> dict[TopicPartition, int]:
        """Where this group resumes on each partition: its committed offset, else the log start."""
        committed: dict[TopicPartition, int] = {}
        for tp in assigned:
            offset = None if tp in rewound else consumer.committed(tp)
            if offset is not None:
                committed[tp] = offset
        missing = [tp for tp in assigned if tp not in committed]
        if missing:
            # ListOffsets for the earliest offset is right on the embedded broker too (only its
            # answer for the latest offset is not the log end, see _measure_lag).
            committed.update(consumer.beginning_offsets(missing))
        return committed

    def apply(self, topic: str, raw: bytes, headers: list[tuple[str, bytes]] | None = None) -> bool:
        """Apply one message in its own transaction, continuing the trace that staged it; True when it had an effect.

        Raises what the handler raised (nothing of it stays); an unreadable message has no effect.
        """
        read = _parse(topic, raw)
        if isinstance(read, UnreadableEvent):
            return False
        return self._apply_event(topic, read, headers)

    def _apply_event(self, topic: str, read: _Read, headers: list[tuple[str, bytes]] | None) -> bool:
        with self._factory() as session, session.begin():
            try:
                if not record_once(session, self._inbox, topic, read.message):
                    return False
            except IntegrityError:  # another instance recorded it first
                return False
            _apply_traced(self._handle, session, topic, read.events, headers)
        self._count(topic, len(read.events))
        return True

    def apply_batch(self, messages: list[Message]) -> dict[tuple[str, int], int]:
        """Apply what one poll returned; per (topic, partition), the offset to commit.

        One commit per poll instead of one per event keeps a busy consumer off the database's
        back. If anything in the batch fails, nothing of it stays and each message is applied
        on its own, so the one at fault is retried alone (and set aside after `max_tries`) and
        the others are not held up. A failure that is not the event's fault is raised, after
        the offsets of what was applied before it are committed by the caller (see poll_once).
        """
        done = {(m.topic, m.partition): m.offset + 1 for m in messages}
        parsed = [(m, _parse(m.topic, m.value)) for m in messages]
        if any(isinstance(e, UnreadableEvent) for _, e in parsed):
            return self._apply_each(messages, parsed)
        reads = [(m.topic, r, m.headers) for m, r in parsed if isinstance(r, _Read)]
        try:
            with self._factory() as session, session.begin():
                fresh = record_new(session, self._inbox, [(topic, r.message) for topic, r, _ in reads])
                applied: list[tuple[str, Event, list[tuple[str, bytes]] | None]] = []
                for t, r, h in reads:
                    if r.message.event_id in fresh:
                        fresh.discard(r.message.event_id)  # a message delivered twice in one batch counts once
                        applied.extend((t, each, h) for each in r.events)
                if self._handle_many is not None:
                    # A poll from one trace (a settlement's event alone, one import) continues it,
                    # so what the handler stages carries it on; a mixed poll starts none.
                    traces = {_trace_of(h) for _, _, h in applied}
                    with tracing.continue_trace(*(traces.pop() if len(traces) == 1 else (None, None))):
                        self._handle_many(session, [(t, e) for t, e, _ in applied])
                else:
                    for topic, event, headers in applied:
                        _apply_traced(self._handle, session, topic, [event], headers)
        except Exception as exc:
            if is_transient(exc):
                raise Interrupted({}) from exc
            log.info(
                "consumer %s: a batch of %d failed (%s); applying one by one",
                self._group_id,
                len(reads),
                exc.__class__.__name__,
            )
            return self._apply_each(messages, parsed)
        for topic, _, _ in applied:
            self._count(topic)
        if self._handle_many is not None:
            _log_applied(applied)
        return done

    def _apply_each(
        self, messages: list[Message], parsed: list[tuple[Message, _Read | UnreadableEvent]]
    ) -> dict[tuple[str, int], int]:
        done: dict[tuple[str, int], int] = {}
        for message, read in parsed:
            try:
                self._apply_or_set_aside(message, read)
            except Exception as exc:
                raise Interrupted(done) from exc
            done[(message.topic, message.partition)] = message.offset + 1
        return done

    def _apply_or_set_aside(self, message: Message, read: _Read | UnreadableEvent) -> None:
        if isinstance(read, UnreadableEvent):
            self._set_aside(message, None, read, tries=1, first_failed_at=utcnow())
            return
        event, first_failed_at = read.message, utcnow()
        for attempt in range(1, self._max_tries + 1):
            try:
                self._apply_event(message.topic, read, message.headers)
                return
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.warning(
                    "consumer %s: %s at %s[%d]@%d failed, try %d of %d: %s: %s",
                    self._group_id,
                    event.event_type,
                    message.topic,
                    message.partition,
                    message.offset,
                    attempt,
                    self._max_tries,
                    error_class(exc),
                    error_text(exc),
                    extra={"fields": {"event_id": event.event_id}},
                )
                if attempt == self._max_tries:
                    self._set_aside(message, event, exc, tries=attempt, first_failed_at=first_failed_at)
                    return
                if self._stop.wait(self._retry_seconds * attempt):
                    raise  # stopping: the tries left are made after the restart, not rushed now

    def _set_aside(
        self, message: Message, event: Event | None, exc: BaseException, *, tries: int, first_failed_at: dt.datetime
    ) -> None:
        """Record the message in the dead-letter table, in a transaction of its own."""
        dl = self.dead_letters
        now = utcnow()
        event_type = event.event_type[:100] if event is not None else "unreadable"
        failure = {"error_class": error_class(exc), "error": _storable(error_text(exc)), "last_failed_at": now}
        headers = {k: v.decode(errors="replace") for k, v in message.headers or [] if v is not None}
        with self._factory() as session, session.begin():
            existing = None
            if event is not None:
                existing = session.execute(
                    select(dl.c.dead_letter_id, dl.c.tries).where(dl.c.event_id == event.event_id)
                ).first()
            if existing is not None:
                # Delivered again (a rewind, a broker restart) and still failing: one row, the tries add up.
                session.execute(
                    update(dl)
                    .where(dl.c.dead_letter_id == existing.dead_letter_id)
                    .values(
                        **failure,
                        tries=existing.tries + tries,
                        status=DEAD_LETTER_PENDING,
                        replayed_at=None,
                        replayed_by=None,
                    )
                )
            else:
                session.execute(
                    insert(dl).values(
                        topic=message.topic,
                        kafka_partition=message.partition,
                        kafka_offset=message.offset,
                        event_id=event.event_id if event is not None else None,
                        event_type=event_type,
                        key=_storable(message.key.decode(errors="replace"))[:200] if message.key else None,
                        payload=_storable(message.value.decode(errors="replace")),
                        headers=_storable(json.dumps(headers)) if headers else None,
                        tries=tries,
                        first_failed_at=first_failed_at,
                        status=DEAD_LETTER_PENDING,
                        **failure,
                    )
                )
        log.error(
            "consumer %s: set aside %s at %s[%d]@%d after %d tries: %s: %s",
            self._group_id,
            event_type,
            message.topic,
            message.partition,
            message.offset,
            tries,
            failure["error_class"],
            failure["error"],
            extra={"fields": {"event_id": event.event_id if event is not None else None}},
        )
        key = (message.topic, event_type)
        self.dead_lettered[key] = self.dead_lettered.get(key, 0) + 1

    def _count(self, topic: str, events: int = 1) -> None:
        self.applied += events
        self.applied_by_topic[topic] = self.applied_by_topic.get(topic, 0) + events

    def poll_once(self) -> int:
        if self._consumer is None:
            self._connect()
        batches = self._consumer.poll(timeout_ms=max(self._poll_ms, self.pace.wait_ms))
        if batches and self._rewind_recreated_topics({tp.topic for tp in batches}):
            return 0  # nothing of this batch was applied or committed; the next poll reconnects
        messages = [
            Message(tp.topic, tp.partition, r.offset, r.key, r.value, r.headers)
            for tp, rs in batches.items()
            for r in rs
        ]
        self._measure_lag()
        self.pace.polled(self._consumer, bool(batches))
        if messages:
            try:
                done = self.apply_batch(messages)
            except Interrupted as interrupted:
                # Commit what was applied; the rest is read again after a pause.
                self._commit(interrupted.done)
                for tp, rs in batches.items():
                    self._consumer.seek(tp, interrupted.done.get((tp.topic, tp.partition), rs[0].offset))
                self._measure_lag()
                raise interrupted.__cause__ from None  # type: ignore[misc]
            self._commit(done)
            self._measure_lag()
        if not batches and time.monotonic() - self._last_reset_check > 2.0:
            self._last_reset_check = time.monotonic()
            self._rewind_recreated_topics()
        return len(messages)

    def _commit(self, offsets: dict[tuple[str, int], int]) -> None:
        if not offsets:
            return
        committed = {TopicPartition(topic, partition): offset for (topic, partition), offset in offsets.items()}
        self._consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in committed.items()})
        self._committed.update(committed)

    def _measure_lag(self) -> None:
        """Per topic: log end offset minus the committed offset, summed over its partitions.

        The log end is the high watermark the last fetch of each partition reported (no extra
        round trip). Not ListOffsets: the embedded broker answers it with the base offset of the
        last batch, short of the log end by the size of that batch. Not the fetch position
        either: that runs ahead of what was applied. A partition not fetched yet is left out.
        """
        lag: dict[str, int] = {}
        for tp in self._consumer.assignment():
            end, done = self._consumer.highwater(tp), self._committed.get(tp)
            if end is not None and done is not None:
                lag[tp.topic] = lag.get(tp.topic, 0) + max(end - done, 0)
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
            log.warning(
                "consumer %s: %s created again on the broker; reading from the start",
                self._group_id,
                ", ".join(sorted(recreated)),
            )
            self._rewind_on_connect |= recreated
            self._close()
        return recreated

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as exc:  # broker or database away: back off, then carry on
                log.warning("consumer %s: %s: %s", self._group_id, exc.__class__.__name__, error_text(exc))
                self._close()
                self._stop.wait(1.0)

    def _close(self) -> None:
        if self._consumer is not None:
            with contextlib.suppress(Exception):
                self._consumer.close(autocommit=False)
            self._consumer = None
        if self._admin is not None:
            with contextlib.suppress(Exception):
                self._admin.close()
            self._admin = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"consumer-{self._group_id}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self._close()


class ReplayFailed(Exception):
    """The handler refused the event again; the dead letter stays, with this error."""

    def __init__(self, row: Any, cause: BaseException) -> None:
        super().__init__(f"{error_class(cause)}: {error_text(cause)}")
        self.row = row


def replay_dead_letter(
    factory: sessionmaker[Session],
    inbox: Table,
    dead_letters: Table,
    handle: Handler,
    dead_letter_id: int,
    *,
    replayed_by: str,
) -> Any | None:
    """Apply a set-aside event through the consumer's handler, in one transaction with its inbox row.

    Success marks the dead letter replayed (an event the inbox already holds, delivered again
    and applied since, is marked replayed without a second effect). A refusal keeps it pending
    with the new error and one more try, and raises ReplayFailed. None: no such dead letter.
    A failure that is not the event's fault (the database away) is raised as it is.
    """
    dl = dead_letters
    by_id = dl.c.dead_letter_id == dead_letter_id
    try:
        with factory() as session, session.begin():
            row = session.execute(select(dl).where(by_id).with_for_update()).first()
            if row is None:
                return None
            if row.status == DEAD_LETTER_PENDING:
                event = Event.from_json(row.payload)
                headers = [(k, str(v).encode()) for k, v in json.loads(row.headers).items()] if row.headers else None
                if record_once(session, inbox, row.topic, event):
                    _apply_traced(handle, session, row.topic, unbatched(event), headers)  # a batch: its events
                session.execute(
                    update(dl)
                    .where(by_id)
                    .values(status=DEAD_LETTER_REPLAYED, replayed_at=utcnow(), replayed_by=replayed_by[:64])
                )
    except Exception as exc:
        if is_transient(exc):
            raise
        with factory() as session, session.begin():
            session.execute(
                update(dl)
                .where(by_id)
                .values(
                    tries=dl.c.tries + 1,
                    last_failed_at=utcnow(),
                    error_class=error_class(exc),
                    error=_storable(error_text(exc)),
                )
            )
            row = session.execute(select(dl).where(by_id)).first()
        raise ReplayFailed(row, exc) from exc
    with factory() as session:
        return session.execute(select(dl).where(by_id)).first()
