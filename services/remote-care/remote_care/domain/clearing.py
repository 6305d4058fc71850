"""Inter-region clearing (异地清算): which months may be cleared and how a statement moves.

A statement covers one closed month and one pair (insured pool, treating pool). The
insured side owes what the treating side advanced to its hospitals: fund_pay_sumamt +
acct_pay. A reversal is a line of the month it happened in, netted against its original
under the original's setl_id, so a settlement reversed within the month clears to zero.

Lifecycle: issued -> confirmed | disputed; disputed -> reissued (recomputed);
reissued -> confirmed | disputed.

Who takes which step: the paying side (the insured pool's province, which owes the money)
confirms or disputes; the treating side (owed the money) reads the statement and its lines
and cannot accept it on the payer's behalf; the bureau runs the month and reissues a
disputed statement, and confirms nothing itself.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from remote_care.domain.errors import Conflict, Forbidden, Refused

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")

_NEXT = {
    "confirm": ({"issued", "reissued"}, "confirmed"),
    "dispute": ({"issued", "reissued"}, "disputed"),
    "reissue": ({"disputed"}, "reissued"),
}


def parse_period(period: str) -> tuple[int, int]:
    match = _PERIOD.match(period or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Refused(f"period {period!r} must be a month written yyyy-MM, e.g. 2026-01", code="bad_period")
    return int(match.group(1)), int(match.group(2))


def ensure_closed(period: str, today: date) -> None:
    year, month = parse_period(period)
    if (year, month) >= (today.year, today.month):
        raise Refused(
            f"month {period} is not closed yet; clearing runs for a month once it has ended "
            f"(the latest closable month today is {_previous_month(today)})",
            code="month_open",
        )


def _previous_month(today: date) -> str:
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{month:02d}"


def next_status(action: str, current: str, statement: str) -> str:
    allowed, target = _NEXT[action]
    if current not in allowed:
        raise Conflict(
            f"statement {statement} is {current}; {action} needs it to be {' or '.join(sorted(allowed))}",
            code="wrong_status",
        )
    return target


def require_reason(reason: str | None) -> str:
    if not reason or not reason.strip():
        raise Refused("a dispute needs a reason: say which lines or amounts are contested", code="reason_required")
    return reason.strip()


def ensure_may_decide(action: str, province: str | None, insured: str, statement: str) -> None:
    """Confirm and dispute are the paying side's; reissue is the bureau's (province None)."""
    paying = f"{insured[:2]}0000"
    if action == "reissue":
        if province is not None:
            raise Forbidden(f"the bureau reissues statement {statement}; a province confirms or disputes it")
        return
    if province is None:
        raise Forbidden(
            f"the paying side confirms or disputes statement {statement}: province {paying}, through "
            f"POST /partner/v1/statements/{statement}/{action}; the bureau runs clearing and reissues",
            code="paying_side_only",
        )
    if province[:2] != insured[:2]:
        raise Forbidden(
            f"province {province} is the treating side of statement {statement} (owed the money) and may read it; "
            f"only the paying side, province {paying} (the insured pool {insured}), may {action} it",
            code="paying_side_only",
        )


def ensure_party(province: str, insured: str, treating: str, statement: str) -> None:
    if province[:2] not in (insured[:2], treating[:2]):
        raise Forbidden(f"province {province} is not a party to statement {statement}")


def scope(insured: str, treating: str) -> str:
    return "in_province" if insured[:2] == treating[:2] else "cross_province"


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def fen(amount: Decimal) -> int:
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent")
    return int(cents)
