"""The outbox relay and the inbox consumer against a real broker and both databases."""

import time

import pytest
from sqlalchemy import Column, Integer, String, Table, func, insert, select

from medshared import broker
from medshared.db import new_metadata, transaction
from medshared.events import Event
from medshared.inbox import InboxConsumer
from medshared.outbox import OutboxRelay, inbox_table, outbox_table, stage

metadata = new_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
effect = Table("effect", metadata, Column("id", Integer, primary_key=True), Column("psn_no", String(30)))


def wait_until(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def unique_topic():
    import uuid

    return f"test.{uuid.uuid4().hex[:8]}.v1"


def count(factory, table):
    with factory() as s:
        return s.execute(select(func.count()).select_from(table)).scalar_one()


def record(session, event):
    session.execute(insert(effect).values(psn_no=event.key))


def test_committed_events_are_published_and_applied_once(factory, kafka_bootstrap):
    topic = unique_topic()
    for i in range(5):
        with transaction(factory) as s:
            stage(s, outbox, topic, Event("PersonRegistered", f"P{i}", {"i": i}, "test"))
    relay = OutboxRelay(factory, outbox, kafka_bootstrap, [topic])
    assert relay.publish_pending() == 5
    assert relay.publish_pending() == 0
    consumer = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "g-" + topic, record)
    consumer.start()
    try:
        assert wait_until(lambda: count(factory, effect) == 5)
    finally:
        consumer.stop()


def test_a_rolled_back_change_publishes_nothing(factory, kafka_bootstrap):
    topic = unique_topic()
    with pytest.raises(RuntimeError), transaction(factory) as s:
        stage(s, outbox, topic, Event("PersonRegistered", "P1", {}, "test"))
        raise RuntimeError("business rule refused")
    assert count(factory, outbox) == 0


def test_a_redelivered_event_has_its_effect_once(factory, kafka_bootstrap):
    topic = unique_topic()
    event = Event("PersonRegistered", "P1", {}, "test")
    producer = broker.producer(kafka_bootstrap)
    broker.ensure_topics(kafka_bootstrap, [topic])
    for _ in range(3):
        producer.send(topic, key=event.key.encode(), value=event.to_json().encode()).get(timeout=10)
    producer.close()
    consumer = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "g-" + topic, record)
    consumer.start()
    try:
        assert wait_until(lambda: count(factory, inbox) == 1)
        time.sleep(0.5)
        assert count(factory, effect) == 1
    finally:
        consumer.stop()


def test_events_staged_while_the_broker_is_down_arrive_once_it_is_back(factory):
    topic = unique_topic()
    port = broker.free_port()
    bootstrap = f"127.0.0.1:{port}"
    relay = OutboxRelay(factory, outbox, bootstrap, [topic], idle_seconds=0.05)
    relay.start()
    try:
        for i in range(20):
            with transaction(factory) as s:
                stage(s, outbox, topic, Event("PersonRegistered", f"P{i}", {"i": i}, "test"))
        time.sleep(0.5)
        with factory() as s:
            assert s.execute(select(func.count()).where(outbox.c.published_at.is_(None))).scalar_one() == 20
        proc = broker.start_embedded_broker(port)
        try:
            consumer = InboxConsumer(factory, inbox, bootstrap, [topic], "g-" + topic, record)
            consumer.start()
            try:
                assert wait_until(lambda: count(factory, effect) == 20, timeout=30)
                time.sleep(0.3)
                assert count(factory, effect) == 20
            finally:
                consumer.stop()
        finally:
            proc.terminate()
            proc.wait()
    finally:
        relay.stop()


# An embedded broker that restarts keeps nothing: the outbox and the inboxes make up for it.
@pytest.fixture
def restartable_broker():
    """A broker of this test's own, so restarting it disturbs no other test."""
    port = broker.free_port()
    procs = [broker.start_embedded_broker(port)]

    def restart():
        procs[0].kill()
        procs[0].wait()
        procs[0] = broker.start_embedded_broker(port)

    yield f"127.0.0.1:{port}", restart
    procs[0].kill()
    procs[0].wait()


def stage_events(factory, topic, keys):
    for key in keys:
        with transaction(factory) as s:
            stage(s, outbox, topic, Event("PersonRegistered", key, {"k": key}, "test"))


def unpublished(factory):
    with factory() as s:
        return s.execute(select(func.count()).where(outbox.c.published_at.is_(None))).scalar_one()


def test_events_published_but_unread_when_the_broker_restarts_still_reach_the_consumer(factory, restartable_broker):
    bootstrap, restart = restartable_broker
    topic = unique_topic()
    relay = OutboxRelay(factory, outbox, bootstrap, [topic], check_seconds=0.1)
    relay.start()
    try:
        stage_events(factory, topic, [f"P{i}" for i in range(20)])
        assert wait_until(lambda: unpublished(factory) == 0)
        restart()  # the 20 events were in the broker's memory only
        consumer = InboxConsumer(factory, inbox, bootstrap, [topic], "g-" + topic, record)
        consumer.start()
        try:
            assert wait_until(lambda: count(factory, effect) == 20, timeout=30)
            time.sleep(0.5)
            assert count(factory, effect) == 20
        finally:
            consumer.stop()
    finally:
        relay.stop()


def test_a_consumer_running_across_a_broker_restart_misses_none_of_the_new_events(factory, restartable_broker):
    bootstrap, restart = restartable_broker
    topic = unique_topic()
    relay = OutboxRelay(factory, outbox, bootstrap, [topic], check_seconds=0.1)
    consumer = InboxConsumer(factory, inbox, bootstrap, [topic], "g-" + topic, record)
    relay.start()
    consumer.start()
    try:
        stage_events(factory, topic, [f"A{i}" for i in range(30)])
        assert wait_until(lambda: count(factory, effect) == 30, timeout=30)
        restart()
        # More new events than the consumer's old positions: read from those, it would skip the first.
        stage_events(factory, topic, [f"B{i}" for i in range(60)])
        assert wait_until(lambda: count(factory, effect) == 90, timeout=30)
        time.sleep(0.5)
        assert count(factory, effect) == 90
    finally:
        consumer.stop()
        relay.stop()


class _Relay:
    def __init__(self) -> None:
        self.woken = 0

    def wake(self) -> None:
        self.woken += 1


def test_a_unit_of_work_wakes_the_relay_only_when_it_staged_events(factory):
    from medshared.outbox import outbox_rows
    from medshared.runtime import Runtime

    relay = _Relay()
    runtime = Runtime(service="test", engine=factory.kw["bind"], factory=factory, relay=relay)
    with runtime.unit_of_work() as s:
        s.execute(select(func.count()).select_from(outbox))
    assert relay.woken == 0
    with runtime.unit_of_work() as s:
        stage(s, outbox, "t", Event("PersonRegistered", "P1", {}, "test"))
    assert relay.woken == 1
    with runtime.unit_of_work() as s:  # a bulk import stages its rows itself
        s.execute(
            insert(outbox), outbox_rows(s, "t", [Event("PersonRegistered", f"P{i}", {}, "test") for i in range(3)])
        )
    assert relay.woken == 2
    with pytest.raises(RuntimeError), runtime.unit_of_work() as s:  # rolled back: nothing to publish
        stage(s, outbox, "t", Event("PersonRegistered", "P9", {}, "test"))
        raise RuntimeError("refused")
    assert relay.woken == 2
    with factory() as s:
        assert s.execute(select(func.count()).select_from(outbox)).scalar_one() == 4


def test_a_wake_while_the_relay_publishes_is_not_lost(factory):
    """A commit that wakes the relay while it is publishing is published on the next round,
    not after the idle wait (10 s here: the test would wait it out and fail)."""
    import threading

    from medshared.outbox import OutboxRelay

    relay = OutboxRelay(factory, outbox, "unused:9092", ["t"], idle_seconds=10)
    rounds: list[float] = []
    second = threading.Event()

    def publish_pending() -> int:
        rounds.append(time.monotonic())
        if len(rounds) == 1:
            relay.wake()  # a unit of work committed while this round ran
        else:
            second.set()
        return 0

    relay.publish_pending = publish_pending  # type: ignore[method-assign]
    relay.start()
    try:
        assert second.wait(timeout=5), "the wake during the first round was lost: the relay slept its idle time"
    finally:
        relay.stop()
    assert len(rounds) >= 2


class _Fetcher:
    def __init__(self) -> None:
        self.config = {"fetch_max_wait_ms": broker.FETCH_MAX_WAIT_MS}


class _Consumer:
    def __init__(self) -> None:
        self._fetcher = _Fetcher()


@pytest.mark.parametrize(
    "polls, wait_ms",
    [
        # (seconds since connecting, whether the poll read events) -> the wait the next fetch asks
        ([(1.0, False), (4.9, False)], broker.FETCH_MAX_WAIT_MS),
        ([(1.0, False), (5.0, False)], broker.FETCH_IDLE_WAIT_MS),
        ([(4.0, True), (8.9, False)], broker.FETCH_MAX_WAIT_MS),  # quiet counts from the last read
        ([(4.0, True), (9.0, False)], broker.FETCH_IDLE_WAIT_MS),
        ([(6.0, False), (60.0, True)], broker.FETCH_MAX_WAIT_MS),  # the first event after idling
        ([(6.0, False), (60.0, True), (64.0, False)], broker.FETCH_MAX_WAIT_MS),
    ],
)
def test_a_consumer_fetches_with_the_long_wait_only_after_a_quiet_spell(polls, wait_ms):
    now = [100.0]
    pace = broker.FetchPace(idle_after=5.0, clock=lambda: now[0])
    consumer = _Consumer()
    pace.connected()
    for at, read in polls:
        now[0] = 100.0 + at
        pace.polled(consumer, read)  # type: ignore[arg-type]
    assert pace.wait_ms == wait_ms
    assert consumer._fetcher.config["fetch_max_wait_ms"] == wait_ms


def test_the_wait_set_on_a_consumer_is_what_the_broker_holds_its_empty_fetches(kafka_bootstrap):
    """The embedded broker holds a fetch that finds nothing for the wait the fetch asks: with
    the long wait, fetches of an empty topic take about 500 ms each (50 ms with the short one).
    This fails if kafka-python stops reading the wait from its fetcher's configuration."""
    from kafka import TopicPartition

    topic = unique_topic()
    broker.ensure_topics(kafka_bootstrap, [topic], partitions=1)
    consumer = broker.consumer(kafka_bootstrap, "g-" + topic)
    try:
        consumer.assign([TopicPartition(topic, 0)])
        broker.set_fetch_wait(consumer, broker.FETCH_IDLE_WAIT_MS)
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            assert consumer.poll(timeout_ms=100) == {}
        metrics = consumer.metrics()["consumer-fetch-manager-metrics"]
        assert metrics["fetch-latency-avg"] >= 0.6 * broker.FETCH_IDLE_WAIT_MS, metrics
    finally:
        consumer.close(autocommit=False)


def test_an_idle_consumer_waits_longer_per_fetch_and_the_first_event_brings_it_back(factory, kafka_bootstrap):
    topic = unique_topic()
    waits_when_applied: list[int] = []

    def record_with_wait(session, event):
        waits_when_applied.append(consumer.pace.wait_ms)
        record(session, event)

    consumer = InboxConsumer(
        factory, inbox, kafka_bootstrap, [topic], "g-" + topic, record_with_wait, pace=broker.FetchPace(idle_after=0.5)
    )
    consumer.start()
    try:
        assert wait_until(lambda: consumer.pace.wait_ms == broker.FETCH_IDLE_WAIT_MS, timeout=10)
        producer = broker.producer(kafka_bootstrap)
        event = Event("PersonRegistered", "P1", {}, "test")
        producer.send(topic, key=event.key.encode(), value=event.to_json().encode()).get(timeout=10)
        producer.close()
        assert wait_until(lambda: count(factory, inbox) == 1)
        # The poll that read the event set the short wait before applying it.
        assert waits_when_applied == [broker.FETCH_MAX_WAIT_MS]
    finally:
        consumer.stop()


class _PollingConsumer(_Consumer):
    def __init__(self) -> None:
        super().__init__()
        self.timeouts: list[int] = []

    def poll(self, timeout_ms: int) -> dict:
        self.timeouts.append(timeout_ms)
        return {}

    def assignment(self) -> set:
        return set()


def test_an_idle_consumer_also_polls_as_long_as_its_fetch_waits(factory):
    """Waking every 100 ms to find nothing would keep much of the idle cost the long wait saves."""
    now = [0.0]
    consumer = InboxConsumer(
        factory, inbox, "unused:9092", ["t"], "g", record, pace=broker.FetchPace(idle_after=5.0, clock=lambda: now[0])
    )
    fake = _PollingConsumer()
    consumer._consumer = fake
    consumer._last_reset_check = time.monotonic()  # no topic-id check against a broker here
    consumer.poll_once()
    now[0] = 6.0
    consumer.poll_once()  # finds the quiet spell: the next fetch and poll wait long
    consumer.poll_once()
    assert fake.timeouts == [100, 100, broker.FETCH_IDLE_WAIT_MS]


def test_the_relay_reads_its_batch_through_the_unpublished_index_without_sorting_the_backlog(factory):
    import datetime as dt

    from medshared.outbox import pending_query
    from medshared.testing import query_plan

    now = dt.datetime.now(dt.UTC)
    rows = [
        {"event_id": f"e{i}", "topic": "t", "key": "k", "event_type": "x", "body": "{}", "created_at": now}
        | {"published_at": now if i < 4000 else None}
        for i in range(4500)
    ]
    with factory() as s, s.begin():
        s.execute(insert(outbox), rows)
    with factory() as s:
        plan = query_plan(s, pending_query(outbox, 500))
        batch = s.execute(pending_query(outbox, 500)).all()
    assert "ix_outbox_message_unpublished" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan
    assert [r.id for r in batch] == sorted(r.id for r in batch) and len(batch) == 500
    assert min(r.id for r in batch) == 4001  # ids start at 1: the first unpublished row
