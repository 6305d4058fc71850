"""Who may be treated on a day: enrollment periods, the pool, death, assistance identities. Pure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from medshared import jsonutil

from .errors import Refused

ASSISTANCE_IDENTITIES = ("2201", "2202", "2203", "2204")


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def status_on(enrollment: Any, day: dt.date) -> str | None:
    """The enrollment status on `day`: the period covering it, None when none does."""
    periods = jsonutil.loads(enrollment.periods) if isinstance(enrollment.periods, str) else enrollment.periods
    for period in periods:
        begin, end = _date(period["begndate"]), _date(period.get("enddate"))
        if begin is not None and begin <= day and (end is None or day <= end):
            return str(period["status"])
    if not periods and enrollment.begndate <= day and (enrollment.enddate is None or day <= enrollment.enddate):
        return str(enrollment.status)
    return None


def insured_on(psn: Any, enrollments: Sequence[Any], insutype: str, insuplc_admdvs: str, day: dt.date) -> Any:
    """The person's enrollment in `insutype` active on `day` in the pool the HIS named, or a refusal."""
    if psn.death_date is not None and psn.death_date <= day:
        raise Refused(
            f"psn_no {psn.psn_no} is recorded as deceased on {psn.death_date}; no benefits after that date",
            code="PERSON_DECEASED",
        )
    rows = [r for r in enrollments if r.insutype == insutype]
    if not rows:
        raise Refused(
            f"psn_no {psn.psn_no} is not enrolled in insutype {insutype}; use the insutype 1101 returned",
            code="NOT_ENROLLED",
        )
    covering = [(row, status) for row in rows if (status := status_on(row, day)) is not None]
    if not covering:
        raise Refused(f"psn_no {psn.psn_no} has no insutype {insutype} enrollment on {day}", code="NOT_ENROLLED")
    row, status = covering[-1]
    if status != "active":
        raise Refused(
            f"psn_no {psn.psn_no}'s insutype {insutype} enrollment is {status} on {day}; "
            "the visit must be paid in full or the enrollment resumed first",
            code="NOT_ENROLLED",
        )
    if insuplc_admdvs != row.insuplc_admdvs:
        raise Refused(
            f"insuplc_admdvs {insuplc_admdvs or '(empty)'} is not psn_no {psn.psn_no}'s pool; "
            f"send {row.insuplc_admdvs} from 1101 insuinfo",
            code="WRONG_POOL",
        )
    return row


def assistance_identity(identities: Iterable[Any]) -> str | None:
    """The medical-assistance identity (2201-2204) that decides the assistance layer, if any."""
    codes = sorted(r.psn_idet_type for r in identities if r.psn_idet_type in ASSISTANCE_IDENTITIES)
    return codes[0] if codes else None
