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
