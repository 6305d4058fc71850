"""A poison event is set aside, counted, listed and replayable, and the consumer goes on."""

import threading
import time
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, Integer, String, Table, func, insert, select
from sqlalchemy.exc import OperationalError

from medshared import broker, deadletters, edge
from medshared.db import make_engine, new_metadata
from medshared.events import Event
from medshared.inbox import InboxConsumer
from medshared.outbox import dead_letter_table, inbox_table, outbox_table
from medshared.runtime import build_runtime
from medshared.security import OperatorCredential, OperatorGate, Role, operator_action_table
from medshared.settings import ServiceSettings

metadata = new_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
dead_letter = dead_letter_table(metadata)
audit = operator_action_table(metadata)
effect = Table("effect", metadata, Column("id", Integer, primary_key=True), Column("psn_no", String(30)))

OPS = {"x-operator-token": "t-ops"}
AUDITOR = {"x-operator-token": "t-audit"}
CLEARER = {"x-operator-token": "t-clearing"}
TOKENS = {
    "t-ops": OperatorCredential(operator="ops-1", roles=[Role.OPERATIONS]),
    "t-audit": OperatorCredential(operator="audit-1", roles=[Role.AUDIT]),
    "t-clearing": OperatorCredential(operator="clearing-1", roles=[Role.CLEARING]),
}


class ToySettings(ServiceSettings):
    operator_tokens: dict[str, OperatorCredential] = TOKENS


class Handler:
    """Stores the person of each event; refuses the psn_no it is told to refuse until fixed."""

    def __init__(self, refuse: str = "POISON") -> None:
        self.refuse = refuse
        self.calls: list[str] = []

    def __call__(self, session, event: Event) -> None:
        self.calls.append(event.key)
        if event.key == self.refuse:
            raise ValueError(f"amount {event.payload.get('amount')} does not fit the clearing table")
        session.execute(insert(effect).values(psn_no=event.key))


def wait_until(predicate, timeout=30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def count(factory, table, *where) -> int:
    with factory() as s:
        return s.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def stored(factory) -> list[str]:
    with factory() as s:
        return list(s.execute(select(effect.c.psn_no).order_by(effect.c.id)).scalars())


def publish(bootstrap: str, topic: str, events: list[Event | bytes]) -> None:
    """All on one partition, in one batch: the order is the test's, and the broker's end offset is odd."""
    broker.ensure_topics(bootstrap, [topic], partitions=1)
    producer = broker.producer(bootstrap)
    futures = [
        producer.send(topic, key=b"k", value=e if isinstance(e, bytes) else e.to_json().encode()) for e in events
    ]
    producer.flush(timeout=10)
    for f in futures:
        f.get(timeout=10)
    producer.close()


def make_app(database_url: str, handle, bootstrap: str = "") -> FastAPI:
    engine = make_engine(database_url)
    metadata.create_all(engine)
    settings = ToySettings(
        database_url=database_url, kafka_bootstrap_servers=bootstrap, relay_enabled=False, consumers_enabled=False
    )
    runtime = build_runtime(settings, service="toy", outbox=outbox, publishes=[], engine=engine)
    app = FastAPI()
    app.state.runtime = runtime
    app.state.settings = settings
    edge.install(app, runtime)
    deadletters.install(app, OperatorGate(audit), inbox, handle)
    return app


def topic_name() -> str:
    return f"test.{uuid.uuid4().hex[:8]}.v1"


def test_an_event_the_handler_refuses_is_set_aside_after_its_tries_and_the_events_behind_it_are_applied(
    database_url, kafka_bootstrap
):
    topic = topic_name()
    handle = Handler()
    app = make_app(database_url, handle)
    factory = app.state.runtime.factory
    poison = Event("VisitSettled", "POISON", {"amount": "1E+20"}, "test")
    publish(
        kafka_bootstrap,
        topic,
        [Event("PersonRegistered", "P1", {}, "test"), poison, Event("PersonRegistered", "P2", {}, "test")],
    )
    consumer = InboxConsumer(
        factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, max_tries=3, retry_seconds=0.01
    )
    app.state.runtime.consumers.append(consumer)
    consumer.start()
    try:
        assert wait_until(lambda: stored(factory) == ["P1", "P2"])
        assert wait_until(lambda: consumer.lag.get(topic) == 0)
    finally:
        consumer.stop()
    assert handle.calls.count("POISON") == 3 + 1  # three tries one by one, after the batch it spoilt
    with factory() as s:
        row = s.execute(select(dead_letter)).one()
    assert (row.topic, row.kafka_partition, row.kafka_offset) == (topic, 0, 1)
    assert (row.event_id, row.event_type, row.key, row.tries, row.status) == (
        poison.event_id,
        "VisitSettled",
        "k",
        3,
        "pending",
    )
    assert row.error_class == "ValueError" and "1E+20" in row.error
    assert row.first_failed_at <= row.last_failed_at
    assert count(factory, inbox, inbox.c.event_id == poison.event_id) == 0  # set aside, not applied
    with TestClient(app) as c:
        assert c.get("/readyz").json()["dead_letters"] == 1
        assert c.get("/readyz").status_code == 200
        scraped = c.get("/metrics").text
    assert f'events_dead_lettered_total{{event_type="VisitSettled",service="toy",topic="{topic}"}} 1.0' in scraped
    assert 'dead_letters{service="toy"} 1.0' in scraped


def test_a_poll_goes_to_the_batch_handler_whole_and_a_poison_event_in_it_is_set_aside_alone(
    database_url, kafka_bootstrap
):
    topic = topic_name()
    handle = Handler()
    polls: list[list[str]] = []

    def handle_many(session, events):
        polls.append([event.key for _, event in events])
        for _, event in events:
            handle(session, event)

    app = make_app(database_url, handle)
    factory = app.state.runtime.factory
    publish(kafka_bootstrap, topic, [Event("PersonRegistered", f"P{i}", {}, "test") for i in range(1, 4)])
    consumer = InboxConsumer(
        factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, retry_seconds=0.01, handle_many=handle_many
    )
    consumer.start()
    try:
        assert wait_until(lambda: stored(factory) == ["P1", "P2", "P3"])
    finally:
        consumer.stop()
    assert polls == [["P1", "P2", "P3"]]  # one call for the whole poll
    assert consumer.applied == 3

    # A poll with an event the handler refuses: nothing of the batch stays, then one by one.
    publish(
        kafka_bootstrap,
        topic,
        [Event("PersonRegistered", "P4", {}, "test"), Event("VisitSettled", "POISON", {"amount": "1E+20"}, "test")],
    )
    polls.clear()
    handle.calls.clear()
    consumer = InboxConsumer(
        factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, retry_seconds=0.01, handle_many=handle_many
    )
    consumer.start()
    try:
        assert wait_until(lambda: stored(factory) == ["P1", "P2", "P3", "P4"] and count(factory, dead_letter) == 1)
    finally:
        consumer.stop()
    assert polls == [["P4", "POISON"]]
    assert handle.calls == ["P4", "POISON", "P4", "POISON", "POISON", "POISON"]


def test_a_consumer_restarted_after_setting_an_event_aside_does_not_read_it_again(database_url, kafka_bootstrap):
    topic = topic_name()
    handle = Handler()
    app = make_app(database_url, handle)
    factory = app.state.runtime.factory
    publish(
        kafka_bootstrap,
        topic,
        [Event("VisitSettled", "POISON", {}, "test"), Event("PersonRegistered", "P1", {}, "test")],
    )
    for _ in range(2):
        consumer = InboxConsumer(
            factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, max_tries=2, retry_seconds=0.01
        )
        consumer.start()
        try:
            assert wait_until(lambda c=consumer: stored(factory) == ["P1"] and c.lag.get(topic) == 0)
        finally:
            consumer.stop()
    assert handle.calls.count("POISON") == 1 + 2  # the batch, then two tries; nothing after the restart
    assert count(factory, dead_letter) == 1


def test_a_message_that_is_no_event_at_all_is_set_aside_as_unreadable(database_url, kafka_bootstrap):
    topic = topic_name()
    handle = Handler()
    app = make_app(database_url, handle)
    factory = app.state.runtime.factory
    publish(kafka_bootstrap, topic, [b"{not json", Event("PersonRegistered", "P1", {}, "test")])
    consumer = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle)
    consumer.start()
    try:
        assert wait_until(lambda: stored(factory) == ["P1"])
    finally:
        consumer.stop()
    with factory() as s:
        row = s.execute(select(dead_letter)).one()
    assert (row.event_id, row.event_type, row.payload, row.error_class) == (
        None,
        "unreadable",
        "{not json",
        "UnreadableEvent",
    )
    assert consumer.dead_lettered == {(topic, "unreadable"): 1}


def test_a_database_outage_is_not_counted_against_the_event_and_nothing_is_set_aside(database_url, kafka_bootstrap):
    topic = topic_name()
    outage = threading.Event()
    outage.set()
    handle = Handler()

    def flaky(session, event):
        if outage.is_set():
            raise OperationalError("INSERT", {}, Exception("server closed the connection unexpectedly"))
        handle(session, event)

    app = make_app(database_url, flaky)
    factory = app.state.runtime.factory
    publish(kafka_bootstrap, topic, [Event("PersonRegistered", f"P{i}", {}, "test") for i in range(5)])
    consumer = InboxConsumer(factory, inbox, kafka_bootstrap, [topic], "g-" + topic, flaky, max_tries=1)
    consumer.start()
    try:
        # Stuck behind the outage, the lag says so: five on the broker, none applied.
        assert wait_until(lambda: consumer.lag.get(topic) == 5, timeout=20)
        time.sleep(1.5)  # more than one round of retries
        assert count(factory, dead_letter) == 0 and stored(factory) == []
        outage.clear()
        assert wait_until(lambda: stored(factory) == [f"P{i}" for i in range(5)])
        assert wait_until(lambda: consumer.lag.get(topic) == 0)
    finally:
        consumer.stop()
    assert count(factory, dead_letter) == 0


def set_aside_one(database_url, kafka_bootstrap, handle) -> tuple[FastAPI, Event]:
    topic = topic_name()
    app = make_app(database_url, handle)
    poison = Event("VisitSettled", "POISON", {"amount": "1E+20"}, "test")
    publish(kafka_bootstrap, topic, [poison, Event("PersonRegistered", "P1", {}, "test")])
    consumer = InboxConsumer(
        app.state.runtime.factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle, retry_seconds=0.01
    )
    consumer.start()
    try:
        assert wait_until(
            lambda: count(app.state.runtime.factory, dead_letter) == 1 and stored(app.state.runtime.factory) == ["P1"]
        )
    finally:
        consumer.stop()
    return app, poison


def test_an_operator_lists_a_dead_letter_and_replays_it_after_the_fix_exactly_once(database_url, kafka_bootstrap):
    handle = Handler()
    app, poison = set_aside_one(database_url, kafka_bootstrap, handle)
    factory = app.state.runtime.factory
    with TestClient(app) as c:
        listed = c.get("/admin/v1/dead-letters", headers=OPS).json()
        assert [(d["event_id"], d["event_type"], d["status"], d["tries"]) for d in listed] == [
            (poison.event_id, "VisitSettled", "pending", 3)
        ]
        one = c.get(f"/admin/v1/dead-letters/{listed[0]['dead_letter_id']}", headers=OPS).json()
        assert one["message"]["payload"] == {"amount": "1E+20"} and one["error_class"] == "ValueError"

        failed = c.post(f"/admin/v1/dead-letters/{one['dead_letter_id']}/replay", headers=OPS)
        assert failed.status_code == 409 and failed.json()["code"] == "replay_failed"
        assert "stays set aside" in failed.json()["detail"]
        assert failed.json()["dead_letter"]["tries"] == 4 and failed.json()["dead_letter"]["status"] == "pending"
        assert stored(factory) == ["P1"] and count(factory, inbox, inbox.c.event_id == poison.event_id) == 0

        handle.refuse = "nobody"  # the fix is deployed
        replayed = c.post(f"/admin/v1/dead-letters/{one['dead_letter_id']}/replay", headers=OPS)
        assert replayed.status_code == 200
        assert replayed.json()["status"] == "replayed" and replayed.json()["replayed_by"] == "ops-1"
        assert stored(factory) == ["P1", "POISON"]
        assert count(factory, inbox, inbox.c.event_id == poison.event_id) == 1

        again = c.post(f"/admin/v1/dead-letters/{one['dead_letter_id']}/replay", headers=OPS)
        assert again.status_code == 409 and again.json()["code"] == "already_replayed"
        assert stored(factory) == ["P1", "POISON"]
        assert c.get("/admin/v1/dead-letters", headers=OPS).json() == []
        assert len(c.get("/admin/v1/dead-letters?status=replayed", headers=OPS).json()) == 1
        assert c.get("/readyz").json()["dead_letters"] == 0


def test_dead_letters_are_for_the_operations_role_and_the_audit_role_may_only_read(database_url, kafka_bootstrap):
    app, _ = set_aside_one(database_url, kafka_bootstrap, Handler())
    with TestClient(app) as c:
        assert c.get("/admin/v1/dead-letters").status_code == 401
        assert c.get("/admin/v1/dead-letters", headers=CLEARER).status_code == 403
        assert len(c.get("/admin/v1/dead-letters", headers=AUDITOR).json()) == 1
        refused = c.post("/admin/v1/dead-letters/1/replay", headers=AUDITOR)
        assert refused.status_code == 403 and "operations" in refused.json()["detail"]
        assert c.post("/admin/v1/dead-letters/999/replay", headers=OPS).status_code == 404
        assert c.get("/admin/v1/dead-letters?status=lost", headers=OPS).status_code == 422


@pytest.mark.parametrize("backlog", [1, 7])
def test_consumer_lag_is_the_log_end_minus_what_was_committed_even_when_the_broker_reports_an_odd_end(
    database_url, kafka_bootstrap, backlog
):
    topic = topic_name()
    release = threading.Event()
    handle = Handler()

    def slow(session, event):
        release.wait(30)
        handle(session, event)

    app = make_app(database_url, slow)
    publish(kafka_bootstrap, topic, [Event("PersonRegistered", f"P{i}", {}, "test") for i in range(backlog)])
    consumer = InboxConsumer(app.state.runtime.factory, inbox, kafka_bootstrap, [topic], "g-" + topic, slow)
    consumer.start()
    try:
        # Fetched and being applied is not applied: the whole batch still counts.
        assert wait_until(lambda: consumer.lag.get(topic) == backlog, timeout=20)
        release.set()
        assert wait_until(lambda: consumer.lag.get(topic) == 0)
        assert len(stored(app.state.runtime.factory)) == backlog
    finally:
        release.set()
        consumer.stop()
