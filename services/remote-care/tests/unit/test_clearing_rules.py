from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from remote_care.domain import clearing
from remote_care.domain.errors import Conflict, Forbidden, Refused

LIFECYCLE = [
    ("confirm", "issued", "confirmed"),
    ("dispute", "issued", "disputed"),
    ("reissue", "disputed", "reissued"),
    ("confirm", "reissued", "confirmed"),
    ("dispute", "reissued", "disputed"),
]


@pytest.mark.parametrize("action, current, expected", LIFECYCLE)
def test_a_statement_moves_issued_to_confirmed_or_disputed_and_disputed_to_reissued(action, current, expected) -> None:
    assert clearing.next_status(action, current, "CLR-1") == expected


@pytest.mark.parametrize(
    "action, current",
    [("confirm", "confirmed"), ("dispute", "confirmed"), ("reissue", "issued"), ("confirm", "disputed")],
)
def test_a_statement_refuses_a_step_its_status_does_not_allow(action, current) -> None:
    with pytest.raises(Conflict, match=current):
        clearing.next_status(action, current, "CLR-1")


@pytest.mark.parametrize(
    "period, today, closed",
    [
        ("2026-01", date(2026, 2, 1), True),
        ("2025-12", date(2026, 1, 5), True),
        ("2026-02", date(2026, 2, 28), False),
        ("2026-03", date(2026, 2, 28), False),
    ],
)
def test_only_a_month_that_has_ended_can_be_cleared(period, today, closed) -> None:
    if closed:
        clearing.ensure_closed(period, today)
    else:
        with pytest.raises(Refused, match="not closed"):
            clearing.ensure_closed(period, today)


@pytest.mark.parametrize("period", ["2026-13", "202601", "", "2026-1"])
def test_a_period_must_be_written_yyyy_mm(period) -> None:
    with pytest.raises(Refused, match="yyyy-MM"):
        clearing.parse_period(period)


def test_a_province_is_a_party_when_it_is_the_insured_or_the_treating_side() -> None:
    clearing.ensure_party("430000", "430600", "110100", "S")
    clearing.ensure_party("110000", "430600", "110100", "S")
    with pytest.raises(Forbidden):
        clearing.ensure_party("540000", "430600", "110100", "S")


def test_amounts_round_trip_through_fen_exactly_and_refuse_fractions_of_a_cent() -> None:
    assert clearing.yuan(clearing.fen(Decimal("-7677.60"))) == Decimal("-7677.60")
    with pytest.raises(ValueError):
        clearing.fen(Decimal("0.001"))


def test_a_dispute_without_a_reason_is_refused() -> None:
    with pytest.raises(Refused, match="reason"):
        clearing.require_reason("  ")


@pytest.mark.parametrize(
    "statuses, expected",
    [
        (["issued", "reissued"], "issued"),
        (["confirmed", "confirmed"], "confirmed"),
        (["confirmed", "issued"], "partly_confirmed"),
        (["confirmed", "disputed", "issued"], "disputed"),
        (["reissued"], "issued"),
    ],
)
def test_a_province_statements_status_follows_its_city_pair_lines(statuses, expected) -> None:
    assert clearing.province_status(statuses) == expected


def test_city_pair_totals_sum_per_clr_type_in_fen_and_a_reversal_nets_its_original() -> None:
    beijing = {"21": {"setl_cnt": 1, "medfee_fen": 300_000, "fund_fen": 130_000, "acct_fen": 0}}
    reversed_in_month = {"21": {"setl_cnt": -1, "medfee_fen": -300_000, "fund_fen": -130_000, "acct_fen": 0}}
    other_city = {
        "11": {"setl_cnt": 2, "medfee_fen": 15_010, "fund_fen": 10_011, "acct_fen": 99},
        "21": {"setl_cnt": 1, "medfee_fen": 1, "fund_fen": 1, "acct_fen": 0},
    }

    total = clearing.sum_by_clr_type([beijing, reversed_in_month, other_city])

    assert total == {
        "11": {"setl_cnt": 2, "medfee_fen": 15_010, "fund_fen": 10_011, "acct_fen": 99},
        "21": {"setl_cnt": 1, "medfee_fen": 1, "fund_fen": 1, "acct_fen": 0},
    }
    assert clearing.add_amounts(*total.values()) == {
        "setl_cnt": 3,
        "medfee_fen": 15_011,
        "fund_fen": 10_012,
        "acct_fen": 99,
    }


def test_statement_ids_name_the_month_and_the_pair_of_pools_or_of_provinces() -> None:
    assert clearing.statement_id("2026-01", "430600", "110100") == "CLR-202601-430600-110100"
    assert clearing.parse_statement_id("CLR-202601-430600-110100") == ("2026-01", "430600", "110100")
    assert clearing.parse_statement_id("CLR-202613-430600-110100") is None
    assert clearing.province_pair("430600", "110100") == ("430000", "110000")
    assert clearing.parse_province_statement_id("PRV-202601-430000-110000") == ("2026-01", "430000", "110000")
    with pytest.raises(Refused, match="PRV-yyyyMM"):
        clearing.parse_province_statement_id("PRV-202601-430600-110100")


@pytest.mark.parametrize(
    "period, today, says",
    [
        ("2026-03", date(2026, 3, 10), "from 2026-04-01"),
        ("2026-12", date(2026, 12, 31), "from 2027-01-01"),
        ("2026-02", date(2026, 3, 10), "has not issued the statements of 2026-02"),
    ],
)
def test_a_preview_is_not_confirmable_and_the_refusal_says_when_the_statement_will_exist(period, today, says) -> None:
    refusal = clearing.not_confirmable("CLR-x", period, today)
    assert refusal.code == "preview_not_confirmable" and says in refusal.message
    assert clearing.is_open(period, today) is ("open" in refusal.message)
