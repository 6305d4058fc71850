"""Rules for enrolling a person, changing an enrollment's status and transferring it (pure).

Enrolling is checked in two steps around the policy lookup, so the first refusal a desk
sees stays the same: the request itself (`check_enroll`), then the pool's policy, the
employer and the person's other enrollments (`new_enrollment`).
"""

from __future__ import annotations

from dataclasses import replace

from enrollment.domain import commands as cmds
from enrollment.domain.contributions import Policy
from enrollment.domain.errors import Conflict, Invalid
from enrollment.domain.model import (
    ACTIVE,
    BASIC_INSUTYPES,
    EMPLOYEE,
    RESIDENT,
    Employer,
    Enrollment,
    Period,
    Person,
    check_admdvs,
    check_no_duplicate,
    check_person_alive,
)

# Each status change and the event it publishes.
STATUS_EVENTS = {
    "suspend": "EnrollmentSuspended",
    "resume": "EnrollmentResumed",
    "terminate": "EnrollmentTerminated",
    "retire": "PersonRetired",
}
TRANSFER_REASON = "转移接续"


def check_enroll(person: Person, cmd: cmds.Enroll) -> None:
    """What the request must get right before the pool's policy is read."""
    check_admdvs(cmd.insuplc_admdvs)
    if cmd.insutype not in BASIC_INSUTYPES:
        raise Invalid("insutype", f"{cmd.insutype!r} must be 310 (employees) or 390 (residents)")
    if cmd.enddate is not None and cmd.enddate < cmd.begndate:
        raise Invalid("enddate", "must not be before begndate")
    check_person_alive(person, cmd.begndate, "enrollment")


def needs_employer(cmd: cmds.Enroll) -> bool:
    return cmd.insutype == EMPLOYEE and bool(cmd.emp_no)


def check_employee(cmd: cmds.Enroll, employer: Employer | None) -> str:
    """An employee (310) is 11xx or 12xx and enrolled through an active employer of the pool."""
    if cmd.tier:
        raise Invalid("tier", "employees (310) have no resident contribution tier")
    if not cmd.psn_type.startswith(("11", "12")) or len(cmd.psn_type) != 4:
        raise Invalid("psn_type", f"{cmd.psn_type!r}: employees are 11xx in service or 12xx retired")
    if not cmd.emp_no:
        raise Invalid("emp_no", "employees (310) are enrolled through their employer")
    if employer is None or employer.status != ACTIVE:
        raise Invalid("emp_no", f"{cmd.emp_no} is not a registered active employer", code="unknown_employer")
    if employer.admdvs != cmd.insuplc_admdvs:
        raise Invalid(
            "emp_no",
            f"employer {cmd.emp_no} belongs to pool {employer.admdvs}, not {cmd.insuplc_admdvs}",
        )
    return employer.emp_name


def check_resident(cmd: cmds.Enroll, policy: Policy) -> None:
    """A resident (390) enrolls on their own, as a 4-digit psn_type, in a tier the pool offers."""
    if cmd.emp_no:
        raise Invalid("emp_no", "residents (390) enroll on their own, not through an employer")
    if not cmd.psn_type.startswith("1") or len(cmd.psn_type) != 4:
        raise Invalid("psn_type", f"{cmd.psn_type!r} is not a 4-digit resident psn_type such as 1501")
    policy.tier_amount(cmd.tier)


def new_enrollment(
    person: Person,
    cmd: cmds.Enroll,
    policy: Policy,
    employer: Employer | None,
    existing: list[Enrollment],
    enrollment_id: str,
) -> Enrollment:
    """The enrollment once the request passed `check_enroll`; no two basic ones overlap."""
    emp_name = check_employee(cmd, employer) if cmd.insutype == EMPLOYEE else None
    if cmd.insutype != EMPLOYEE:
        check_resident(cmd, policy)
    if cmd.cvlserv_flag not in ("0", "1"):
        raise Invalid("cvlserv_flag", "must be 0 or 1")
    check_no_duplicate(existing, cmd.insutype, cmd.begndate, cmd.enddate)
    return Enrollment(
        enrollment_id=enrollment_id,
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


def check_action(action: str) -> str:
    if action not in STATUS_EVENTS:
        raise Invalid("action", f"must be one of {', '.join(STATUS_EVENTS)}")
    return STATUS_EVENTS[action]


def change_status(enrollment: Enrollment, person: Person, cmd: cmds.ChangeStatus, others: list[Enrollment]) -> None:
    """Suspend (暂停), resume, terminate (终止) or retire (在职转退休) from the effective date.

    A resumption must not overlap another active basic enrollment of the person (`others`).
    """
    if cmd.action == "suspend":
        enrollment.suspend(cmd.effective_date, cmd.reason)
    elif cmd.action == "resume":
        check_person_alive(person, cmd.effective_date, "resumption")
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


def transfer_out(old: Enrollment, cmd: cmds.Transfer) -> str:
    """End an active enrollment in its pool for a transfer; returns the reason both sides keep."""
    if old.status != ACTIVE:
        raise Conflict(
            "not_active",
            f"enrollment {old.enrollment_id} is {old.status}; only an active one transfers",
        )
    if cmd.to_admdvs == old.insuplc_admdvs:
        raise Invalid("to_admdvs", f"the enrollment is already in pool {old.insuplc_admdvs}")
    reason = cmd.reason.strip() or TRANSFER_REASON
    old.terminate(cmd.effective_date, f"transferred out to {cmd.to_admdvs}: {reason}")
    return reason


def transfer_request(old: Enrollment, cmd: cmds.Transfer) -> cmds.Enroll:
    """The enrollment the new pool opens: same insutype, from the effective date."""
    return cmds.Enroll(
        psn_no=old.psn_no,
        insutype=old.insutype,
        insuplc_admdvs=cmd.to_admdvs,
        psn_type=cmd.psn_type or old.psn_type,
        begndate=cmd.effective_date,
        emp_no=cmd.emp_no,
        cvlserv_flag=old.cvlserv_flag if cmd.emp_no else "0",
        tier=cmd.tier if old.insutype == RESIDENT else None,
    )


def transferred_in(new: Enrollment, old: Enrollment, reason: str) -> None:
    new.periods[0] = replace(new.periods[0], reason=f"transferred in from {old.insuplc_admdvs}: {reason}")
    new.transferred_from = old.enrollment_id
