"""Contribution arithmetic from versioned policy data (参保缴费).

Residents pay their pool's yearly tier; holders of a subsidised identity pay the rest
of `person_share` and medical assistance pays the remainder (资助参保). Employees pay a
monthly base times the employer and employee rates; the employee share is credited to
the personal account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from enrollment.domain import commands as cmds
from enrollment.domain.errors import Conflict, Invalid
from enrollment.domain.model import (
    ACTIVE,
    BASIC_INSUTYPES,
    EMPLOYEE,
    RESIDENT,
    Enrollment,
    Identity,
    check_admdvs,
    check_length,
)
from medshared.money import money

PERSON = "person"
EMPLOYER = "employer"
MEDICAL_ASSISTANCE = "medical_assistance"


@dataclass(frozen=True)
class Policy:
    """One version of a pool's contribution policy for one insutype and year."""

    policy_id: str
    insuplc_admdvs: str
    insutype: str
    year: int
    version: int
    tiers: dict[str, Decimal]  # residents: tier code -> yearly amount
    employer_rate: Decimal = Decimal(0)
    employee_rate: Decimal = Decimal(0)
    retiree_monthly_credit: Decimal = Decimal(0)
    subsidised_identities: tuple[str, ...] = ()
    assistance_share: Decimal = Decimal(0)  # part of the tier medical assistance pays

    def tier_amount(self, tier: str | None) -> Decimal:
        if tier is None or tier not in self.tiers:
            offered = ", ".join(sorted(self.tiers)) or "none"
            raise Invalid(
                "tier",
                f"{tier!r} is not a {self.year} contribution tier of pool {self.insuplc_admdvs} (offered: {offered})",
                code="unknown_tier",
            )
        return self.tiers[tier]


@dataclass(frozen=True)
class PayerLine:
    payer: str
    amount: Decimal


def resident_lines(policy: Policy, tier: str | None, subsidised: bool) -> list[PayerLine]:
    """320 with a subsidised identity and a 0.90 share -> person 32.00, assistance 288.00."""
    total = money(policy.tier_amount(tier))
    if not subsidised or policy.assistance_share == 0:
        return [PayerLine(PERSON, total)]
    assistance = money(total * policy.assistance_share)
    return [
        PayerLine(PERSON, total - assistance),
        PayerLine(MEDICAL_ASSISTANCE, assistance),
    ]


def employee_lines(policy: Policy, base: Decimal) -> list[PayerLine]:
    """A month's contribution on `base`: employer line first, then the employee's own."""
    if base <= 0:
        raise Invalid("base", "the monthly contribution base must be positive")
    return [
        PayerLine(EMPLOYER, money(base * policy.employer_rate)),
        PayerLine(PERSON, money(base * policy.employee_rate)),
    ]


def total(lines: list[PayerLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0.00"))


# Policy data


def check_policy_request(cmd: cmds.SetContributionPolicy) -> None:
    """A policy version names a pool and a basic insutype; rates and shares are fractions."""
    check_admdvs(cmd.insuplc_admdvs)
    if cmd.insutype not in BASIC_INSUTYPES:
        raise Invalid("insutype", "must be 310 or 390")
    if cmd.insutype == RESIDENT and not cmd.tiers:
        raise Invalid("tiers", "residents need at least one contribution tier")
    for name in ("employer_rate", "employee_rate", "assistance_share"):
        if not Decimal(0) <= getattr(cmd, name) <= Decimal(1):
            raise Invalid(name, "must be a fraction between 0 and 1, e.g. 0.06")


def next_policy(cmd: cmds.SetContributionPolicy, previous: Policy | None, policy_id: str) -> Policy:
    """The next version after `previous`; the earlier versions stay for the record."""
    return Policy(
        policy_id=policy_id,
        insuplc_admdvs=cmd.insuplc_admdvs,
        insutype=cmd.insutype,
        year=cmd.year,
        version=(previous.version + 1) if previous else 1,
        tiers={tier: money(amount) for tier, amount in cmd.tiers.items()},
        employer_rate=cmd.employer_rate,
        employee_rate=cmd.employee_rate,
        retiree_monthly_credit=money(cmd.retiree_monthly_credit),
        subsidised_identities=cmd.subsidised_identities,
        assistance_share=cmd.assistance_share,
    )


# What a contribution or a credit is paid for


def month_span(month: str) -> tuple[dt.date, dt.date]:
    """ "2026-03" -> (2026-03-01, 2026-03-31)."""
    try:
        begin = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError as exc:
        raise Invalid("month", f"{month!r} is not a month like 2026-03") from exc
    return begin, month_end(begin)


def month_end(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def enrollment_on(
    enrollments: Iterable[Enrollment],
    insutype: str,
    begin: dt.date,
    end: dt.date,
    admdvs: str | None,
) -> Enrollment | None:
    """The person's enrollment of `insutype` (in `admdvs`, if given) active on some day of the span."""
    for enrollment in enrollments:
        if enrollment.insutype != insutype or (admdvs and enrollment.insuplc_admdvs != admdvs):
            continue
        if any(
            period.status == ACTIVE and period.begndate <= end and (period.enddate is None or period.enddate >= begin)
            for period in enrollment.periods
        ):
            return enrollment
    return None


def subsidised(policy: Policy, identities: Iterable[Identity], begin: dt.date, end: dt.date) -> bool:
    """资助参保: the person holds one of the policy's subsidised identities during the year."""
    return any(
        identity.psn_idet_type in policy.subsidised_identities and identity.valid_during(begin, end)
        for identity in identities
    )


def check_employee_pays(psn_no: str, enrollment: Enrollment) -> None:
    if not enrollment.psn_type.startswith("11"):
        raise Conflict(
            "retired",
            f"{psn_no} is retired (psn_type {enrollment.psn_type}); retirees pay no monthly contribution",
        )


def contribution_row(
    contribution_id: str,
    enrollment: Enrollment,
    policy: Policy,
    period: str,
    lines: list[PayerLine],
    *,
    tier: str | None,
    base: Decimal | None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The contribution as stored: one row and its payer lines."""
    row = {
        "contribution_id": contribution_id,
        "psn_no": enrollment.psn_no,
        "enrollment_id": enrollment.enrollment_id,
        "insutype": enrollment.insutype,
        "insuplc_admdvs": enrollment.insuplc_admdvs,
        "year": policy.year,
        "period": period,
        "tier": tier,
        "base": base,
        "total": total(lines),
        "policy_id": policy.policy_id,
    }
    return row, [{"payer": line.payer, "amount": line.amount} for line in lines]


_PAYER_ORDER = {EMPLOYER: 0, PERSON: 1, MEDICAL_ASSISTANCE: 2}


def contribution_snapshot(row: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    """A contribution in the shape the events and the operator API carry."""
    return {
        "contribution_id": row["contribution_id"],
        "psn_no": row["psn_no"],
        "insutype": row["insutype"],
        "insuplc_admdvs": row["insuplc_admdvs"],
        "year": row["year"],
        "period": row["period"],
        "tier": row["tier"],
        "base": None if row["base"] is None else Decimal(row["base"]),
        "total": Decimal(row["total"]),
        "lines": sorted(lines, key=lambda line: _PAYER_ORDER.get(line["payer"], 9)),
    }


# Personal-account credits

CREDIT_KINDS = ("opening", "refund", "retiree_monthly")
RETIREE_MONTHLY = "retiree_monthly"
EMPLOYEE_SHARE = "employee_share"


def check_credit_request(cmd: cmds.CreditAccount) -> None:
    if cmd.kind not in CREDIT_KINDS:
        raise Invalid(
            "kind",
            f"must be one of {', '.join(CREDIT_KINDS)} (employee shares come with contributions)",
        )
    check_length("memo", cmd.memo, 200)


def no_account(psn_no: str, month: dt.date) -> Conflict:
    return Conflict(
        "no_account",
        f"{psn_no} has no active employee ({EMPLOYEE}) enrollment, so no personal account, in {month:%Y-%m}",
    )


def check_retired(psn_no: str, enrollment: Enrollment) -> None:
    if not enrollment.psn_type.startswith("12"):
        raise Conflict("not_retired", f"{psn_no} is not retired (psn_type {enrollment.psn_type})")


def credited_amount(cmd: cmds.CreditAccount) -> Decimal:
    """An opening balance or a refund: the positive amount the desk sends."""
    if cmd.amount is None or money(cmd.amount) <= 0:
        raise Invalid("amount", 'a positive amount is required, e.g. "5000.00"')
    return money(cmd.amount)


def credit_key(psn_no: str, kind: str, month: dt.date) -> str | None:
    """The key a credit is recorded under once: one opening, one retiree credit a month."""
    if kind == RETIREE_MONTHLY:
        return f"{psn_no}:retiree_monthly:{month:%Y-%m}"
    if kind == "opening":
        return f"{psn_no}:opening"
    return None


def credit_snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """A credit in the shape the events and the operator API carry."""
    return {
        "credit_id": row["credit_id"],
        "psn_no": row["psn_no"],
        "insutype": row["insutype"],
        "amount": Decimal(row["amount"]),
        "credited_on": row["credited_on"],
        "kind": row["kind"],
        "memo": row["memo"],
    }
