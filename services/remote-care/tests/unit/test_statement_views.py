"""Previews of an open month and province-pair statements, on the in-memory store.

Amounts are chosen so every total is checked to the cent: a reversal nets its original to
zero on the original's line, and a province statement is the sum of its city-pair lines.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from fakes import FakeStore, FakeStores

from remote_care.domain.errors import Conflict, Forbidden, NotFound
from remote_care.domain.filings import Channel
from remote_care.messaging.contracts import CLEARING_TOPIC, settlement_item
from remote_care.usecases import clearing, statement_views
from remote_care.usecases.common import Actor

TODAY = dt.date(2026, 3, 10)  # March is open, February closed
BUREAU = Actor(Channel.ADMIN, "clearing-desk")
HUNAN = Actor(Channel.PARTNER, "partner-430000", province="430000")  # pays for 430600 and 430100
BEIJING = Actor(Channel.PARTNER, "partner-110000", province="110000")  # treats them, owed the money
TIBET = Actor(Channel.PARTNER, "partner-540000", province="540000")  # a stranger to Hunan-Beijing
_ids = itertools.count(1)


def _add(
    stores: FakeStores,
    *,
    insured: str = "430600",
    treating: str = "110100",
    when: str = "2026-03-05T09:00:00",
    fund: str = "600.00",
    acct: str = "100.00",
    medfee: str = "1000.00",
    clr_type: str = "21",
    reverses: str | None = None,
) -> str:
    setl_id = f"S{next(_ids):06d}"
    payload: dict = {
        "settlement": {
            "setl_id": setl_id,
            "mdtrt_id": f"M{reverses or setl_id}",
            "psn_no": "43060000000000000001",
            "certno": "430602197007070923",
            "fixmedins_code": "H11010000001",
            "insuplc_admdvs": insured,
            "mdtrtarea_admvs": treating,
            "pay_loc": "3" if insured[:2] == treating[:2] else "4",
            "clr_type": clr_type,
            "setl_time": when,
            "medfee_sumamt": medfee,
            "fund_pay_sumamt": fund,
            "acct_pay": acct,
        }
    }
    if reverses:
        payload["original_setl_id"] = reverses
    stores.store.add_item(settlement_item(payload, reversal=reverses is not None))
    return setl_id


@pytest.fixture
def stores() -> FakeStores:
    return FakeStores(FakeStore())


def _month_with_a_reversal(stores: FakeStores, month: str) -> None:
    first = _add(stores, when=f"{month}-05T09:00:00", fund="1300.00", acct="0.00", medfee="3000.00")
    _add(stores, when=f"{month}-06T10:30:00", fund="2275.00", acct="12.34", medfee="4500.00", clr_type="11")
    _add(stores, when=f"{month}-07T08:00:00", fund="-1300.00", acct="0.00", medfee="-3000.00", reverses=first)


def test_an_open_months_preview_nets_a_reversal_to_the_cent_and_has_no_statement_id(stores: FakeStores) -> None:
    _month_with_a_reversal(stores, "2026-03")

    [preview] = statement_views.previews(stores, HUNAN, on=TODAY)

    assert (preview["preview"], preview["status"], preview["period"]) == (True, "preview", "2026-03")
    assert "statement_id" not in preview and preview["issued_as"] == "CLR-202603-430600-110100"
    assert preview["setl_cnt"] == 1
    assert (preview["fund_pay_sumamt"], preview["acct_pay"], preview["owed_amt"]) == (
        Decimal("2275.00"),
        Decimal("12.34"),
        Decimal("2287.34"),
    )
    assert preview["by_clr_type"]["21"]["owed_amt"] == Decimal("0.00")
    assert "still open" in preview["note"]
    lines = statement_views.preview_lines(
        stores, HUNAN, period="2026-03", insured_admdvs="430600", treating_admdvs="110100", on=TODAY
    )
    assert [(line["setl_cnt"], line["reversed"], line["owed_amt"]) for line in lines["lines"]] == [
        (0, True, Decimal("0.00")),
        (1, False, Decimal("2287.34")),
    ]
    # Nothing was issued or staged by reading a preview.
    assert stores.store.statement_rows == {} and stores.store.staged(CLEARING_TOPIC) == []


def test_the_preview_of_a_month_equals_the_statement_the_bureau_issues_once_it_has_ended(stores: FakeStores) -> None:
    _month_with_a_reversal(stores, "2026-02")
    [preview] = statement_views.previews(stores, BUREAU, period="2026-02", on=TODAY)

    [issued] = clearing.run_clearing(stores, "2026-02", BUREAU, on=TODAY)

    assert issued["statement_id"] == preview["issued_as"]
    for key in ("setl_cnt", "medfee_sumamt", "fund_pay_sumamt", "acct_pay", "owed_amt", "by_fund", "by_clr_type"):
        assert issued[key] == preview[key], key
    assert statement_views.previews(stores, BUREAU, period="2026-02", on=TODAY) == []


def test_confirming_or_disputing_a_preview_is_refused_naming_when_the_statement_will_exist(stores: FakeStores) -> None:
    _month_with_a_reversal(stores, "2026-03")

    with pytest.raises(Conflict) as confirm:
        clearing.decide_statement(stores, HUNAN, "CLR-202603-430600-110100", "confirm", on=TODAY)
    with pytest.raises(Conflict) as dispute:
        clearing.decide_statement(stores, HUNAN, "CLR-202603-430600-110100", "dispute", "too much", on=TODAY)
    with pytest.raises(Conflict) as province:
        statement_views.confirm_province_statement(stores, HUNAN, "PRV-202603-430000-110000", on=TODAY)

    for refused in (confirm, dispute, province):
        assert refused.value.code == "preview_not_confirmable"
        assert "month 2026-03 is still open" in refused.value.message and "2026-04-01" in refused.value.message
    with pytest.raises(Forbidden):
        clearing.decide_statement(stores, TIBET, "CLR-202603-430600-110100", "confirm", on=TODAY)
    with pytest.raises(NotFound):
        clearing.decide_statement(stores, HUNAN, "CLR-nothing", "confirm", on=TODAY)


def test_a_closed_month_not_yet_run_is_still_a_preview_and_not_confirmable(stores: FakeStores) -> None:
    _month_with_a_reversal(stores, "2026-02")

    with pytest.raises(Conflict) as refused:
        clearing.decide_statement(stores, HUNAN, "CLR-202602-430600-110100", "confirm", on=TODAY)

    assert refused.value.code == "preview_not_confirmable" and "has not issued" in refused.value.message
    with pytest.raises(NotFound):  # a closed month with nothing to clear between them
        clearing.decide_statement(stores, HUNAN, "CLR-202602-430600-340100", "confirm", on=TODAY)


def _two_city_pairs_and_a_stranger(stores: FakeStores) -> None:
    _month_with_a_reversal(stores, "2026-02")  # 430600 -> 110100: 2,287.34
    _add(stores, insured="430100", when="2026-02-11T11:00:00", fund="100.01", acct="0.99", medfee="150.00")
    _add(stores, insured="430100", when="2026-02-12T11:00:00", fund="0.10", acct="0.00", medfee="0.10")
    _add(stores, insured="540100", treating="430600", when="2026-02-03T11:00:00", fund="5.00", acct="0.00")
    clearing.run_clearing(stores, "2026-02", BUREAU, on=TODAY)


def test_a_province_statement_has_the_city_pairs_as_lines_and_their_sums_to_the_cent(stores: FakeStores) -> None:
    _two_city_pairs_and_a_stranger(stores)

    [hunan_beijing, tibet_hunan] = statement_views.province_statements(stores, HUNAN, period="2026-02")

    assert hunan_beijing["province_statement_id"] == "PRV-202602-430000-110000"
    assert (hunan_beijing["paying_province"], hunan_beijing["scope"], hunan_beijing["status"]) == (
        "430000",
        "cross_province",
        "issued",
    )
    assert [(line["statement_id"], line["owed_amt"]) for line in hunan_beijing["lines"]] == [
        ("CLR-202602-430100-110100", Decimal("101.10")),
        ("CLR-202602-430600-110100", Decimal("2287.34")),
    ]
    assert hunan_beijing["owed_amt"] == Decimal("2388.44") and hunan_beijing["setl_cnt"] == 3
    assert hunan_beijing["medfee_sumamt"] == Decimal("4650.10")
    assert hunan_beijing["by_fund"] == {"fund_pay_sumamt": Decimal("2375.11"), "acct_pay": Decimal("13.33")}
    assert hunan_beijing["by_clr_type"]["21"]["owed_amt"] == Decimal("101.10")
    assert tibet_hunan["province_statement_id"] == "PRV-202602-540000-430000"
    assert [s["province_statement_id"] for s in statement_views.province_statements(stores, BEIJING)] == [
        "PRV-202602-430000-110000"
    ]
    with pytest.raises(Forbidden):
        statement_views.province_statement(stores, TIBET, "PRV-202602-430000-110000", on=TODAY)


def test_the_paying_province_confirms_every_line_at_once_but_not_while_one_is_disputed(stores: FakeStores) -> None:
    _two_city_pairs_and_a_stranger(stores)
    province = "PRV-202602-430000-110000"
    clearing.decide_statement(stores, HUNAN, "CLR-202602-430100-110100", "dispute", "S000004 was never admitted")

    with pytest.raises(Conflict, match="CLR-202602-430100-110100"):
        statement_views.confirm_province_statement(stores, HUNAN, province, on=TODAY)
    assert statement_views.province_statement(stores, HUNAN, province, on=TODAY)["status"] == "disputed"

    clearing.decide_statement(stores, BUREAU, "CLR-202602-430100-110100", "reissue")
    with pytest.raises(Forbidden) as treating_side:
        statement_views.confirm_province_statement(stores, BEIJING, province, on=TODAY)
    assert treating_side.value.code == "paying_side_only"
    confirmed = statement_views.confirm_province_statement(stores, HUNAN, province, on=TODAY)

    assert confirmed["status"] == "confirmed"
    assert {line["status"] for line in confirmed["lines"]} == {"confirmed"}
    assert stores.store.statement_rows["CLR-202602-540100-430600"].status == "issued"
    staged = [e.event_type for e in stores.store.staged(CLEARING_TOPIC)]
    assert staged.count("StatementConfirmed") == 2
    with pytest.raises(Conflict, match="already confirmed"):
        statement_views.confirm_province_statement(stores, HUNAN, province, on=TODAY)


def test_a_reissued_statement_starts_without_the_dispute_reason_which_its_history_keeps(stores: FakeStores) -> None:
    _month_with_a_reversal(stores, "2026-02")
    [issued] = clearing.run_clearing(stores, "2026-02", BUREAU, on=TODAY)
    sid = issued["statement_id"]

    disputed = clearing.decide_statement(stores, HUNAN, sid, "dispute", "line S000002 is not ours")
    reissued = clearing.decide_statement(stores, BUREAU, sid, "reissue")

    assert disputed["dispute_reason"] == "line S000002 is not ours"
    assert (reissued["status"], reissued["revision"], reissued["dispute_reason"]) == ("reissued", 2, None)
    [_, _, event] = stores.store.staged(CLEARING_TOPIC)
    assert event.event_type == "StatementReissued" and event.payload["statement"]["dispute_reason"] is None
    history = clearing.statement_audit_trail(stores, BEIJING, sid)
    assert [(h["action"], h["reason"]) for h in history] == [
        ("issue", None),
        ("dispute", "line S000002 is not ours"),
        ("reissue", None),
    ]


def test_an_open_months_province_preview_sums_its_city_pair_previews_and_is_marked_preview(stores: FakeStores) -> None:
    _month_with_a_reversal(stores, "2026-03")
    _add(stores, insured="430100", when="2026-03-09T11:00:00", fund="0.01", acct="0.00", medfee="0.01")

    [preview] = statement_views.province_previews(stores, BEIJING, on=TODAY)

    assert (preview["preview"], preview["status"], preview["issued_as"]) == (
        True,
        "preview",
        "PRV-202603-430000-110000",
    )
    assert "province_statement_id" not in preview
    assert [(line["issued_as"], line["status"], line["owed_amt"]) for line in preview["lines"]] == [
        ("CLR-202603-430100-110100", "preview", Decimal("0.01")),
        ("CLR-202603-430600-110100", "preview", Decimal("2287.34")),
    ]
    assert (preview["owed_amt"], preview["setl_cnt"]) == (Decimal("2287.35"), 2)
    assert statement_views.province_previews(stores, TIBET, on=TODAY) == []
    with pytest.raises(NotFound) as not_issued:
        statement_views.province_statement(stores, HUNAN, "PRV-202603-430000-110000", on=TODAY)
    assert not_issued.value.code == "not_issued" and "preview" in not_issued.value.message
