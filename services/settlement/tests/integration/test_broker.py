"""With a real Kafka-protocol broker: enrollment events make a person settleable within a
second, and a settlement reaches settlement.settlements.v1."""

from __future__ import annotations

import time

from kafka import TopicPartition
from support import (
    ALEMBIC_INI,
    ZHAXI,
    ZHUOMA,
    His,
    enrollment_events,
    line,
    make_client,
    open_outpatient,
    settle_input,
)

from medshared import broker
from medshared.db import upgrade
from medshared.events import Event
from settlement.demo import load_demo


def _publish(bootstrap: str, events: list[Event]) -> None:
    producer = broker.producer(bootstrap)
    for event in events:
        producer.send("enrollment.people.v1", key=event.key.encode(), value=event.to_json().encode())
    producer.flush(timeout=10)
    producer.close()


def _wait_until(predicate, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.02)
    raise AssertionError(f"not within {timeout}s")


def test_an_enrolled_person_becomes_settleable_within_a_second_and_settlement_is_published(
    tmp_path, partners, kafka_bootstrap
):
    url = f"sqlite:///{tmp_path / 'broker.db'}"
    upgrade(ALEMBIC_INI, url)
    with make_client(url, partners, kafka_bootstrap_servers=kafka_bootstrap) as client:
        load_demo(client.app.state.runtime)
        his = His(client, "H54010000001", "540100")
        his.sign_in()

        def known(certno: str):
            return lambda: (
                his.call("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno}})["infcode"] == 0
            )

        _publish(kafka_bootstrap, enrollment_events(ZHUOMA))  # the consumer's first connection is not what we time
        _wait_until(known("54010219750312022X"), timeout=30)

        _publish(kafka_bootstrap, enrollment_events(ZHAXI))
        assert _wait_until(known("540102198005010110"), timeout=5) < 1.0

        mdtrt_id = open_outpatient(his, ZHAXI)
        his.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "150", mdtrt_id, ZHAXI)]}, insuplc="540100")
        setl_id = his.ok("2207", settle_input(ZHAXI, mdtrt_id, "150"), insuplc="540100")["setlinfo"]["setl_id"]

        reader = broker.consumer(kafka_bootstrap, "settlement-test-reader")
        partitions = [
            TopicPartition("settlement.settlements.v1", p)
            for p in reader.partitions_for_topic("settlement.settlements.v1") or ()
        ]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        seen: list[Event] = []

        def settled() -> bool:
            for records in reader.poll(timeout_ms=200).values():
                seen.extend(Event.from_json(r.value) for r in records)
            return any(e.event_type == "VisitSettled" and e.payload["settlement"]["setl_id"] == setl_id for e in seen)

        _wait_until(settled, timeout=15)
        reader.close()
