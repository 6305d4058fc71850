"""Rules section 7: location class, filing coverage and the ratio reduction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from settlement.policy import FilingKind, FilingRecord, LocationClass, covering_filing, location_class
from settlement.policy.model import OutOfArea
from settlement.policy.out_of_area import add_months, covers, last_valid_day, ratio_reduction

K = FilingKind


@pytest.mark.parametrize(
    "insured, treating, expected",
    [
        pytest.param("540100", "540100", LocationClass.LOCAL, id="same pool is local"),
        pytest.param("540100", "540200", LocationClass.IN_PROVINCE, id="same province is in-province"),
        pytest.param("430600", "110100", LocationClass.CROSS_PROVINCE, id="another province is cross-province"),
    ],
)
def test_location_class_compares_the_insured_pool_with_the_treating_region(
    insured: str, treating: str, expected: LocationClass
) -> None:
    assert location_class(insured, treating) == expected


@pytest.mark.parametrize(
    "filing, on, covered",
    [
        pytest.param(
            FilingRecord(K.RESETTLED_RETIREE, "110100", date(2026, 1, 1)),
            date(2026, 12, 31),
            True,
            id="a long-term filing to the city covers it until revoked",
        ),
        pytest.param(
            FilingRecord(K.RESETTLED_RETIREE, "110100", date(2026, 1, 1)),
            date(2025, 12, 31),
            False,
            id="a filing does not cover days before it begins",
        ),
        pytest.param(
            FilingRecord(K.RESIDENT_WORKER, "110100", date(2026, 1, 1), date(2026, 5, 31)),
            date(2026, 6, 1),
            False,
            id="a revoked long-term filing stops covering",
        ),
        pytest.param(
            FilingRecord(K.LONG_TERM_RESIDENT, "110000", date(2026, 1, 1)),
            date(2026, 6, 1),
            True,
            id="a filing to the province covers its cities",
        ),
        pytest.param(
            FilingRecord(K.LONG_TERM_RESIDENT, "120100", date(2026, 1, 1)),
            date(2026, 6, 1),
            False,
            id="a filing to another city does not cover this one",
        ),
        pytest.param(
            FilingRecord(K.REFERRAL, "110100", date(2026, 3, 15)),
            date(2026, 9, 14),
            True,
            id="a temporary filing covers the last day of its six months",
        ),
        pytest.param(
            FilingRecord(K.REFERRAL, "110100", date(2026, 3, 15)),
            date(2026, 9, 15),
            False,
            id="a temporary filing lapses after six months",
        ),
        pytest.param(
            FilingRecord(K.OTHER_TEMPORARY, "110100", date(2026, 3, 15), date(2026, 4, 30)),
            date(2026, 5, 1),
            False,
            id="a temporary filing ends at an earlier end date",
        ),
    ],
)
def test_a_filing_covers_the_treating_region_only_while_valid(filing: FilingRecord, on: date, covered: bool) -> None:
    assert covers(filing, "110100", on) is covered


def test_six_months_from_a_month_end_clamps_to_the_shorter_month() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert last_valid_day(FilingRecord(K.EMERGENCY, "110100", date(2026, 8, 31))) == date(2027, 2, 27)


def test_the_most_favourable_covering_filing_wins() -> None:
    filings = [
        FilingRecord(K.OTHER_TEMPORARY, "110100", date(2026, 5, 1)),
        FilingRecord(K.REFERRAL, "110000", date(2026, 5, 1)),
        FilingRecord(K.RESETTLED_RETIREE, "310100", date(2026, 1, 1)),
    ]

    assert covering_filing(filings, "110100", date(2026, 6, 1)) is K.REFERRAL
    assert covering_filing(filings, "120100", date(2026, 6, 1)) is None


RULES = OutOfArea(unfiled=Decimal("0.15"), temporary_other=Decimal("0.10"))
LOCAL, CROSS = LocationClass.LOCAL, LocationClass.CROSS_PROVINCE


@pytest.mark.parametrize(
    "location, filing, med_type, expected",
    [
        pytest.param(LOCAL, None, "21", "0", id="local care is never reduced"),
        pytest.param(CROSS, None, "21", "0.15", id="unfiled care loses the unfiled points"),
        pytest.param(CROSS, K.OTHER_TEMPORARY, "21", "0.10", id="other temporary care loses the temporary points"),
        pytest.param(CROSS, K.REFERRAL, "21", "0", id="a referral is not reduced"),
        pytest.param(CROSS, K.EMERGENCY, "11", "0", id="a filed emergency is not reduced"),
        pytest.param(CROSS, None, "13", "0", id="an unfiled emergency visit counts as filed"),
        pytest.param(CROSS, K.OTHER_TEMPORARY, "24", "0", id="an emergency admission beats an other-temporary filing"),
        pytest.param(CROSS, K.RESETTLED_RETIREE, "21", "0", id="a long-term filing is not reduced"),
        pytest.param(LocationClass.IN_PROVINCE, None, "11", "0.15", id="unfiled in-province care is reduced too"),
    ],
)
def test_the_ratio_reduction_follows_the_filing(
    location: LocationClass, filing: FilingKind | None, med_type: str, expected: str
) -> None:
    assert ratio_reduction(RULES, location, filing, med_type) == Decimal(expected)
