"""Contribution arithmetic from versioned policy data (参保缴费).

Residents pay their pool's yearly tier; holders of a subsidised identity pay the rest
of `person_share` and medical assistance pays the remainder (资助参保). Employees pay a
monthly base times the employer and employee rates; the employee share is credited to
the personal account.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from medshared.money import money

from enrollment.domain.errors import Invalid

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


def resident_lines(
    policy: Policy, tier: str | None, subsidised: bool
) -> list[PayerLine]:
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
