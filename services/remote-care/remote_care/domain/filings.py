"""Out-of-area filings (异地就医备案): kinds, validity and the rules a new filing must pass.

Why a temporary filing ends the day before the same date six months later (2026-03-15 ->
2026-09-14, month ends clamp): the settlement service counts coverage the same way, and
both sides must agree on the last covered day; the published `enddate` is that effective
end so no consumer has to recompute it.

Why a backdated begndate needs an admission: 备案 normally looks forward, but a person
admitted before filing still gets direct settlement if the filing is done before the
discharge settlement, so the filing may start on the admission day of a stay that is not
settled yet. Emergencies (异地急诊抢救) are filed after the fact and may always start in
the past, as long as they are not already expired.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date, timedelta
from enum import Enum

from remote_care.domain.errors import Conflict, Forbidden, Refused

TEMPORARY_MONTHS = 6
# How far ahead a filing may start. The rules name no limit; a year covers a planned stay or move.
ADVANCE_MONTHS = 12
_ADMDVS = re.compile(r"^\d{6}$")


class FilingType(str, Enum):
    RESETTLED_RETIREE = "resettled_retiree"  # 异地安置退休
    LONG_TERM_RESIDENT = "long_term_resident"  # 异地长期居住
    RESIDENT_WORKER = "resident_worker"  # 常驻异地工作
    REFERRAL = "referral"  # 异地转诊
    EMERGENCY = "emergency"  # 异地急诊抢救
    TEMPORARY_OTHER = "temporary_other"  # 其他临时外出就医

    @property
    def is_long_term(self) -> bool:
        return self in LONG_TERM


LONG_TERM = frozenset({FilingType.RESETTLED_RETIREE, FilingType.LONG_TERM_RESIDENT, FilingType.RESIDENT_WORKER})


# What a referral must name: the diagnosis and the institution that refers the patient out.
REFERRAL_DETAILS = ("diag_code", "diag_name", "refl_fixmedins_code")


class Channel(str, Enum):
    MOBILE = "mobile"
    ADMIN = "admin"
    PARTNER = "partner"
    HIS = "his"


@dataclass(frozen=True)
class Period:
    status: str
    begndate: date
    enddate: date | None


@dataclass(frozen=True)
class EnrollmentView:
    insutype: str
    insuplc_admdvs: str
    psn_type: str
    begndate: date
    enddate: date | None
    status: str
    periods: tuple[Period, ...] = ()

    def status_on(self, day: date) -> str | None:
        """The status on `day`: the period covering it, else the enrollment's own span."""
        for period in self.periods:
            if period.begndate <= day and (period.enddate is None or day <= period.enddate):
                return period.status
        if self.periods:
            return None
        if self.begndate <= day and (self.enddate is None or day <= self.enddate):
            return self.status
        return None

    @property
    def is_retired(self) -> bool:
        return self.psn_type.startswith("12")


@dataclass(frozen=True)
class PersonView:
    psn_no: str
    psn_name: str
    death_date: date | None
    enrollments: tuple[EnrollmentView, ...]

    def active_enrollments(self, day: date) -> list[EnrollmentView]:
        return [e for e in self.enrollments if e.status_on(day) == "active"]


@dataclass(frozen=True)
class ExistingFiling:
    filing_id: str
    filing_type: FilingType
    target_admdvs: str
    begndate: date
    enddate: date | None
    status: str

    def in_force_on(self, day: date) -> bool:
        return self.status == "active" and (self.enddate is None or day <= self.enddate)


@dataclass(frozen=True)
class FilingRequest:
    psn_no: str
    filing_type: FilingType
    target_admdvs: str
    begndate: date
    enddate: date | None = None
    insutype: str | None = None
    insuplc_admdvs: str | None = None  # when the caller states it (HIS), it must match
    admission_date: date | None = None
    stay_settled: bool = False  # the admission's discharge settlement already happened
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AcceptedFiling:
    """What a request becomes once the rules pass: the values to store and publish."""

    insutype: str
    insuplc_admdvs: str
    filing_type: FilingType
    target_admdvs: str
    begndate: date
    enddate: date | None


def add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    if not MINYEAR <= year <= MAXYEAR:
        raise Refused(f"{day} plus {months} months is beyond the calendar; check the dates", code="bad_dates")
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def temporary_last_day(begndate: date, enddate: date | None) -> date:
    six_months = add_months(begndate, TEMPORARY_MONTHS) - timedelta(days=1)
    return six_months if enddate is None else min(six_months, enddate)


def province_of(admdvs: str) -> str:
    return admdvs[:2] + "0000"


def check_target(target: str, insured: str) -> None:
    if not _ADMDVS.match(target):
        raise Refused(f"target_admdvs {target!r} must be a 6-digit admdvs such as 110100 or 110000", code="bad_target")
    if not (target.endswith("00") or target.endswith("99")):
        raise Refused(
            f"target_admdvs {target} is a county; file to the city pool (e.g. {target[:4]}00) or the whole "
            f"province ({province_of(target)})",
            code="bad_target",
        )
    if target == insured:
        raise Refused(
            f"target_admdvs {target} is the person's own insured pool; no filing is needed there", code="bad_target"
        )


def accept_filing(
    person: PersonView | None, existing: list[ExistingFiling], req: FilingRequest, today: date
) -> AcceptedFiling:
    """Apply every filing rule; raise Refused (nothing changes) or return what to store."""
    if person is None:
        raise Refused(
            f"person {req.psn_no} is not known to remote-care; check the psn_no, or retry once the enrollment "
            "has been registered",
            code="unknown_person",
        )
    if person.death_date is not None:
        raise Refused(f"person {req.psn_no} died on {person.death_date}; no filing is possible", code="not_enrolled")
    active = person.active_enrollments(today)
    if req.insutype:
        active = [e for e in active if e.insutype == req.insutype]
    if not active:
        what = f"insutype {req.insutype}" if req.insutype else "any insurance"
        raise Refused(
            f"person {req.psn_no} has no active enrollment in {what} today ({today}); only enrolled, active people "
            "can file",
            code="not_enrolled",
        )
    enrollment = sorted(active, key=lambda e: e.insutype)[0]
    if req.insuplc_admdvs and req.insuplc_admdvs != enrollment.insuplc_admdvs:
        raise Refused(
            f"insuplc_admdvs {req.insuplc_admdvs} does not match the person's insured pool "
            f"{enrollment.insuplc_admdvs}; take it from 1101 insuinfo",
            code="wrong_pool",
        )
    check_target(req.target_admdvs, enrollment.insuplc_admdvs)
    if req.filing_type is FilingType.RESETTLED_RETIREE and not enrollment.is_retired:
        raise Refused(
            f"异地安置退休 (resettled_retiree) is for retirees only; person {req.psn_no} has psn_type "
            f"{enrollment.psn_type}; file as long_term_resident or resident_worker instead",
            code="not_retired",
        )
    if req.filing_type is FilingType.REFERRAL:
        missing = [k for k in REFERRAL_DETAILS if not req.details.get(k)]
        if missing:
            raise Refused(
                f"a referral (异地转诊) names the diagnosis and the referring institution: give {', '.join(missing)}",
                code="referral_incomplete",
            )
    if req.enddate is not None and req.enddate < req.begndate:
        raise Refused(f"enddate {req.enddate} is before begndate {req.begndate}", code="bad_dates")
    latest_start = add_months(today, ADVANCE_MONTHS)
    if req.begndate > latest_start:
        raise Refused(
            f"begndate {req.begndate} is more than {ADVANCE_MONTHS} months ahead; a filing starts at the latest on "
            f"{latest_start}: file again nearer the time",
            code="bad_dates",
        )
    if req.filing_type.is_long_term:
        if req.enddate is not None:
            raise Refused(
                "a long-term filing has no enddate: it lasts until revoked; leave enddate empty", code="bad_dates"
            )
        enddate = None
        held = [f for f in existing if f.filing_type.is_long_term and f.in_force_on(today)]
        if held:
            raise Conflict(
                f"person {req.psn_no} already holds an active long-term filing {held[0].filing_id} to "
                f"{held[0].target_admdvs}; revoke it before filing another",
                code="long_term_exists",
            )
    else:
        enddate = temporary_last_day(req.begndate, req.enddate)
    check_begndate(req, enddate, today)
    return AcceptedFiling(
        insutype=enrollment.insutype,
        insuplc_admdvs=enrollment.insuplc_admdvs,
        filing_type=req.filing_type,
        target_admdvs=req.target_admdvs,
        begndate=req.begndate,
        enddate=enddate,
    )


def check_begndate(req: FilingRequest, enddate: date | None, today: date) -> None:
    if req.begndate >= today:
        return
    if enddate is not None and enddate < today:
        raise Refused(f"a filing from {req.begndate} would already have expired on {enddate}", code="bad_dates")
    if req.filing_type is FilingType.EMERGENCY:
        return
    if req.admission_date is None:
        raise Refused(
            f"begndate {req.begndate} is in the past; a filing starts today or later, unless it covers a current "
            "stay: give admission_date (and mdtrt_id) of the stay",
            code="bad_dates",
        )
    if req.begndate < req.admission_date:
        raise Refused(
            f"begndate {req.begndate} is before the admission on {req.admission_date}; start the filing on the "
            "admission day at the earliest",
            code="bad_dates",
        )
    if req.stay_settled:
        raise Refused(
            "the stay has already been settled at discharge; a filing made afterwards cannot apply to it "
            "(claim it manually, 零星报销)",
            code="stay_settled",
        )


def revocation_end(filing: ExistingFiling, today: date) -> date:
    """The last covered day once revoked today: today, or the earlier end it already had."""
    if filing.status != "active":
        raise Conflict(f"filing {filing.filing_id} is already {filing.status}", code="not_active")
    return today if filing.enddate is None else min(filing.enddate, today)


def ensure_province_may_act(province: str, insuplc_admdvs: str) -> None:
    if insuplc_admdvs[:2] != province[:2]:
        raise Forbidden(f"province {province} may only act for people insured in its own pools ({province[:2]}xxxx)")


def change_values(
    current: ExistingFiling, insured: str, target_admdvs: str | None, enddate: date | None, today: date
) -> dict[str, object]:
    """A desk correction: a new target, or an earlier end; never a longer temporary filing."""
    if current.status != "active":
        raise Conflict(
            f"filing {current.filing_id} is {current.status}; only an active filing can be changed", code="not_active"
        )
    if target_admdvs is None and enddate is None:
        raise Refused("say what changes: target_admdvs, enddate or both", code="nothing_to_change")
    values: dict[str, object] = {}
    if target_admdvs is not None:
        check_target(target_admdvs, insured)
        values["target_admdvs"] = target_admdvs
    if enddate is not None:
        if enddate < max(current.begndate, today):
            raise Refused(
                f"enddate {enddate} would end the filing in the past; use revoke to end it today", code="bad_dates"
            )
        if current.filing_type.is_long_term:
            raise Refused(
                "a long-term filing lasts until revoked; revoke it instead of giving an enddate", code="bad_dates"
            )
        values["enddate"] = temporary_last_day(current.begndate, enddate)
    return values


def end_when_cover_lapses(filing: ExistingFiling, lapse_day: date) -> date:
    """The last covered day of a filing whose holder died or left the pool on `lapse_day`."""
    last = lapse_day - timedelta(days=1)
    return last if filing.enddate is None else min(filing.enddate, last)
