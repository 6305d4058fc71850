"""Clearing over generated out-of-area settlements and reversals, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from builders import TODAY, feed, reversal_of, settled
from sqlalchemy import func, select

from medshared.events import Event
from remote_care.db import outbox, statement_audit
from remote_care.domain.errors import Conflict, Refused
from remote_care.domain.filings import Channel
from remote_care.store import SqlStores
from remote_care.usecases import clearing, statement_views
from remote_care.usecases.common import Actor

BUREAU = Actor(Channel.ADMIN, "clearing-desk")
HUNAN = Actor(Channel.PARTNER, "partner-430000", province="430000")  # pays for the insured pool 430600
TOPIC = "settlement.settlements.v1"
PAIRS = [
    ("430600", "110100", "4"),
    ("540100", "110100", "4"),
    ("430600", "341300", "4"),
    ("341300", "430600", "4"),
    ("540100", "540200", "3"),
]


def _month_of_settlements(seed: int) -> tuple[list[Event], list[Event]]:
    rng = random.Random(seed)
    originals, reversals = [], []
    for i in range(120):
        insured, treating, pay_loc = PAIRS[i % len(PAIRS)]
        fund = Decimal(rng.randint(1, 900_000)) / 100
        acct = Decimal(rng.randint(0, 50_000)) / 100
        medfee = fund + acct + Decimal(rng.randint(0, 100_000)) / 100
        event = settled(
            insured=insured,
            treating=treating,
            pay_loc=pay_loc,
            clr_type=rng.choice(["11", "21", "41"]),
            when=f"2026-01-{rng.randint(1, 31):02d}T{rng.randint(0, 23):02d}:00:00",
            medfee=str(medfee),
            fund=str(fund),
            acct=str(acct),
        )
        originals.append(event)
        if i % 7 == 0:
            reversals.append(reversal_of(event, when="2026-01-31T23:59:59"))
    return originals, reversals


def _owed(events: list[Event]) -> Decimal:
    return sum(
        (
            Decimal(e.payload["settlement"]["fund_pay_sumamt"]) + Decimal(e.payload["settlement"]["acct_pay"])
            for e in events
        ),
        Decimal("0"),
    )


def test_statements_equal_their_lines_and_together_the_settlements_minus_reversals_to_the_cent(runtime) -> None:
    originals, reversals = _month_of_settlements(seed=4)
    local = settled(insured="430600", treating="430600", pay_loc="2")
    assert feed(runtime, *originals, *reversals, local, topic=TOPIC) == len(originals) + len(reversals) + 1

    statements = clearing.run_clearing(SqlStores(runtime), "2026-01", BUREAU, on=TODAY)

    assert len(statements) == len(PAIRS)
    assert {s["scope"] for s in statements} == {"cross_province", "in_province"}
    for s in statements:
        lines = clearing.statement_lines(SqlStores(runtime), BUREAU, s["statement_id"])["lines"]
        assert s["owed_amt"] == sum((line["owed_amt"] for line in lines), Decimal("0"))
        assert s["setl_cnt"] == sum(line["setl_cnt"] for line in lines)
        assert s["owed_amt"] == s["fund_pay_sumamt"] + s["acct_pay"]
        assert s["owed_amt"] == sum((v["owed_amt"] for v in s["by_clr_type"].values()), Decimal("0"))
        assert all(line["owed_amt"] == 0 for line in lines if line["reversed"])
    assert sum((s["owed_amt"] for s in statements), Decimal("0")) == _owed(originals) + _owed(reversals)
    assert sum(s["setl_cnt"] for s in statements) == len(originals) - len(reversals)


def test_replaying_the_same_events_and_running_again_changes_nothing(runtime) -> None:
    originals, reversals = _month_of_settlements(seed=9)
    feed(runtime, *originals, *reversals, topic=TOPIC)
    first = clearing.run_clearing(SqlStores(runtime), "2026-01", BUREAU, on=TODAY)

    assert feed(runtime, *originals, *reversals, topic=TOPIC) == 0
    second = clearing.run_clearing(SqlStores(runtime), "2026-01", BUREAU, on=TODAY)

    assert second == first
    with runtime.factory() as session:
        issued = session.execute(
            select(func.count()).select_from(outbox).where(outbox.c.event_type == "StatementIssued")
        ).scalar_one()
    assert issued == len(PAIRS)


def test_a_settlement_redelivered_under_a_new_event_id_is_counted_once(runtime) -> None:
    original = settled()
    copy = Event(original.event_type, original.key, original.payload, original.producer)
    feed(runtime, original, copy, topic=TOPIC)
    [only] = clearing.run_clearing(SqlStores(runtime), "2026-01", BUREAU, on=TODAY)
    assert only["setl_cnt"] == 1 and only["owed_amt"] == Decimal("700.00")


def test_a_reversal_in_a_later_month_is_a_negative_line_of_that_month(runtime) -> None:
    original = settled(when="2026-01-20T09:00:00")
    feed(runtime, original, reversal_of(original, when="2026-02-03T09:00:00"), topic=TOPIC)
    [january] = clearing.run_clearing(SqlStores(runtime), "2026-01", BUREAU, on=TODAY)
    [february] = clearing.run_clearing(SqlStores(runtime), "2026-02", BUREAU, on=TODAY)
    assert (january["owed_amt"], february["owed_amt"]) == (Decimal("700.00"), Decimal("-700.00"))
    assert february["setl_cnt"] == -1


def test_an_open_month_cannot_be_cleared(runtime) -> None:
    with pytest.raises(Refused, match="not closed"):
        clearing.run_clearing(SqlStores(runtime), "2026-03", BUREAU, on=TODAY)


def test_a_disputed_statement_is_reissued_with_late_settlements_and_every_step_is_audited(runtime) -> None:
    feed(runtime, settled(), topic=TOPIC)
    [issued] = clearing.run_clearing(SqlStores(runtime), "2026-01", BUREAU, on=TODAY)
    sid = issued["statement_id"]
    disputed = clearing.decide_statement(SqlStores(runtime), HUNAN, sid, "dispute", "missing the stay of 01-30")
    feed(runtime, settled(when="2026-01-30T12:00:00", fund="50.05", acct="0.00"), topic=TOPIC)

    reissued = clearing.decide_statement(SqlStores(runtime), BUREAU, sid, "reissue")
    confirmed = clearing.decide_statement(SqlStores(runtime), HUNAN, sid, "confirm")

    assert disputed["status"] == "disputed" and disputed["dispute_reason"] == "missing the stay of 01-30"
    assert (reissued["status"], reissued["revision"], reissued["owed_amt"]) == ("reissued", 2, Decimal("750.05"))
    assert reissued["dispute_reason"] is None
    assert confirmed["status"] == "confirmed" and confirmed["version"] == 4
    with pytest.raises(Conflict):
        clearing.decide_statement(SqlStores(runtime), HUNAN, sid, "dispute", "too late")
    trail = clearing.statement_audit_trail(SqlStores(runtime), BUREAU, sid)
    assert [t["action"] for t in trail] == ["issue", "dispute", "reissue", "confirm"]
    with runtime.factory() as session:
        events = (
            session.execute(
                select(outbox.c.event_type).where(outbox.c.topic == "remote_care.clearing.v1").order_by(outbox.c.id)
            )
            .scalars()
            .all()
        )
        audited = session.execute(select(func.count()).select_from(statement_audit)).scalar_one()
    assert events == ["StatementIssued", "StatementDisputed", "StatementReissued", "StatementConfirmed"]
    assert audited == 4


def test_a_months_preview_in_sql_is_what_the_run_then_issues_to_the_cent(runtime) -> None:
    originals, reversals = _month_of_settlements(seed=11)
    feed(runtime, *originals, *reversals, topic=TOPIC)
    stores = SqlStores(runtime)
    previews = statement_views.previews(stores, BUREAU, period="2026-01", on=TODAY)
    hunan = statement_views.previews(stores, HUNAN, period="2026-01", on=TODAY)
    page = statement_views.preview_lines(
        stores, HUNAN, period="2026-01", insured_admdvs="430600", treating_admdvs="110100", on=TODAY
    )

    issued = clearing.run_clearing(stores, "2026-01", BUREAU, on=TODAY)

    assert [p["issued_as"] for p in previews] == [s["statement_id"] for s in issued]
    for preview, statement in zip(previews, issued, strict=True):
        for key in ("setl_cnt", "medfee_sumamt", "owed_amt", "by_fund", "by_clr_type"):
            assert preview[key] == statement[key], (statement["statement_id"], key)
    assert {p["issued_as"] for p in hunan} == {
        "CLR-202601-430600-110100",
        "CLR-202601-430600-341300",
        "CLR-202601-341300-430600",
    }
    issued_lines = clearing.statement_lines(stores, BUREAU, "CLR-202601-430600-110100")
    assert page["totalrow"] == issued_lines["totalrow"] and page["lines"] == issued_lines["lines"]
    provinces = statement_views.province_statements(stores, BUREAU, period="2026-01")
    assert sum((p["owed_amt"] for p in provinces), Decimal("0")) == _owed(originals) + _owed(reversals)
