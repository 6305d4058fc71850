"""Through a real Kafka-protocol broker: consuming settlements once, publishing filings via the outbox."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

from builders import OPERATOR, ZHOU_MIN, feed, person_enrolled, settings_for, settled
from fastapi.testclient import TestClient
from kafka import TopicPartition
from sqlalchemy import func, select

from medshared import broker
from medshared.events import Event
from remote_care.db import clearing_item, inbox, person
from remote_care.domain.filings import Channel
from remote_care.main import create_app
from remote_care.store import SqlStores
from remote_care.usecases import clearing
from remote_care.usecases.common import Actor, today


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def test_a_redelivered_settlement_event_is_applied_once(sqlite_url, kafka_bootstrap) -> None:
    broker.ensure_topics(kafka_bootstrap, ["settlement.settlements.v1", "enrollment.people.v1"])
    event = settled(psn_no=ZHOU_MIN)
    # Same key, same partition: once the later settlement is in, every copy before it was read.
    later = settled(psn_no=ZHOU_MIN, fund="1.00", acct="0.00")
    person_event = person_enrolled(ZHOU_MIN)
    producer = broker.producer(kafka_bootstrap)
    for message in (event, event, event, later):
        producer.send("settlement.settlements.v1", key=message.key.encode(), value=message.to_json().encode())
    producer.send("enrollment.people.v1", key=person_event.key.encode(), value=person_event.to_json().encode())
    producer.flush()
    producer.close()

    app = create_app(settings_for(sqlite_url, kafka_bootstrap_servers=kafka_bootstrap))
    runtime = app.state.runtime

    def count(query) -> int:
        with runtime.factory() as session:
            return int(session.execute(query).scalar_one())

    with TestClient(app):
        later_id = later.payload["settlement"]["setl_id"]
        eventually(
            lambda: (
                count(select(func.count()).select_from(clearing_item).where(clearing_item.c.setl_id == later_id)) == 1
            )
        )
        eventually(lambda: count(select(func.count()).select_from(person)) == 1)
    assert count(select(func.count()).select_from(clearing_item)) == 2
    assert count(select(func.count()).select_from(inbox).where(inbox.c.event_id == event.event_id)) == 1
    [statement] = clearing.run_clearing(SqlStores(runtime), "2026-01", Actor(Channel.ADMIN, "t"))
    assert (statement["setl_cnt"], statement["owed_amt"]) == (2, Decimal("701.00"))


def test_a_filing_event_reaches_the_topic_through_the_outbox(sqlite_url, kafka_bootstrap) -> None:
    app = create_app(settings_for(sqlite_url, kafka_bootstrap_servers=kafka_bootstrap, consumers_enabled=False))
    with TestClient(app) as client:
        feed(app.state.runtime, person_enrolled(ZHOU_MIN))
        body = {
            "psn_no": ZHOU_MIN,
            "filing_type": "temporary_other",
            "target_admdvs": "110100",
            "begndate": today().isoformat(),
        }
        created = client.post("/admin/v1/filings", json=body, headers=OPERATOR).json()

        reader = broker.consumer(kafka_bootstrap, "remote-care-test-reader")
        broker.ensure_topics(kafka_bootstrap, ["remote_care.filings.v1"])
        reader.assign(
            [TopicPartition("remote_care.filings.v1", p) for p in reader.partitions_for_topic("remote_care.filings.v1")]
        )
        reader.seek_to_beginning()
        found: list[Event] = []

        def published() -> bool:
            for records in reader.poll(timeout_ms=200).values():
                found.extend(Event.from_json(r.value) for r in records)
            return any(e.payload["filing"]["filing_id"] == created["filing_id"] for e in found)

        eventually(published)
        reader.close()
    mine = [e for e in found if e.payload["filing"]["filing_id"] == created["filing_id"]]
    assert [(e.event_type, e.key, e.payload["filing"]["status"]) for e in mine] == [
        ("FilingCreated", ZHOU_MIN, "active")
    ]
