"""Rules section 7: where the visit happens relative to the insured pool, and which
out-of-area filing (异地就医备案) covers it.

Why the most favourable filing wins when several cover the visit: a person who holds a
long-term filing and also files a referral should never be paid less for having filed
more; the order is long-term, emergency, referral, other-temporary.

Why temporary filings end the day before the same date six months later (2026-03-15 ->
last day 2026-09-14; month ends clamp, 08-31 -> 02-28): "6 months from begndate" counted
the way a calendar reads; an earlier `enddate` (inclusive) ends it sooner. A long-term
filing's `enddate` is its revocation date (inclusive), None while it stands.

Why med_type 13 / 24 get no reduction even with an "other temporary" filing: they are
emergencies, and an emergency is treated as filed (视同已备案) whatever else is on file.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .model import (
    EMERGENCY_MED_TYPES,
    ZERO,
    FilingKind,
    LocationClass,
    OutOfArea,
)

TEMPORARY_MONTHS = 6

_PREFERENCE = (
    FilingKind.RESETTLED_RETIREE,
    FilingKind.LONG_TERM_RESIDENT,
    FilingKind.RESIDENT_WORKER,
    FilingKind.EMERGENCY,
    FilingKind.REFERRAL,
    FilingKind.OTHER_TEMPORARY,
)


@dataclass(frozen=True)
class FilingRecord:
    """An approved filing as remote-care publishes it."""

    kind: FilingKind
    target_admdvs: str
    begndate: date
    enddate: date | None = None


def location_class(insuplc_admdvs: str, treating_admdvs: str) -> LocationClass:
    if insuplc_admdvs == treating_admdvs:
        return LocationClass.LOCAL
    if insuplc_admdvs[:2] == treating_admdvs[:2]:
        return LocationClass.IN_PROVINCE
    return LocationClass.CROSS_PROVINCE


def province_of(admdvs: str) -> str:
    return admdvs[:2] + "0000"


def last_valid_day(filing: FilingRecord) -> date | None:
    """Inclusive last day the filing covers; None when open-ended."""
    if filing.kind.is_long_term:
        return filing.enddate
    six_months = add_months(filing.begndate, TEMPORARY_MONTHS) - timedelta(days=1)
    return six_months if filing.enddate is None else min(six_months, filing.enddate)


def covers(filing: FilingRecord, treating_admdvs: str, on: date) -> bool:
    if filing.target_admdvs not in (treating_admdvs, province_of(treating_admdvs)):
        return False
    last = last_valid_day(filing)
    return filing.begndate <= on and (last is None or on <= last)


def covering_filing(filings: Iterable[FilingRecord], treating_admdvs: str, on: date) -> FilingKind | None:
    """The most favourable filing kind covering the treating region on `on`, or None."""
    kinds = {f.kind for f in filings if covers(f, treating_admdvs, on)}
    return next((k for k in _PREFERENCE if k in kinds), None)


def ratio_reduction(rules: OutOfArea, location: LocationClass, filing: FilingKind | None, med_type: str) -> Decimal:
    """Percentage points (as a fraction) taken off the basic pool's ratio."""
    if location is LocationClass.LOCAL or (filing is not None and filing.is_long_term):
        return ZERO
    if med_type in EMERGENCY_MED_TYPES or filing in (FilingKind.REFERRAL, FilingKind.EMERGENCY):
        return rules.referral_emergency
    if filing is None:
        return rules.unfiled
    return rules.temporary_other


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
