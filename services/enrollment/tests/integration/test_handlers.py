import datetime as dt
from decimal import Decimal

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from enrollment import queries
from enrollment.demo import load_demo
from enrollment.domain import commands as c
from enrollment.domain.errors import Conflict
from enrollment.main import build
from enrollment.store import SqlUnitOfWork
from enrollment.usecases import contributions, enrollments, identities, lifecycle, people
from medshared.events import Event
from medshared.runtime import Runtime
from tests.conftest import ALEMBIC_INI, outbox_count, settings_for

D = dt.date
ZHAXI, CIREN, WANG, ZHANG, WU = (
    "54010000000000000001",
    "54010000000000000003",
    "54010000000000000004",
    "54010000000000000006",
    "43060000000000000002",
)


def staged(runtime: Runtime) -> list[Event]:
    from sqlalchemy import select

    from enrollment.db import outbox

    with runtime.factory() as session:
        return [Event.from_json(b) for b in session.execute(select(outbox.c.body).order_by(outbox.c.id)).scalars()]


def test_the_demo_loads_once_and_a_second_run_changes_nothing(runtime: Runtime) -> None:
    assert load_demo(runtime) == 35
    events = staged(runtime)
    assert load_demo(runtime) == 0
    assert outbox_count(runtime) == len(events) == 32
    ciren = queries.person_detail(runtime, CIREN)
    assert ciren["identities"][0]["psn_idet_type"] == "2202"
    assert ciren["contributions"][0]["lines"] == [
        {"payer": "person", "amount": Decimal("32.00")},
        {"payer": "medical_assistance", "amount": Decimal("288.00")},
    ]
    opening = [e.payload["credit"] for e in events if e.event_type == "AccountCredited"]
    assert {(c["psn_no"], str(c["amount"]), c["kind"]) for c in opening} == {
        (WANG, "5000.00", "opening"),
        ("54010000000000000005", "3000.00", "opening"),
        (ZHANG, "8000.00", "opening"),
        (WU, "6000.00", "opening"),
    }
    li = queries.person_detail(runtime, "54010000000000000005")["enrollments"][0]
    assert (li["psn_type"], li["cvlserv_flag"], li["emp_no"], li["emp_name"]) == (
        "1102",
        "1",
        "E54010000002",
        "拉萨市民政局(演示)",
    )


def test_a_refused_duplicate_enrollment_stores_nothing_and_stages_no_event(
    demo_runtime: Runtime,
) -> None:
    before = outbox_count(demo_runtime)
    with pytest.raises(Conflict) as exc:
        enrollments.enroll(
            SqlUnitOfWork(demo_runtime),
            c.Enroll(
                psn_no=ZHAXI,
                insutype="390",
                insuplc_admdvs="341300",
                psn_type="1501",
                begndate=D(2026, 1, 1),
                tier="320",
            ),
        )
    assert exc.value.extra["insuplc_admdvs"] == "540100"
    assert outbox_count(demo_runtime) == before
    assert len(queries.person_detail(demo_runtime, ZHAXI)["enrollments"]) == 1


def test_death_terminates_every_enrollment_from_that_date_and_stops_credits(
    demo_runtime: Runtime,
) -> None:
    people.record_death(SqlUnitOfWork(demo_runtime), c.RecordDeath(psn_no=ZHANG, death_date=D(2026, 5, 10)))
    detail = queries.person_detail(demo_runtime, ZHANG)
    [enrollment] = detail["enrollments"]
    assert detail["death_date"] == D(2026, 5, 10) and detail["version"] == 2
    assert (
        enrollment["status"],
        enrollment["enddate"],
        enrollment["periods"][-1]["begndate"],
    ) == ("terminated", D(2026, 5, 9), D(2026, 5, 10))
    assert [e.event_type for e in staged(demo_runtime)[-2:]] == [
        "PersonDied",
        "EnrollmentTerminated",
    ]
    with pytest.raises(Conflict, match="died on 2026-05-10"):
        contributions.credit_account(
            SqlUnitOfWork(demo_runtime),
            c.CreditAccount(psn_no=ZHANG, kind="retiree_monthly", credited_on=D(2026, 6, 1)),
        )


def test_a_retiree_is_credited_the_policy_amount_once_a_month(
    demo_runtime: Runtime,
) -> None:
    credit = contributions.credit_account(
        SqlUnitOfWork(demo_runtime),
        c.CreditAccount(psn_no=ZHANG, kind="retiree_monthly", credited_on=D(2026, 2, 1)),
    )
    assert credit["amount"] == Decimal("100.00")
    with pytest.raises(Conflict, match="already has this retiree_monthly credit"):
        contributions.credit_account(
            SqlUnitOfWork(demo_runtime),
            c.CreditAccount(psn_no=ZHANG, kind="retiree_monthly", credited_on=D(2026, 2, 15)),
        )


def test_a_transfer_ends_the_old_pool_opens_the_new_one_and_keeps_both(
    demo_runtime: Runtime,
) -> None:
    [old] = queries.person_detail(demo_runtime, ZHAXI)["enrollments"]
    out, into = lifecycle.transfer(
        SqlUnitOfWork(demo_runtime),
        c.Transfer(
            enrollment_id=old["enrollment_id"],
            to_admdvs="430600",
            effective_date=D(2026, 7, 1),
            reason="moved",
            tier="320",
        ),
    )
    assert (out.status, out.enddate) == ("terminated", D(2026, 6, 30))
    assert (into.insuplc_admdvs, into.begndate, into.transferred_from, into.status) == (
        "430600",
        D(2026, 7, 1),
        old["enrollment_id"],
        "active",
    )
    assert [e.event_type for e in staged(demo_runtime)[-2:]] == [
        "EnrollmentTransferredOut",
        "EnrollmentTransferredIn",
    ]
    assert [e["insuplc_admdvs"] for e in queries.person_detail(demo_runtime, ZHAXI)["enrollments"]] == [
        "540100",
        "430600",
    ]


def test_a_subsidised_identity_cannot_be_granted_twice_for_overlapping_dates_but_can_be_revoked(
    demo_runtime: Runtime,
) -> None:
    with pytest.raises(Conflict, match="already holds 2202"):
        identities.grant_identity(
            SqlUnitOfWork(demo_runtime),
            c.GrantIdentity(psn_no=CIREN, psn_idet_type="2202", begntime=D(2026, 6, 1), endtime=None),
        )
    [identity] = queries.person_detail(demo_runtime, CIREN)["identities"]
    revoked = identities.revoke_identity(
        SqlUnitOfWork(demo_runtime),
        c.RevokeIdentity(identity_id=identity["identity_id"], memo="income above threshold"),
    )
    assert (revoked.revoked, revoked.version) == (True, 2)
    assert staged(demo_runtime)[-1].payload["identity"]["revoked"] is True


def test_migrations_downgrade_to_nothing_and_upgrade_again(migrated_url: str) -> None:
    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["database_url"] = migrated_url
    command.downgrade(cfg, "base")
    runtime = build(settings_for(migrated_url))
    assert set(inspect(runtime.engine).get_table_names()) <= {"alembic_version"}
    runtime.stop()
    command.upgrade(cfg, "head")
    runtime = build(settings_for(migrated_url))
    assert load_demo(runtime) == 35
    runtime.stop()
