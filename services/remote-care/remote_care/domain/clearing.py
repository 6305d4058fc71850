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
disputed statement, and confirms nothing itself. A reissue starts without a dispute reason;
the audit trail keeps the old one.

Province pairs: the rules net per month and per pair of provinces, so a province statement
(`PRV-yyyyMM-<insured province>-<treating province>`) gathers the month's city-pair statements
between two provinces as its lines, summed in fen. It has no state of its own: its status
follows its lines, and confirming it confirms each open line. A dispute names the contested
city pair (the bureau recomputes that pair), so it is made on the city-pair statement.

Previews: a month that has not ended has no statements yet. What its statements would hold
today is offered as a preview, built from the same lines a run would issue, with no statement
id; confirming or disputing a preview is refused naming when the statement will exist.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from remote_care.domain.errors import Conflict, Forbidden, Refused

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
_STATEMENT_ID = re.compile(r"^CLR-(\d{4})(\d{2})-(\d{6})-(\d{6})$")
_PROVINCE_STATEMENT_ID = re.compile(r"^PRV-(\d{4})(\d{2})-(\d{2})0000-(\d{2})0000$")
AMOUNT_KEYS = ("setl_cnt", "medfee_fen", "fund_fen", "acct_fen")

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


# ------------------------------------------------------------------ ids, open months, previews


def current_period(today: date) -> str:
    return f"{today.year:04d}-{today.month:02d}"


def is_open(period: str, today: date) -> bool:
    """The month has not ended yet: its statements cannot be issued, only previewed."""
    return parse_period(period) >= (today.year, today.month)


def statement_id(period: str, insured: str, treating: str) -> str:
    return f"CLR-{period.replace('-', '')}-{insured}-{treating}"


def parse_statement_id(statement: str) -> tuple[str, str, str] | None:
    """(period, insured pool, treating pool) of a city-pair statement id, None when it is not one."""
    match = _STATEMENT_ID.match(statement or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return f"{match.group(1)}-{match.group(2)}", match.group(3), match.group(4)


def province_of(admdvs: str) -> str:
    return f"{admdvs[:2]}0000"


def province_statement_id(period: str, insured_province: str, treating_province: str) -> str:
    return f"PRV-{period.replace('-', '')}-{insured_province}-{treating_province}"


def parse_province_statement_id(statement: str) -> tuple[str, str, str]:
    """(period, insured province, treating province); a Refused naming the shape otherwise."""
    match = _PROVINCE_STATEMENT_ID.match(statement or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise Refused(
            f"province statement id {statement[:40]!r} must read PRV-yyyyMM-<insured province>-<treating province>, "
            "e.g. PRV-202601-430000-110000",
            code="bad_statement_id",
        )
    period = f"{match.group(1)}-{match.group(2)}"
    return period, f"{match.group(3)}0000", f"{match.group(4)}0000"


def not_confirmable(statement: str, period: str, today: date) -> Conflict:
    """Why a statement that exists only as a preview cannot be confirmed or disputed yet."""
    if is_open(period, today):
        year, month = parse_period(period)
        first = f"{year + month // 12:04d}-{month % 12 + 1:02d}-01"
        why = (
            f"month {period} is still open, so {statement} is only a preview; the bureau issues it once the month "
            f"has ended (from {first}): confirm or dispute it then"
        )
    else:
        why = (
            f"the bureau has not issued the statements of {period} yet, so {statement} is only a preview; "
            "confirm or dispute it once it is issued"
        )
    return Conflict(why, code="preview_not_confirmable")


# ------------------------------------------------------------------ netting, province pairs


def add_amounts(*parts: dict[str, int]) -> dict[str, int]:
    """Counts and fen amounts summed key by key (a reversal's negative amounts net its original)."""
    return {key: sum(part.get(key, 0) for part in parts) for key in AMOUNT_KEYS}


def sum_by_clr_type(parts: list[dict[str, dict[str, int]]]) -> dict[str, dict[str, int]]:
    """Several statements' totals by clr_type summed into one, per clr_type."""
    out: dict[str, dict[str, int]] = {}
    for part in parts:
        for clr_type, amounts in part.items():
            out[clr_type] = add_amounts(out.get(clr_type, {}), amounts)
    return dict(sorted(out.items()))


def province_pair(insured: str, treating: str) -> tuple[str, str]:
    return province_of(insured), province_of(treating)


def province_status(statuses: list[str]) -> str:
    """A province statement's status from its city-pair lines.

    confirmed: every line confirmed; disputed: a line waits for the bureau's reissue;
    partly_confirmed: some lines confirmed, the others open; issued: every line awaits the payer.
    """
    if statuses and all(s == "confirmed" for s in statuses):
        return "confirmed"
    if "disputed" in statuses:
        return "disputed"
    if "confirmed" in statuses:
        return "partly_confirmed"
    return "issued"


def ensure_province_party(province: str, insured_province: str, treating_province: str, statement: str) -> None:
    if province[:2] not in (insured_province[:2], treating_province[:2]):
        raise Forbidden(f"province {province} is not a party to province statement {statement}")
