"""Through a real broker: a settlement remote-care cannot store is set aside, and clearing goes on."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from builders import OPS, WU_GANG, ZHOU_MIN, feed, person_enrolled, settings_for, settled
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from medshared import broker
from medshared.events import Event
from remote_care.db import clearing_item, dead_letter, person
from remote_care.main import create_app
from remote_care.messaging import consumer

SETTLEMENTS, PEOPLE = "settlement.settlements.v1", "enrollment.people.v1"


def eventually(check: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def send(bootstrap: str, topic: str, *events: Event) -> None:
    producer = broker.producer(bootstrap)
    for e in events:
        producer.send(topic, key=e.key.encode(), value=e.to_json().encode())
    producer.flush()
    producer.close()


def test_a_settlement_beyond_n16_2_is_set_aside_counted_listed_and_the_next_one_reaches_clearing(
    migrated_url, kafka_bootstrap, monkeypatch
) -> None:
    broker.ensure_topics(kafka_bootstrap, [SETTLEMENTS, PEOPLE])
    huge = settled(psn_no=ZHOU_MIN, medfee="1E+20", fund="1E+20", acct="0.00")  # 2207 with pric 1e20
    after = settled(psn_no=ZHOU_MIN, fund="1.00", acct="0.00")
    # A second poison, of a kind a later release fixes: a person event the handler trips over.
    real_person_row = consumer._person_row

    def buggy_person_row(p):
        if p["psn_no"] == WU_GANG:
            raise KeyError("psn_cert_type")
        return real_person_row(p)

    monkeypatch.setattr(consumer, "_person_row", buggy_person_row)
    send(kafka_bootstrap, SETTLEMENTS, huge, after)
    send(kafka_bootstrap, PEOPLE, person_enrolled(WU_GANG, insutype="310", psn_type="1201"), person_enrolled(ZHOU_MIN))

    app = create_app(settings_for(migrated_url, kafka_bootstrap_servers=kafka_bootstrap))
    runtime = app.state.runtime

    def count(table, *where) -> int:
        with runtime.factory() as session:
            return int(session.execute(select(func.count()).select_from(table).where(*where)).scalar_one())

    after_id = after.payload["settlement"]["setl_id"]
    with TestClient(app) as client:
        eventually(lambda: count(clearing_item, clearing_item.c.setl_id == after_id) == 1)
        eventually(lambda: count(person, person.c.psn_no == ZHOU_MIN) == 1)
        eventually(lambda: count(dead_letter) == 2)
        assert count(clearing_item, clearing_item.c.setl_id == huge.payload["settlement"]["setl_id"]) == 0

        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["dead_letters"] == 2
        scraped = client.get("/metrics").text
        assert (
            'events_dead_lettered_total{event_type="VisitSettled",service="remote-care",topic="settlement.settlements.v1"} 1.0'
            in scraped
        )
        listed = {d["event_id"]: d for d in client.get("/admin/v1/dead-letters", headers=OPS).json()}
        bad_bill = listed[huge.event_id]
        assert (bad_bill["topic"], bad_bill["tries"], bad_bill["error_class"]) == (SETTLEMENTS, 3, "AmountOutOfBounds")
        assert "medfee_sumamt 1E+20 is beyond N(16,2)" in bad_bill["error"]

        # The bill stays unclearable: its replay fails and it stays set aside.
        failed = client.post(f"/admin/v1/dead-letters/{bad_bill['dead_letter_id']}/replay", headers=OPS)
        assert (failed.status_code, failed.json()["code"]) == (409, "replay_failed")
        assert failed.json()["dead_letter"]["tries"] == 4

        # The person event goes through once the handler is fixed.
        monkeypatch.setattr(consumer, "_person_row", real_person_row)
        [tripped] = [d for d in listed.values() if d["topic"] == PEOPLE]
        replayed = client.post(f"/admin/v1/dead-letters/{tripped['dead_letter_id']}/replay", headers=OPS)
        assert replayed.status_code == 200 and replayed.json()["status"] == "replayed"
        assert count(person, person.c.psn_no == WU_GANG) == 1
        assert client.get("/readyz").json()["dead_letters"] == 1


@pytest.mark.parametrize("amount", ["99999999999999.99", "-99999999999999.99"])
def test_the_largest_amounts_n16_2_carries_are_stored_to_the_cent(runtime, amount) -> None:
    event = settled(medfee=amount, fund=amount, acct="0.00")
    assert feed(runtime, event, topic=SETTLEMENTS) == 1
    with runtime.factory() as session:
        stored = session.execute(select(clearing_item.c.fund_fen)).scalar_one()
    assert stored == int(amount.replace(".", ""))
