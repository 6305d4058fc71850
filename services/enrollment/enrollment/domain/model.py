"""People, enrollments and identities, and the rules for changing them.

An enrollment's history is a list of periods; the status on any day is the status of
the period covering it. Dates are inclusive: an enrollment ending on 2026-06-30 covers
that day, and the terminated period starts on 2026-07-01.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from enrollment.domain import gb11643
from enrollment.domain.errors import Conflict, Invalid

ACTIVE = "active"
SUSPENDED = "suspended"
TERMINATED = "terminated"

EMPLOYEE = "310"
RESIDENT = "390"
BASIC_INSUTYPES = (EMPLOYEE, RESIDENT)

ID_CARD = "01"
_ADMDVS = re.compile(r"^\d{6}$")
_PSN_NO = re.compile(r"^\d{20}$")
_CERT_TYPE = re.compile(r"^\d{2,6}$")
PSN_NO_DIGITS = 14

DAY = dt.timedelta(days=1)


def check_admdvs(value: str, field_name: str = "insuplc_admdvs") -> str:
    if not _ADMDVS.match(value):
        raise Invalid(field_name, f"{value!r} is not a 6-digit admdvs such as 540100")
    return value


def issue_psn_no(admdvs: str, serial: int) -> str:
    """Pool admdvs + 14-digit serial: 20 characters, like 54010000000000000001."""
    return f"{check_admdvs(admdvs)}{serial:0{PSN_NO_DIGITS}d}"


def split_psn_no(psn_no: str) -> tuple[str, int]:
    if not _PSN_NO.match(psn_no):
        raise Invalid("psn_no", f"{psn_no!r} is not a 20-digit psn_no")
    return psn_no[:6], int(psn_no[6:])


@dataclass
class Person:
    psn_no: str
    psn_cert_type: str
    certno: str
    psn_name: str
    gend: str
    brdy: dt.date
    naty: str = "01"
    tel: str = ""
    addr: str = ""
    death_date: dt.date | None = None
    version: int = 1

    def snapshot(self) -> dict[str, object]:
        return {
            "psn_no": self.psn_no,
            "psn_cert_type": self.psn_cert_type,
            "certno": self.certno,
            "psn_name": self.psn_name,
            "gend": self.gend,
            "naty": self.naty,
            "brdy": self.brdy,
            "tel": self.tel,
            "addr": self.addr,
            "death_date": self.death_date,
            "version": self.version,
        }


def new_person(
    *,
    psn_no: str,
    psn_cert_type: str,
    certno: str,
    psn_name: str,
    gend: str | None,
    brdy: dt.date | None,
    naty: str = "01",
    tel: str = "",
    addr: str = "",
) -> Person:
    """Validate a registration; an 01 ID number decides birth date and gender."""
    name = psn_name.strip()
    if not name:
        raise Invalid("psn_name", "the person's name is required")
    if not _CERT_TYPE.match(psn_cert_type):
        raise Invalid(
            "psn_cert_type",
            f"{psn_cert_type!r} is not a certificate type code such as 01",
        )
    check_length("psn_name", name, 50)
    check_length("certno", certno, 50)
    check_length("naty", naty, 3)
    check_length("tel", tel, 50)
    check_length("addr", addr, 200)
    if gend is not None and gend not in (gb11643.MALE, gb11643.FEMALE):
        raise Invalid("gend", f"{gend!r} must be 1 (male) or 2 (female)")
    if psn_cert_type == ID_CARD:
        try:
            number = gb11643.check_consistent(certno, brdy, gend)
        except gb11643.InvalidIdNumber as exc:
            raise Invalid("certno", str(exc), code="invalid_certno") from exc
        certno, brdy, gend = number.certno, number.birth_date, number.gend
    else:
        certno = certno.strip()
        if not certno:
            raise Invalid("certno", "the certificate number is required")
        if brdy is None:
            raise Invalid("brdy", "birth date is required when psn_cert_type is not 01")
        if gend is None:
            raise Invalid("gend", "gender is required when psn_cert_type is not 01")
    return Person(psn_no, psn_cert_type, certno, name, gend, brdy, naty or "01", tel, addr)


@dataclass
class Period:
    status: str
    begndate: dt.date
    enddate: dt.date | None
    reason: str


@dataclass
class Enrollment:
    enrollment_id: str
    psn_no: str
    insutype: str
    insuplc_admdvs: str
    psn_type: str
    begndate: dt.date
    periods: list[Period]
    emp_no: str | None = None
    emp_name: str | None = None
    cvlserv_flag: str = "0"
    tier: str | None = None
    enddate: dt.date | None = None
    transferred_from: str | None = None
    version: int = 1

    @property
    def status(self) -> str:
        return self.periods[-1].status

    def active_spans(self) -> list[tuple[dt.date, dt.date | None]]:
        return [(period.begndate, period.enddate) for period in self.periods if period.status == ACTIVE]

    def snapshot(self) -> dict[str, object]:
        return {
            "enrollment_id": self.enrollment_id,
            "psn_no": self.psn_no,
            "insutype": self.insutype,
            "insuplc_admdvs": self.insuplc_admdvs,
            "psn_type": self.psn_type,
            "emp_no": self.emp_no,
            "emp_name": self.emp_name,
            "cvlserv_flag": self.cvlserv_flag,
            "tier": self.tier,
            "begndate": self.begndate,
            "enddate": self.enddate,
            "status": self.status,
            "periods": [
                {
                    "status": period.status,
                    "begndate": period.begndate,
                    "enddate": period.enddate,
                    "reason": period.reason,
                }
                for period in self.periods
            ],
            "transferred_from": self.transferred_from,
            "version": self.version,
        }

    # Lifecycle. Each change closes the open period the day before `on` and opens the next.

    def _current(self) -> Period:
        return self.periods[-1]

    def _switch(self, status: str, on: dt.date, reason: str) -> None:
        current = self._current()
        if on <= current.begndate:
            raise Invalid(
                "effective_date",
                f"must be after {current.begndate.isoformat()}, when the current {current.status} period began",
            )
        if self.enddate is not None and on > self.enddate and status != TERMINATED:
            raise Invalid("effective_date", f"the enrollment ends on {self.enddate.isoformat()}")
        self.periods[-1] = replace(current, enddate=on - DAY)
        self.periods.append(Period(status, on, self.enddate if status != TERMINATED else None, reason))
        self.version += 1

    def suspend(self, on: dt.date, reason: str) -> None:
        if self.status != ACTIVE:
            raise Conflict(
                "not_active",
                f"enrollment {self.enrollment_id} is {self.status}; only an active one can be suspended",
            )
        self._switch(SUSPENDED, on, _required_reason(reason))

    def resume(self, on: dt.date, reason: str) -> None:
        if self.status != SUSPENDED:
            raise Conflict(
                "not_suspended",
                f"enrollment {self.enrollment_id} is {self.status}; only a suspended one can be resumed",
            )
        self._switch(ACTIVE, on, _required_reason(reason))

    def terminate(self, on: dt.date, reason: str) -> None:
        if self.status == TERMINATED:
            raise Conflict(
                "already_terminated",
                f"enrollment {self.enrollment_id} is already terminated",
            )
        if self.enddate is not None and on > self.enddate + DAY:
            raise Invalid(
                "effective_date",
                f"the enrollment already ended on {self.enddate.isoformat()}",
            )
        # Termination may be backdated (a death reported late): periods from `on` on give way.
        start = max(on, self.begndate)
        kept = [period for period in self.periods if period.begndate < start]
        if kept and (kept[-1].enddate is None or kept[-1].enddate >= start):
            kept[-1] = replace(kept[-1], enddate=start - DAY)
        self.periods = [
            *kept,
            Period(TERMINATED, start, None, _required_reason(reason)),
        ]
        self.enddate = start - DAY
        self.version += 1

    def retire(self, on: dt.date) -> str:
        """在职转退休: psn_type 11xx becomes 12xx from `on`; returns the old psn_type."""
        if self.insutype != EMPLOYEE:
            raise Conflict("not_employee", "only employee enrollments (310) convert to retirement")
        if not self.psn_type.startswith("11"):
            raise Conflict("not_in_service", f"psn_type {self.psn_type} is not in service (11xx)")
        if self.status != ACTIVE:
            raise Conflict(
                "not_active",
                f"enrollment {self.enrollment_id} is {self.status}; retire an active one",
            )
        old = self.psn_type
        self.psn_type = "12" + old[2:]
        self._switch(ACTIVE, on, f"在职转退休 psn_type {old} -> {self.psn_type}")
        return old


def _required_reason(reason: str) -> str:
    if not reason.strip():
        raise Invalid("reason", "say why (it is kept in the enrollment history)")
    return check_length("reason", reason.strip(), 150)


def check_length(field_name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise Invalid(field_name, f"is {len(value)} characters long; at most {limit} fit")
    return value


def overlaps(a_begin: dt.date, a_end: dt.date | None, b_begin: dt.date, b_end: dt.date | None) -> bool:
    return (b_end is None or a_begin <= b_end) and (a_end is None or b_begin <= a_end)


def check_no_duplicate(
    existing: list[Enrollment],
    insutype: str,
    begndate: dt.date,
    enddate: dt.date | None,
    *,
    ignore: str | None = None,
) -> None:
    """重复参保: at most one active basic enrollment (310 or 390) in any pool on any day."""
    if insutype not in BASIC_INSUTYPES:
        return
    for other in existing:
        if other.enrollment_id == ignore or other.insutype not in BASIC_INSUTYPES:
            continue
        for begin, end in other.active_spans():
            if overlaps(begndate, enddate, begin, end):
                raise Conflict(
                    "duplicate_enrollment",
                    f"already insured in pool {other.insuplc_admdvs} (insutype {other.insutype}, "
                    f"enrollment {other.enrollment_id}, active from {begin.isoformat()}"
                    f"{' to ' + end.isoformat() if end else ''}); end that enrollment first",
                    insuplc_admdvs=other.insuplc_admdvs,
                    enrollment_id=other.enrollment_id,
                )


@dataclass
class Identity:
    identity_id: str
    psn_no: str
    psn_idet_type: str
    begntime: dt.date
    endtime: dt.date | None
    psn_type_lv: str = ""
    memo: str = ""
    revoked: bool = False
    version: int = 1

    def valid_during(self, begin: dt.date, end: dt.date) -> bool:
        return not self.revoked and overlaps(self.begntime, self.endtime, begin, end)

    def snapshot(self) -> dict[str, object]:
        return {
            "identity_id": self.identity_id,
            "psn_no": self.psn_no,
            "psn_idet_type": self.psn_idet_type,
            "psn_type_lv": self.psn_type_lv,
            "begntime": self.begntime,
            "endtime": self.endtime,
            "memo": self.memo,
            "revoked": self.revoked,
            "version": self.version,
        }


@dataclass
class Employer:
    emp_no: str
    emp_name: str
    emp_type: str
    admdvs: str
    status: str = ACTIVE
    version: int = 1


EMP_TYPES = {"agency": "机关", "institution": "事业单位", "enterprise": "企业"}


def check_person_alive(person: Person, on: dt.date, what: str) -> None:
    if person.death_date is not None and on >= person.death_date:
        raise Conflict(
            "person_deceased",
            f"{person.psn_no} died on {person.death_date.isoformat()}; no {what} on or after that date",
        )


def years_span(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
