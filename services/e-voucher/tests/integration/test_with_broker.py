from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition

from evoucher.demo import load_demo
from evoucher.main import create_app
from medshared import broker
from medshared.events import Event
from tests.conftest import TASHI, activation_body, make_settings, person_payload


def _publish(bootstrap: str, topic: str, events: list[Event]) -> None:
    broker.ensure_topics(bootstrap, [topic])
    producer = broker.producer(bootstrap)
    for event in events:
        producer.send(topic, key=event.key.encode(), value=event.to_json().encode())
    producer.flush(timeout=10)
    producer.close()


def _eventually(check: Any, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def _events_on(bootstrap: str, topic: str) -> list[Event]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=500)
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    found = [Event.from_json(record.value) for record in consumer]
    consumer.close()
    return found


def test_a_person_enrolled_on_the_broker_can_activate_and_the_activation_is_published(
    postgres_url: str, kafka_bootstrap: str, wechat_stub: str
) -> None:
    from medshared.db import upgrade
    from tests.conftest import ALEMBIC_INI

    upgrade(ALEMBIC_INI, postgres_url)
    # The activation below is retried until the enrollment arrives: more tries than a person makes.
    settings = make_settings(
        postgres_url,
        wechat_stub,
        "http://127.0.0.1:9",
        kafka_bootstrap_servers=kafka_bootstrap,
        identity_rate_burst=1000,
    )
    app = create_app(settings)
    load_demo(app.state.runtime)
    enrollment = {"enrollment_id": "E-1", "psn_no": TASHI["psn_no"], "insutype": "390", "insuplc_admdvs": "540100",
                  "status": "active", "version": 1}  # fmt: skip
    settled = {"setl_id": "S-1", "psn_no": TASHI["psn_no"], "fixmedins_code": "H54010000001", "insuplc_admdvs": "540100",
               "mdtrt_cert_type": "01", "medfee_sumamt": "80.00", "fund_pay_sumamt": "50.00", "acct_pay": "0.00",
               "psn_cash_pay": "30.00", "setl_time": "2026-11-24 10:00:00", "reversed": False}  # fmt: skip
    with TestClient(app) as client:
        _publish(kafka_bootstrap, "enrollment.people.v1", [
            Event("PersonRegistered", TASHI["psn_no"], {"person": person_payload(TASHI)}, "enrollment"),
            Event("PersonEnrolled", TASHI["psn_no"], {"person": person_payload(TASHI), "enrollment": enrollment}, "enrollment"),
        ])  # fmt: skip
        _publish(
            kafka_bootstrap,
            "settlement.settlements.v1",
            [Event("VisitSettled", TASHI["psn_no"], {"settlement": settled}, "settlement")],
        )
        headers = {
            "Authorization": "Bearer "
            + client.post("/mobile/v1/sessions", json={"code": "code-tashi"}).json()["session_token"]
        }

        def activated() -> bool:
            body = activation_body(client, headers, TASHI)
            return client.post("/mobile/v1/voucher/activation", json=body, headers=headers).status_code == 201

        assert _eventually(activated), "the enrolled person never became activatable"
        assert _eventually(lambda: client.get("/mobile/v1/settlements", headers=headers).json())[0]["with_voucher"]
        published = _eventually(
            lambda: [e for e in _events_on(kafka_bootstrap, "evoucher.vouchers.v1") if e.key == TASHI["psn_no"]]
        )
        assert [e.event_type for e in published] == ["VoucherActivated"]
        assert published[0].payload["voucher"]["insuplc_admdvs"] == "540100"
