import time
from collections import Counter
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition

from enrollment.db import outbox
from enrollment.domain import commands as c
from enrollment.main import build
from enrollment.messaging.contracts import TOPIC
from enrollment.store import SqlUnitOfWork
from enrollment.usecases import people
from medshared import broker
from medshared.db import upgrade
from medshared.events import Event
from tests.conftest import ALEMBIC_INI, settings_for, valid_certno


def unpublished(runtime) -> int:
    from sqlalchemy import func, select

    with runtime.factory() as session:
        return int(
            session.execute(
                select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            ).scalar_one()
        )


def read_all(bootstrap: str, expected: int, timeout: float = 30) -> Counter[str]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=500)
    partitions = [TopicPartition(TOPIC, p) for p in sorted(consumer.partitions_for_topic(TOPIC) or ())]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen: Counter[str] = Counter()
    deadline = time.monotonic() + timeout
    quiet_until = None
    while time.monotonic() < deadline:
        for record in [r for batch in consumer.poll(timeout_ms=300).values() for r in batch]:
            seen[Event.from_json(record.value).event_id] += 1
        if sum(seen.values()) >= expected:
            # Keep listening a moment: a duplicate would arrive now.
            quiet_until = quiet_until or time.monotonic() + 1.5
            if time.monotonic() > quiet_until:
                break
    consumer.close()
    return seen


def test_registrations_made_while_the_broker_is_down_all_arrive_once_when_it_returns(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    upgrade(ALEMBIC_INI, url)
    port = broker.free_port()
    bootstrap = f"127.0.0.1:{port}"
    runtime = build(settings_for(url, kafka_bootstrap_servers=bootstrap))
    runtime.start()
    proc = None
    try:
        for i in range(100):
            people.register_person(
                SqlUnitOfWork(runtime),
                c.RegisterPerson(
                    admdvs="540100",
                    psn_cert_type="01",
                    certno=valid_certno(f"54010219900101{i:03d}"),
                    psn_name=f"测试{i}",
                ),
            )
        assert unpublished(runtime) == 100

        proc = broker.start_embedded_broker(port)
        deadline = time.monotonic() + 30
        while unpublished(runtime) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert unpublished(runtime) == 0

        seen = read_all(bootstrap, 100)
        assert len(seen) == 100
        assert set(seen.values()) == {1}
    finally:
        runtime.stop()
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)


def test_the_demo_events_reach_the_broker_keyed_by_psn_no_in_the_documented_shape(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    from enrollment.demo import load_demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    upgrade(ALEMBIC_INI, url)
    runtime = build(settings_for(url, kafka_bootstrap_servers=kafka_bootstrap))
    runtime.start()
    try:
        load_demo(runtime)
        deadline = time.monotonic() + 20
        while unpublished(runtime) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert unpublished(runtime) == 0
    finally:
        runtime.stop()
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, enable_auto_commit=False)
    partitions = [TopicPartition(TOPIC, p) for p in sorted(consumer.partitions_for_topic(TOPIC) or ())]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    zhaxi: list[tuple[str, dict]] = []
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and len(zhaxi) < 3:
        for record in [r for batch in consumer.poll(timeout_ms=300).values() for r in batch]:
            if record.key == b"54010000000000000001":
                event = Event.from_json(record.value)
                zhaxi.append((event.event_type, event.payload))
    consumer.close()
    assert [t for t, _ in zhaxi] == [
        "PersonRegistered",
        "PersonEnrolled",
        "ContributionPaid",
    ]
    person = zhaxi[1][1]["person"]
    enrollment = zhaxi[1][1]["enrollment"]
    assert set(person) == {
        "psn_no",
        "psn_cert_type",
        "certno",
        "psn_name",
        "gend",
        "naty",
        "brdy",
        "tel",
        "addr",
        "death_date",
        "version",
    }
    assert (
        enrollment["insutype"],
        enrollment["insuplc_admdvs"],
        enrollment["tier"],
        enrollment["begndate"],
        enrollment["enddate"],
    ) == (
        "390",
        "540100",
        "320",
        "2026-01-01",
        None,
    )
    assert enrollment["periods"] == [
        {
            "status": "active",
            "begndate": "2026-01-01",
            "enddate": None,
            "reason": "enrolled",
        }
    ]
    assert zhaxi[2][1]["contribution"]["total"] == "320.00"
