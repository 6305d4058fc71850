"""Use cases. Each one is a single transaction: the change and its outbox events commit together."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from medshared.events import Event
from medshared.money import money
from medshared.outbox import stage
from medshared.runtime import Runtime
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enrollment import store
from enrollment.db import outbox
from enrollment.domain import commands as c
from enrollment.domain import contributions as contrib
from enrollment.domain.contributions import Policy
from enrollment.domain.errors import Conflict, Invalid, NotFound
from enrollment.domain.model import (
    ACTIVE,
    BASIC_INSUTYPES,
    EMP_TYPES,
    EMPLOYEE,
    RESIDENT,
    TERMINATED,
    Employer,
    Enrollment,
    Identity,
    Period,
    Person,
    check_admdvs,
    check_length,
    check_no_duplicate,
    check_person_alive,
    issue_psn_no,
    new_person,
    split_psn_no,
    years_span,
)
from enrollment.messaging import contracts

CREDIT_KINDS = ("opening", "refund", "retiree_monthly")


def _publish(session: Session, event: Event) -> None:
    stage(session, outbox, contracts.TOPIC, event)


def _person_or_404(session: Session, psn_no: str, *, lock: bool = False) -> Person:
    person = store.get_person(session, psn_no, lock=lock)
    if person is None:
        raise NotFound("person_not_found", f"no person with psn_no {psn_no}")
    return person


def _enrollment_or_404(session: Session, enrollment_id: str) -> Enrollment:
    found = store.get_enrollment(session, enrollment_id)
    if found is None:
        raise NotFound("enrollment_not_found", f"no enrollment {enrollment_id}")
    return found


# People


def register_person(runtime: Runtime, cmd: c.RegisterPerson) -> Person:
    try:
        with runtime.unit_of_work() as session:
            return _register(session, cmd)
    except IntegrityError as exc:
        # Two desks registered the same number at once; the unique key let one through.
        raise Conflict(
            "already_registered",
            f"certno {cmd.certno} (or psn_no {cmd.psn_no}) was registered a moment ago; look it up",
        ) from exc


def _register(session: Session, cmd: c.RegisterPerson) -> Person:
    pool = check_admdvs(cmd.admdvs, "admdvs")
    person = new_person(
        psn_no="",
        psn_cert_type=cmd.psn_cert_type,
        certno=cmd.certno,
        psn_name=cmd.psn_name,
        gend=cmd.gend,
        brdy=cmd.brdy,
        naty=cmd.naty,
        tel=cmd.tel,
        addr=cmd.addr,
    )
    _refuse_registered(session, person)
    if cmd.psn_no:
        admdvs, serial = split_psn_no(cmd.psn_no)
        store.raise_serial_to(session, admdvs, serial)
        person.psn_no = cmd.psn_no
    else:
        person.psn_no = issue_psn_no(pool, store.reserve_serials(session, pool, 1))
    store.add_people(session, [person])
    _publish(session, contracts.person_event("PersonRegistered", person.snapshot()))
    return person


def _refuse_registered(session: Session, person: Person) -> None:
    for other in store.find_people_by_certno(session, person.certno):
        if other.psn_cert_type == person.psn_cert_type:
            raise Conflict(
                "already_registered",
                f"certno {person.certno} is already registered as psn_no {other.psn_no}",
                psn_no=other.psn_no,
            )


def update_person(runtime: Runtime, cmd: c.UpdatePerson) -> Person:
    with runtime.unit_of_work() as session:
        person = _person_or_404(session, cmd.psn_no, lock=True)
        changes: dict[str, Any] = {
            k: v
            for k, v in {
                "psn_name": cmd.psn_name,
                "naty": cmd.naty,
                "tel": cmd.tel,
                "addr": cmd.addr,
            }.items()
            if v is not None
        }
        if changes.get("psn_name", "x").strip() == "":
            raise Invalid("psn_name", "the person's name cannot be blank")
        for name, limit in (("psn_name", 50), ("naty", 3), ("tel", 50), ("addr", 200)):
            check_length(name, changes.get(name, ""), limit)
        if all(getattr(person, k) == v for k, v in changes.items()):
            return person
        person = replace(person, **changes, version=person.version + 1)
        store.save_person(session, person)
        _publish(session, contracts.person_event("PersonUpdated", person.snapshot()))
        return person


def record_death(runtime: Runtime, cmd: c.RecordDeath) -> Person:
    """Death terminates every enrollment from the date of death and stops account credits."""
    with runtime.unit_of_work() as session:
        person = _person_or_404(session, cmd.psn_no, lock=True)
        if person.death_date is not None:
            raise Conflict(
                "person_deceased",
                f"{person.psn_no} is already recorded as died on {person.death_date.isoformat()}",
            )
        if cmd.death_date < person.brdy:
            raise Invalid(
                "death_date", f"is before the birth date {person.brdy.isoformat()}"
            )
        person = replace(person, death_date=cmd.death_date, version=person.version + 1)
        store.save_person(session, person)
        _publish(session, contracts.person_event("PersonDied", person.snapshot()))
        for enrollment in store.enrollments_of(session, [person.psn_no])[person.psn_no]:
            ended_before = (
                enrollment.enddate is not None and enrollment.enddate < cmd.death_date
            )
            if enrollment.status == TERMINATED or ended_before:
                continue
            enrollment.terminate(
                cmd.death_date, f"death on {cmd.death_date.isoformat()}"
            )
            store.save_enrollment(session, enrollment)
            _publish(
                session,
                contracts.enrollment_event(
                    "EnrollmentTerminated", person.snapshot(), enrollment.snapshot()
                ),
            )
        return person


# Employers


def register_employer(runtime: Runtime, cmd: c.RegisterEmployer) -> Employer:
    emp_no = cmd.emp_no.strip()
    if not emp_no or len(emp_no) > 30 or not emp_no.isalnum():
        raise Invalid(
            "emp_no", "must be 1-30 letters or digits (the unit's registration code)"
        )
    if cmd.emp_type not in EMP_TYPES:
        raise Invalid(
            "emp_type",
            f"must be one of {', '.join(f'{k} ({v})' for k, v in EMP_TYPES.items())}",
        )
    check_length("emp_name", cmd.emp_name.strip(), 200)
    if not cmd.emp_name.strip():
        raise Invalid("emp_name", "the unit's name is required")
    employer = Employer(
        emp_no, cmd.emp_name.strip(), cmd.emp_type, check_admdvs(cmd.admdvs, "admdvs")
    )
    try:
        with runtime.unit_of_work() as session:
            if store.get_employer(session, emp_no) is not None:
                raise Conflict(
                    "employer_exists", f"employer {emp_no} is already registered"
                )
            store.add_employer(session, employer)
    except IntegrityError as exc:
        raise Conflict(
            "employer_exists", f"employer {emp_no} is already registered"
        ) from exc
    return employer


def _employer_or_404(session: Session, emp_no: str) -> Employer:
    employer = store.get_employer(session, emp_no)
    if employer is None:
        raise NotFound("employer_not_found", f"no employer {emp_no}")
    return employer


def change_employer(runtime: Runtime, cmd: c.ChangeEmployer) -> Employer:
    with runtime.unit_of_work() as session:
        employer = _employer_or_404(session, cmd.emp_no)
        if employer.status != ACTIVE:
            raise Conflict(
                "employer_deregistered", f"employer {cmd.emp_no} is deregistered"
            )
        if cmd.emp_type is not None and cmd.emp_type not in EMP_TYPES:
            raise Invalid("emp_type", f"must be one of {', '.join(EMP_TYPES)}")
        check_length("emp_name", (cmd.emp_name or "").strip(), 200)
        if cmd.emp_name is not None and not cmd.emp_name.strip():
            raise Invalid("emp_name", "the unit's name cannot be blank")
        employer = replace(
            employer,
            emp_name=(cmd.emp_name or employer.emp_name).strip(),
            emp_type=cmd.emp_type or employer.emp_type,
            version=employer.version + 1,
        )
        store.save_employer(session, employer)
        return employer


def deregister_employer(runtime: Runtime, emp_no: str) -> Employer:
    with runtime.unit_of_work() as session:
        employer = _employer_or_404(session, emp_no)
        if employer.status != ACTIVE:
            raise Conflict(
                "employer_deregistered", f"employer {emp_no} is already deregistered"
            )
        staff = store.count_active_staff(session, emp_no)
        if staff:
            raise Conflict(
                "employer_has_staff",
                f"employer {emp_no} still has {staff} enrollment(s) not terminated; terminate or transfer them first",
                active_staff=staff,
            )
        employer = replace(
            employer, status="deregistered", version=employer.version + 1
        )
        store.save_employer(session, employer)
        return employer


# Enrollments


class Lookups:
    """Policy and employer reads for validating enrollments, cached for one transaction or import."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._policies: dict[tuple[str, str, int], Policy | None] = {}
        self._employers: dict[str, Employer | None] = {}
        self._pools: set[str] | None = None

    def policy(self, admdvs: str, insutype: str, year: int) -> Policy:
        key = (admdvs, insutype, year)
        if key not in self._policies:
            self._policies[key] = store.current_policy(
                self.session, admdvs, insutype, year
            )
        policy = self._policies[key]
        if policy is None:
            if self._pools is None:
                self._pools = store.known_pools(self.session)
            if admdvs not in self._pools:
                raise Invalid(
                    "insuplc_admdvs",
                    f"{admdvs} is not a pool this service administers",
                    code="unknown_pool",
                )
            raise Invalid(
                "insuplc_admdvs",
                f"pool {admdvs} has no {insutype} contribution policy for {year}",
                code="no_policy",
            )
        return policy

    def employer(self, emp_no: str) -> Employer | None:
        if emp_no not in self._employers:
            self._employers[emp_no] = store.get_employer(self.session, emp_no)
        return self._employers[emp_no]


def _policy_or_invalid(
    session: Session, admdvs: str, insutype: str, year: int
) -> Policy:
    return Lookups(session).policy(admdvs, insutype, year)


def build_enrollment(
    lookups: Lookups, person: Person, cmd: c.Enroll, existing: list[Enrollment]
) -> Enrollment:
    """Validate an enrollment against policy and the person's other enrollments (no writes)."""
    check_admdvs(cmd.insuplc_admdvs)
    if cmd.insutype not in BASIC_INSUTYPES:
        raise Invalid(
            "insutype", f"{cmd.insutype!r} must be 310 (employees) or 390 (residents)"
        )
    if cmd.enddate is not None and cmd.enddate < cmd.begndate:
        raise Invalid("enddate", "must not be before begndate")
    check_person_alive(person, cmd.begndate, "enrollment")
    policy = lookups.policy(cmd.insuplc_admdvs, cmd.insutype, cmd.begndate.year)
    emp_name = None
    if cmd.insutype == EMPLOYEE:
        if cmd.tier:
            raise Invalid("tier", "employees (310) have no resident contribution tier")
        if not cmd.psn_type.startswith(("11", "12")) or len(cmd.psn_type) != 4:
            raise Invalid(
                "psn_type",
                f"{cmd.psn_type!r}: employees are 11xx in service or 12xx retired",
            )
        if not cmd.emp_no:
            raise Invalid(
                "emp_no", "employees (310) are enrolled through their employer"
            )
        employer = lookups.employer(cmd.emp_no)
        if employer is None or employer.status != ACTIVE:
            raise Invalid(
                "emp_no",
                f"{cmd.emp_no} is not a registered active employer",
                code="unknown_employer",
            )
        if employer.admdvs != cmd.insuplc_admdvs:
            raise Invalid(
                "emp_no",
                f"employer {cmd.emp_no} belongs to pool {employer.admdvs}, not {cmd.insuplc_admdvs}",
            )
        emp_name = employer.emp_name
    else:
        if cmd.emp_no:
            raise Invalid(
                "emp_no", "residents (390) enroll on their own, not through an employer"
            )
        if not cmd.psn_type.startswith("1") or len(cmd.psn_type) != 4:
            raise Invalid(
                "psn_type",
                f"{cmd.psn_type!r} is not a 4-digit resident psn_type such as 1501",
            )
        policy.tier_amount(cmd.tier)
    if cmd.cvlserv_flag not in ("0", "1"):
        raise Invalid("cvlserv_flag", "must be 0 or 1")
    check_no_duplicate(existing, cmd.insutype, cmd.begndate, cmd.enddate)
    return Enrollment(
        enrollment_id=store.new_id(),
        psn_no=person.psn_no,
        insutype=cmd.insutype,
        insuplc_admdvs=cmd.insuplc_admdvs,
        psn_type=cmd.psn_type,
        begndate=cmd.begndate,
        enddate=cmd.enddate,
        periods=[Period(ACTIVE, cmd.begndate, cmd.enddate, "enrolled")],
        emp_no=cmd.emp_no or None,
        emp_name=emp_name,
        cvlserv_flag=cmd.cvlserv_flag,
        tier=cmd.tier or None,
    )


def enroll(runtime: Runtime, cmd: c.Enroll) -> Enrollment:
    with runtime.unit_of_work() as session:
        person = _person_or_404(session, cmd.psn_no, lock=True)
        existing = store.enrollments_of(session, [person.psn_no])[person.psn_no]
        enrollment = build_enrollment(Lookups(session), person, cmd, existing)
        store.add_enrollments(session, [enrollment])
        _publish(
            session,
            contracts.enrollment_event(
                "PersonEnrolled", person.snapshot(), enrollment.snapshot()
            ),
        )
        return enrollment


_STATUS_EVENTS = {
    "suspend": "EnrollmentSuspended",
    "resume": "EnrollmentResumed",
    "terminate": "EnrollmentTerminated",
    "retire": "PersonRetired",
}


def change_status(runtime: Runtime, cmd: c.ChangeStatus) -> Enrollment:
    """Suspend (暂停), resume, terminate (终止) or retire (在职转退休) from an effective date."""
    if cmd.action not in _STATUS_EVENTS:
        raise Invalid("action", f"must be one of {', '.join(_STATUS_EVENTS)}")
    with runtime.unit_of_work() as session:
        enrollment = _enrollment_or_404(session, cmd.enrollment_id)
        person = _person_or_404(session, enrollment.psn_no, lock=True)
        if cmd.action == "suspend":
            enrollment.suspend(cmd.effective_date, cmd.reason)
        elif cmd.action == "resume":
            check_person_alive(person, cmd.effective_date, "resumption")
            others = store.enrollments_of(session, [person.psn_no])[person.psn_no]
            check_no_duplicate(
                others,
                enrollment.insutype,
                cmd.effective_date,
                enrollment.enddate,
                ignore=enrollment.enrollment_id,
            )
            enrollment.resume(cmd.effective_date, cmd.reason)
        elif cmd.action == "terminate":
            enrollment.terminate(cmd.effective_date, cmd.reason)
        else:
            enrollment.retire(cmd.effective_date)
        store.save_enrollment(session, enrollment)
        _publish(
            session,
            contracts.enrollment_event(
                _STATUS_EVENTS[cmd.action], person.snapshot(), enrollment.snapshot()
            ),
        )
        return enrollment


def transfer(runtime: Runtime, cmd: c.Transfer) -> tuple[Enrollment, Enrollment]:
    """转移接续: end the enrollment in its pool and open one in the new pool; both stay in history."""
    with runtime.unit_of_work() as session:
        old = _enrollment_or_404(session, cmd.enrollment_id)
        person = _person_or_404(session, old.psn_no, lock=True)
        if old.status != ACTIVE:
            raise Conflict(
                "not_active",
                f"enrollment {old.enrollment_id} is {old.status}; only an active one transfers",
            )
        if cmd.to_admdvs == old.insuplc_admdvs:
            raise Invalid(
                "to_admdvs", f"the enrollment is already in pool {old.insuplc_admdvs}"
            )
        reason = cmd.reason.strip() or "转移接续"
        old.terminate(
            cmd.effective_date, f"transferred out to {cmd.to_admdvs}: {reason}"
        )
        others = [
            e
            for e in store.enrollments_of(session, [person.psn_no])[person.psn_no]
            if e.enrollment_id != old.enrollment_id
        ]
        new = build_enrollment(
            Lookups(session),
            person,
            c.Enroll(
                psn_no=person.psn_no,
                insutype=old.insutype,
                insuplc_admdvs=cmd.to_admdvs,
                psn_type=cmd.psn_type or old.psn_type,
                begndate=cmd.effective_date,
                emp_no=cmd.emp_no,
                cvlserv_flag=old.cvlserv_flag if cmd.emp_no else "0",
                tier=cmd.tier if old.insutype == RESIDENT else None,
            ),
            [*others, old],
        )
        new.periods[0] = replace(
            new.periods[0], reason=f"transferred in from {old.insuplc_admdvs}: {reason}"
        )
        new.transferred_from = old.enrollment_id
        store.save_enrollment(session, old)
        store.add_enrollments(session, [new])
        _publish(
            session,
            contracts.enrollment_event(
                "EnrollmentTransferredOut", person.snapshot(), old.snapshot()
            ),
        )
        _publish(
            session,
            contracts.enrollment_event(
                "EnrollmentTransferredIn", person.snapshot(), new.snapshot()
            ),
        )
        return old, new


# Identities


def grant_identity(runtime: Runtime, cmd: c.GrantIdentity) -> Identity:
    if not (cmd.psn_idet_type.isdigit() and 2 <= len(cmd.psn_idet_type) <= 6):
        raise Invalid(
            "psn_idet_type",
            f"{cmd.psn_idet_type!r} is not an identity code such as 2202 (低保)",
        )
    check_length("psn_type_lv", cmd.psn_type_lv, 6)
    check_length("memo", cmd.memo, 500)
    if cmd.endtime is not None and cmd.endtime < cmd.begntime:
        raise Invalid("endtime", "must not be before begntime")
    with runtime.unit_of_work() as session:
        person = _person_or_404(session, cmd.psn_no, lock=True)
        for other in store.identities_of(session, person.psn_no):
            if other.psn_idet_type == cmd.psn_idet_type and other.valid_during(
                cmd.begntime, cmd.endtime or dt.date.max
            ):
                raise Conflict(
                    "identity_overlaps",
                    f"{person.psn_no} already holds {cmd.psn_idet_type} from {other.begntime.isoformat()} "
                    f"(identity {other.identity_id}); revoke it or start after it ends",
                    identity_id=other.identity_id,
                )
        identity = Identity(
            identity_id=store.new_id(),
            psn_no=person.psn_no,
            psn_idet_type=cmd.psn_idet_type,
            begntime=cmd.begntime,
            endtime=cmd.endtime,
            psn_type_lv=cmd.psn_type_lv,
            memo=cmd.memo,
        )
        store.add_identity(session, identity)
        _publish(
            session, contracts.identity_event("IdentityGranted", identity.snapshot())
        )
        return identity


def revoke_identity(runtime: Runtime, cmd: c.RevokeIdentity) -> Identity:
    check_length("memo", cmd.memo, 500)
    with runtime.unit_of_work() as session:
        identity = store.get_identity(session, cmd.identity_id)
        if identity is None:
            raise NotFound("identity_not_found", f"no identity {cmd.identity_id}")
        if identity.revoked:
            raise Conflict(
                "identity_revoked", f"identity {cmd.identity_id} is already revoked"
            )
        identity = replace(
            identity,
            revoked=True,
            memo=cmd.memo or identity.memo,
            version=identity.version + 1,
        )
        store.save_identity(session, identity)
        _publish(
            session, contracts.identity_event("IdentityRevoked", identity.snapshot())
        )
        return identity


# Policy


def set_contribution_policy(runtime: Runtime, cmd: c.SetContributionPolicy) -> Policy:
    """Adds the next version; the previous ones stay for the record."""
    check_admdvs(cmd.insuplc_admdvs)
    if cmd.insutype not in BASIC_INSUTYPES:
        raise Invalid("insutype", "must be 310 or 390")
    if cmd.insutype == RESIDENT and not cmd.tiers:
        raise Invalid("tiers", "residents need at least one contribution tier")
    for name in ("employer_rate", "employee_rate", "assistance_share"):
        if not Decimal(0) <= getattr(cmd, name) <= Decimal(1):
            raise Invalid(name, "must be a fraction between 0 and 1, e.g. 0.06")
    with runtime.unit_of_work() as session:
        previous = store.current_policy(
            session, cmd.insuplc_admdvs, cmd.insutype, cmd.year
        )
        policy = Policy(
            policy_id=store.new_id(),
            insuplc_admdvs=cmd.insuplc_admdvs,
            insutype=cmd.insutype,
            year=cmd.year,
            version=(previous.version + 1) if previous else 1,
            tiers={k: money(v) for k, v in cmd.tiers.items()},
            employer_rate=cmd.employer_rate,
            employee_rate=cmd.employee_rate,
            retiree_monthly_credit=money(cmd.retiree_monthly_credit),
            subsidised_identities=cmd.subsidised_identities,
            assistance_share=cmd.assistance_share,
        )
        store.add_policy(session, policy)
        return policy


# Contributions and account credits


def _enrollment_on(
    enrollments: list[Enrollment],
    insutype: str,
    begin: dt.date,
    end: dt.date,
    admdvs: str | None,
) -> Enrollment | None:
    for e in enrollments:
        if e.insutype != insutype or (admdvs and e.insuplc_admdvs != admdvs):
            continue
        if any(
            p.status == ACTIVE
            and p.begndate <= end
            and (p.enddate is None or p.enddate >= begin)
            for p in e.periods
        ):
            return e
    return None


def pay_resident_contribution(
    runtime: Runtime, cmd: c.PayResidentContribution
) -> dict[str, Any]:
    begin, end = years_span(cmd.year)
    with runtime.unit_of_work() as session:
        person = _person_or_404(session, cmd.psn_no, lock=True)
        enrollment = _enrollment_on(
            store.enrollments_of(session, [person.psn_no])[person.psn_no],
            RESIDENT,
            begin,
            end,
            cmd.insuplc_admdvs,
        )
        if enrollment is None:
            raise Conflict(
                "not_enrolled",
                f"{person.psn_no} has no active resident (390) enrollment in {cmd.year}",
            )
        if store.contribution_exists(session, enrollment.enrollment_id, str(cmd.year)):
            raise Conflict(
                "already_paid",
                f"{person.psn_no} has already paid the {cmd.year} contribution in {enrollment.insuplc_admdvs}",
            )
        policy = _policy_or_invalid(
            session, enrollment.insuplc_admdvs, RESIDENT, cmd.year
        )
        subsidised = any(
            i.psn_idet_type in policy.subsidised_identities
            and i.valid_during(begin, end)
            for i in store.identities_of(session, person.psn_no)
        )
        lines = contrib.resident_lines(policy, enrollment.tier, subsidised)
        return _record_contribution(
            session,
            enrollment,
            policy,
            str(cmd.year),
            lines,
            tier=enrollment.tier,
            base=None,
        )


def pay_employee_contribution(
    runtime: Runtime, cmd: c.PayEmployeeContribution
) -> dict[str, Any]:
    begin = _month_start(cmd.month)
    end = (begin + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    with runtime.unit_of_work() as session:
        person = _person_or_404(session, cmd.psn_no, lock=True)
        check_person_alive(person, begin, "contribution")
        enrollment = _enrollment_on(
            store.enrollments_of(session, [person.psn_no])[person.psn_no],
            EMPLOYEE,
            begin,
            end,
            None,
        )
        if enrollment is None:
            raise Conflict(
                "not_enrolled",
                f"{person.psn_no} has no active employee (310) enrollment in {cmd.month}",
            )
        if not enrollment.psn_type.startswith("11"):
            raise Conflict(
                "retired",
                f"{person.psn_no} is retired (psn_type {enrollment.psn_type}); retirees pay no monthly contribution",
            )
        if store.contribution_exists(session, enrollment.enrollment_id, cmd.month):
            raise Conflict(
                "already_paid",
                f"the {cmd.month} contribution of {person.psn_no} is already paid",
            )
        policy = _policy_or_invalid(
            session, enrollment.insuplc_admdvs, EMPLOYEE, begin.year
        )
        lines = contrib.employee_lines(policy, money(cmd.base))
        paid = _record_contribution(
            session,
            enrollment,
            policy,
            cmd.month,
            lines,
            tier=None,
            base=money(cmd.base),
        )
        share = next(line.amount for line in lines if line.payer == contrib.PERSON)
        if share > 0:
            _record_credit(
                session,
                person,
                EMPLOYEE,
                share,
                begin,
                "employee_share",
                f"employee share {cmd.month}",
                None,
            )
        return paid


def _month_start(month: str) -> dt.date:
    try:
        return dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError as exc:
        raise Invalid("month", f"{month!r} is not a month like 2026-03") from exc


def _record_contribution(
    session: Session,
    enrollment: Enrollment,
    policy: Policy,
    period: str,
    lines: list[contrib.PayerLine],
    *,
    tier: str | None,
    base: Decimal | None,
) -> dict[str, Any]:
    row = {
        "contribution_id": store.new_id(),
        "psn_no": enrollment.psn_no,
        "enrollment_id": enrollment.enrollment_id,
        "insutype": enrollment.insutype,
        "insuplc_admdvs": enrollment.insuplc_admdvs,
        "year": policy.year,
        "period": period,
        "tier": tier,
        "base": base,
        "total": contrib.total(lines),
        "policy_id": policy.policy_id,
    }
    line_rows = [{"payer": line.payer, "amount": line.amount} for line in lines]
    store.add_contribution(session, row, line_rows)
    snapshot = store.contribution_snapshot(row, line_rows)
    _publish(session, contracts.contribution_event(snapshot))
    return snapshot


def credit_account(runtime: Runtime, cmd: c.CreditAccount) -> dict[str, Any]:
    if cmd.kind not in CREDIT_KINDS:
        raise Invalid(
            "kind",
            f"must be one of {', '.join(CREDIT_KINDS)} (employee shares come with contributions)",
        )
    check_length("memo", cmd.memo, 200)
    with runtime.unit_of_work() as session:
        person = _person_or_404(session, cmd.psn_no, lock=True)
        check_person_alive(person, cmd.credited_on, "account credit")
        month = cmd.credited_on.replace(day=1)
        month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(
            days=1
        )
        enrollment = _enrollment_on(
            store.enrollments_of(session, [person.psn_no])[person.psn_no],
            EMPLOYEE,
            month,
            month_end,
            None,
        )
        if enrollment is None:
            raise Conflict(
                "no_account",
                f"{person.psn_no} has no active employee (310) enrollment, so no personal account, in {month:%Y-%m}",
            )
        dedup: str | None = None
        if cmd.kind == "retiree_monthly":
            if not enrollment.psn_type.startswith("12"):
                raise Conflict(
                    "not_retired",
                    f"{person.psn_no} is not retired (psn_type {enrollment.psn_type})",
                )
            amount = _policy_or_invalid(
                session, enrollment.insuplc_admdvs, EMPLOYEE, month.year
            ).retiree_monthly_credit
            dedup = f"{person.psn_no}:retiree_monthly:{month:%Y-%m}"
        else:
            if cmd.amount is None or money(cmd.amount) <= 0:
                raise Invalid("amount", 'a positive amount is required, e.g. "5000.00"')
            amount = money(cmd.amount)
            if cmd.kind == "opening":
                dedup = f"{person.psn_no}:opening"
        if dedup and store.credit_exists(session, dedup):
            raise Conflict(
                "already_credited",
                f"{person.psn_no} already has this {cmd.kind} credit",
            )
        return _record_credit(
            session,
            person,
            EMPLOYEE,
            amount,
            cmd.credited_on,
            cmd.kind,
            cmd.memo,
            dedup,
        )


def _record_credit(
    session: Session,
    person: Person,
    insutype: str,
    amount: Decimal,
    on: dt.date,
    kind: str,
    memo: str,
    dedup: str | None,
) -> dict[str, Any]:
    credit = {
        "credit_id": store.new_id(),
        "psn_no": person.psn_no,
        "insutype": insutype,
        "amount": amount,
        "credited_on": on,
        "kind": kind,
        "memo": memo,
    }
    store.add_credit(session, credit, dedup)
    _publish(session, contracts.credit_event(credit))
    return credit
