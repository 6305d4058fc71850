from decimal import Decimal

import pytest

from enrollment.domain.contributions import (
    Policy,
    employee_lines,
    resident_lines,
    total,
)
from enrollment.domain.errors import Invalid

LHASA_RESIDENTS = Policy(
    "p1",
    "540100",
    "390",
    2026,
    1,
    {"130": Decimal("130.00"), "320": Decimal("320.00")},
    subsidised_identities=("2201", "2202", "2203", "2204"),
    assistance_share=Decimal("0.90"),
)
LHASA_EMPLOYEES = Policy(
    "p2",
    "540100",
    "310",
    2026,
    1,
    {},
    employer_rate=Decimal("0.06"),
    employee_rate=Decimal("0.02"),
)


@pytest.mark.parametrize(
    ("tier", "subsidised", "expected"),
    [
        ("320", True, [("person", "32.00"), ("medical_assistance", "288.00")]),
        ("130", True, [("person", "13.00"), ("medical_assistance", "117.00")]),
        ("320", False, [("person", "320.00")]),
        ("130", False, [("person", "130.00")]),
    ],
)
def test_resident_contributions_split_with_medical_assistance_for_subsidised_people(
    tier: str, subsidised: bool, expected: list[tuple[str, str]]
) -> None:
    lines = resident_lines(LHASA_RESIDENTS, tier, subsidised)
    assert [(line.payer, str(line.amount)) for line in lines] == expected
    assert total(lines) == Decimal(tier)


def test_a_tier_the_pool_does_not_offer_is_refused_listing_the_offered_tiers() -> None:
    with pytest.raises(Invalid, match="offered: 130, 320") as exc:
        resident_lines(LHASA_RESIDENTS, "200", False)
    assert exc.value.field == "tier"


@pytest.mark.parametrize(
    ("base", "employer", "person"),
    [("8000.00", "480.00", "160.00"), ("4321.25", "259.28", "86.43")],
)
def test_employee_contributions_apply_the_pool_rates_to_the_monthly_base(base: str, employer: str, person: str) -> None:
    lines = employee_lines(LHASA_EMPLOYEES, Decimal(base))
    assert [(line.payer, str(line.amount)) for line in lines] == [
        ("employer", employer),
        ("person", person),
    ]


def test_a_monthly_base_must_be_positive() -> None:
    with pytest.raises(Invalid, match="base"):
        employee_lines(LHASA_EMPLOYEES, Decimal(0))
