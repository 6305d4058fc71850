"""Batches: many events in one message (a bulk import's), applied by consumers as the events they carry."""

import uuid

import pytest
from sqlalchemy import Column, Integer, String, Table, func, insert, select

from medshared import broker
from medshared.db import new_metadata
from medshared.events import BATCH, Event, UnreadableEvent, batched, unbatched
from medshared.inbox import InboxConsumer, replay_dead_letter
from medshared.outbox import dead_letter_table, inbox_table

metadata = new_metadata()
inbox = inbox_table(metadata)
dead_letter = dead_letter_table(metadata)
effect = Table("batch_effect", metadata, Column("id", Integer, primary_key=True), Column("psn_no", String(30)))


def people(*keys: str) -> list[Event]:
    return [Event("PersonEnrolled", k, {"person": {"psn_no": k, "version": 1}}, "test") for k in keys]


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, []), (1, [1]), (2, [2]), (100, [100]), (101, [100, 1]), (250, [100, 100, 50])],
)
def test_events_are_grouped_in_order_and_a_lone_one_travels_as_itself(count, sizes):
    events = people(*(f"P{i}" for i in range(count)))
    messages = batched(events, "test")
    assert [len(unbatched(m)) for m in messages] == sizes
    assert [m.event_type == BATCH for m in messages] == [n > 1 for n in sizes]
    # On the wire and back, every event is exactly what was staged, in order.
    back = [e for m in messages for e in unbatched(Event.from_json(m.to_json()))]
    assert back == events
    for m in messages:
        if m.event_type == BATCH:
            assert m.key == m.event_id and m.producer == "test"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"events": []},
        {"events": "P1"},
        {"events": [{"event_type": "PersonEnrolled"}]},  # not an envelope
        {"events": [batched(people("A", "B"), "test")[0].envelope()]},  # a batch in a batch
    ],
)
def test_a_batch_that_does_not_carry_envelopes_is_unreadable(payload):
    message = Event.from_json(Event(BATCH, "b", payload, "test").to_json())
    with pytest.raises(UnreadableEvent):
        unbatched(message)


def publish(bootstrap: str, topic: str, events: list[Event]) -> None:
    broker.ensure_topics(bootstrap, [topic], partitions=1)
    producer = broker.producer(bootstrap)
    for e in events:
        producer.send(topic, key=e.key.encode(), value=e.to_json().encode())
    producer.flush(timeout=10)
    producer.close()


def stored(factory) -> list[str]:
    with factory() as s:
        return list(s.execute(select(effect.c.psn_no).order_by(effect.c.id)).scalars())


def consume_until(consumer: InboxConsumer, done, polls: int = 200) -> None:
    for _ in range(polls):
        consumer.poll_once()
        if done():
            return
    raise AssertionError("the consumer did not get there")


def test_a_batch_reaches_the_handlers_as_its_events_once_even_delivered_twice(factory, kafka_bootstrap):
    topic = f"test.{uuid.uuid4().hex[:8]}.v1"
    polls: list[list[str]] = []

    def handle(session, event):
        assert event.event_type != BATCH
        session.execute(insert(effect).values(psn_no=event.key))

    def handle_many(session, events):
        polls.append([e.key for _, e in events])
        for _, e in events:
            handle(session, e)

    (batch,) = batched(people("P1", "P2", "P3"), "test")
    lone, last = people("P0", "P9")
    publish(kafka_bootstrap, topic, [lone, batch, batch, last])  # the batch delivered twice
    consumer = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, handle_many=handle_many)
    consume_until(consumer, lambda: "P9" in stored(factory))  # one partition: everything before it was read
    assert stored(factory) == ["P0", "P1", "P2", "P3", "P9"]
    assert [k for poll in polls for k in poll] == ["P0", "P1", "P2", "P3", "P9"]
    assert consumer.applied == 5  # events, not messages
    with factory() as s:
        recorded = set(s.execute(select(inbox.c.event_id, inbox.c.event_type)).all())
    assert recorded == {(lone.event_id, "PersonEnrolled"), (batch.event_id, BATCH), (last.event_id, "PersonEnrolled")}

    # One by one (a replay, a consumer without a batch handler): the same events, in order.
    (again,) = batched(people("P4", "P5"), "test")
    publish(kafka_bootstrap, topic, [again])
    alone = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "h-" + topic, handle)
    consume_until(alone, lambda: stored(factory)[-2:] == ["P4", "P5"])
    assert stored(factory) == ["P0", "P1", "P2", "P3", "P9", "P4", "P5"]


def test_a_batch_with_an_event_the_handler_refuses_is_set_aside_whole_and_replays_whole(factory, kafka_bootstrap):
    topic = f"test.{uuid.uuid4().hex[:8]}.v1"
    refuse = {"POISON"}

    def handle(session, event):
        session.execute(insert(effect).values(psn_no=event.key))
        if event.key in refuse:
            raise ValueError("does not fit")

    (batch,) = batched(people("P1", "POISON", "P2"), "test")
    after = people("P3")[0]
    publish(kafka_bootstrap, topic, [batch, after])
    consumer = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, retry_seconds=0.0)
    consume_until(consumer, lambda: stored(factory) == ["P3"])
    with factory() as s:
        row = s.execute(select(dead_letter)).one()
        assert s.execute(select(func.count()).select_from(inbox)).scalar_one() == 1  # only P3's
    assert (row.event_id, row.event_type, row.tries) == (batch.event_id, BATCH, 3)

    refuse.clear()
    replay_dead_letter(factory, inbox, dead_letter, handle, row.dead_letter_id, replayed_by="ops-1")
    assert stored(factory) == ["P3", "P1", "POISON", "P2"]


def test_a_batch_that_carries_no_envelopes_is_set_aside_at_once_as_unreadable(factory, kafka_bootstrap):
    topic = f"test.{uuid.uuid4().hex[:8]}.v1"
    calls: list[str] = []

    def handle(session, event):
        calls.append(event.key)
        session.execute(insert(effect).values(psn_no=event.key))

    broken = Event(BATCH, "b-1", {"events": [{"event_type": "PersonEnrolled", "key": "P1"}]}, "test")
    publish(kafka_bootstrap, topic, [broken, people("P2")[0]])
    consumer = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, retry_seconds=5.0)
    consume_until(consumer, lambda: stored(factory) == ["P2"])
    assert calls == ["P2"]  # no tries: nothing of the broken batch reached the handler
    with factory() as s:
        row = s.execute(select(dead_letter)).one()
    assert (row.event_type, row.tries, row.error_class) == ("unreadable", 1, "UnreadableEvent")
    assert consumer.dead_lettered == {(topic, "unreadable"): 1}
