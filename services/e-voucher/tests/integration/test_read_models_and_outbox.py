from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import inspect, select

from evoucher.adapters.identity import StubFaceCheck
from evoucher.config import Settings
from evoucher.db import inbox, outbox, person
from evoucher.domain.errors import Invalid
from evoucher.messaging.consumer import handle, handle_many
from evoucher.store import SqlStore, SqlUnits
from evoucher.usecases import views, vouchers
from medshared.db import make_engine, upgrade
from medshared.events import Event
from medshared.inbox import record_once
from medshared.runtime import Runtime, build_runtime
from tests.conftest import ALEMBIC_INI, DROLMA, TASHI, person_payload

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def runtime(database_url: str) -> Any:
    upgrade(ALEMBIC_INI, database_url)
    rt = build_runtime(
        Settings(database_url=database_url, kafka_bootstrap_servers=""),
        service="e-voucher",
        outbox=outbox,
        publishes=[],
    )
    yield rt
    rt.stop()


def deliver(runtime: Runtime, topic: str, event: Event) -> None:
    with runtime.unit_of_work() as session:
        if record_once(session, inbox, topic, event):
            handle(session, event)


def enrolled(runtime: Runtime, who: dict[str, str], pool: str = "540100", version: int = 1) -> None:
    enrollment = {"enrollment_id": f"E-{who['psn_no']}", "psn_no": who["psn_no"], "insutype": "390",
                  "insuplc_admdvs": pool, "status": "active", "version": version}  # fmt: skip
    deliver(
        runtime,
        "enrollment.people.v1",
        Event("PersonEnrolled", who["psn_no"], {"person": person_payload(who), "enrollment": enrollment}, "enrollment"),
    )


def settled(
    runtime: Runtime, setl_id: str, who: dict[str, str], cert_type: str, reversal_of: str | None = None
) -> None:
    body = {"setl_id": setl_id, "psn_no": who["psn_no"], "fixmedins_code": "H54010000001", "insuplc_admdvs": "540100",
            "mdtrt_cert_type": cert_type, "med_type": "11", "medfee_sumamt": "100.00", "fund_pay_sumamt": "60.00",
            "acct_pay": "0.00", "psn_cash_pay": "40.00", "setl_time": "2026-11-24 10:00:00", "reversed": False}  # fmt: skip
    if reversal_of:
        event = Event(
            "SettlementReversed", who["psn_no"], {"settlement": body, "original_setl_id": reversal_of}, "settlement"
        )
    else:
        event = Event("VisitSettled", who["psn_no"], {"settlement": body}, "settlement")
    deliver(runtime, "settlement.settlements.v1", event)


FACE_CHECK = StubFaceCheck("test-identity-key", 300)


def verified_activation(runtime: Runtime, openid: str, psn_name: str, certno: str) -> Any:
    """Activation after a (development) face check of the person named, on this openid."""
    ticket = FACE_CHECK.issue(certno=certno, psn_name=psn_name, openid=openid, now=int(NOW.timestamp()))
    return vouchers.activate(
        SqlUnits(runtime),
        openid,
        psn_name,
        certno,
        identity_ticket=ticket,
        verifier=FACE_CHECK,
        mobile_secret="k",
        session_ttl=60,
        now=NOW,
    )


def outbox_types(runtime: Runtime) -> list[str]:
    with runtime.unit_of_work() as session:
        return list(session.execute(select(outbox.c.event_type).order_by(outbox.c.id)).scalars())


def test_an_older_person_snapshot_never_overwrites_a_newer_one(runtime: Runtime) -> None:
    newer = Event(
        "PersonUpdated",
        TASHI["psn_no"],
        {"person": {**person_payload(TASHI, version=2), "psn_name": "扎西次仁"}},
        "enrollment",
    )
    deliver(runtime, "enrollment.people.v1", newer)
    deliver(
        runtime,
        "enrollment.people.v1",
        Event("PersonRegistered", TASHI["psn_no"], {"person": person_payload(TASHI, version=1)}, "enrollment"),
    )
    deliver(runtime, "enrollment.people.v1", newer)
    with runtime.unit_of_work() as session:
        assert session.execute(select(person.c.psn_name, person.c.version)).one() == ("扎西次仁", 2)


def test_activation_and_its_event_commit_together_and_a_refused_one_leaves_nothing(runtime: Runtime) -> None:
    enrolled(runtime, TASHI)
    with pytest.raises(Invalid):
        verified_activation(runtime, "openid-x", "扎西", DROLMA["certno"])
    assert outbox_types(runtime) == []
    verified_activation(runtime, "openid-x", "扎西", TASHI["certno"])
    assert outbox_types(runtime) == ["VoucherActivated"]


def test_a_death_recorded_by_enrollment_revokes_the_voucher(runtime: Runtime) -> None:
    enrolled(runtime, TASHI)
    verified_activation(runtime, "openid-x", "扎西", TASHI["certno"])
    died = Event(
        "PersonDied",
        TASHI["psn_no"],
        {"person": person_payload(TASHI, version=3, death_date="2026-11-20")},
        "enrollment",
    )
    deliver(runtime, "enrollment.people.v1", died)
    deliver(runtime, "enrollment.people.v1", died)
    assert outbox_types(runtime) == ["VoucherActivated", "VoucherRevoked"]


def test_a_poll_revokes_by_the_newest_snapshot_of_each_person_not_by_any_snapshot_in_it(runtime: Runtime) -> None:
    enrolled(runtime, TASHI)
    enrolled(runtime, DROLMA)
    verified_activation(runtime, "openid-t", "扎西", TASHI["certno"])
    verified_activation(runtime, "openid-d", "卓玛", DROLMA["certno"])

    def snapshot(who: dict[str, Any], version: int, death_date: str | None) -> Event:
        return Event(
            "PersonUpdated",
            who["psn_no"],
            {"person": person_payload(who, version=version, death_date=death_date)},
            "enrollment",
        )

    poll = [
        snapshot(TASHI, 3, "2026-11-20"),  # recorded dead, corrected in the same poll
        snapshot(TASHI, 4, None),
        snapshot(DROLMA, 4, None),  # the newer snapshot arrives first
        snapshot(DROLMA, 3, "2026-11-20"),
    ]
    with runtime.unit_of_work() as session:
        handle_many(session, [("enrollment.people.v1", e) for e in poll])
    assert outbox_types(runtime) == ["VoucherActivated", "VoucherActivated"]  # nobody's voucher was revoked
    with runtime.unit_of_work() as session:
        handle_many(session, [("enrollment.people.v1", snapshot(DROLMA, 5, "2026-11-25"))])
    assert outbox_types(runtime)[-1] == "VoucherRevoked"


def test_figures_count_activated_vouchers_and_standing_voucher_settlements_per_pool(runtime: Runtime) -> None:
    enrolled(runtime, TASHI)
    enrolled(runtime, DROLMA)
    verified_activation(runtime, "openid-t", "扎西", TASHI["certno"])
    settled(runtime, "S1", TASHI, "01")
    settled(runtime, "S2", TASHI, "01")
    settled(runtime, "S3", DROLMA, "02")
    settled(runtime, "R2", TASHI, "01", reversal_of="S2")
    settled(runtime, "S1", TASHI, "01")
    [pool] = views.figures(SqlUnits(runtime))
    assert pool == {
        "insuplc_admdvs": "540100", "enrolled_people": 2, "activated_vouchers": 1, "activation_rate": "0.5000",
        "settlements": 2, "voucher_settlements": 1, "settlement_use_rate": "0.5000",
    }  # fmt: skip
    mine = views.my_settlements(SqlUnits(runtime), "openid-t")
    assert {(s["setl_id"], s["reversed"]) for s in mine} == {("S1", False), ("S2", True), ("R2", False)}


def test_the_migration_downgrades_to_nothing_and_upgrades_again(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    upgrade(ALEMBIC_INI, database_url)
    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["database_url"] = database_url
    command.downgrade(cfg, "base")
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade(ALEMBIC_INI, database_url)
    engine = make_engine(database_url)
    assert "voucher" in inspect(engine).get_table_names()
    engine.dispose()


def test_the_demo_registers_the_local_his_stand_in_as_each_demo_hospitals_callback_origin(runtime: Runtime) -> None:
    from evoucher.demo import DEMO_HIS_CALLBACK_ORIGIN, load_demo

    load_demo(runtime)
    load_demo(runtime)
    with runtime.unit_of_work() as session:
        assert SqlStore(session).callback_origins("H54010000001") == [DEMO_HIS_CALLBACK_ORIGIN]
        assert SqlStore(session).callback_origins("P54010000001") == []
