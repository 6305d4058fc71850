"""Rules for employers (参保单位): registration, changes, deregistration (pure)."""

from __future__ import annotations

from dataclasses import replace

from enrollment.domain import commands as cmds
from enrollment.domain.errors import Conflict, Invalid
from enrollment.domain.model import ACTIVE, EMP_TYPES, Employer, check_admdvs, check_length

DEREGISTERED = "deregistered"


def new_employer(cmd: cmds.RegisterEmployer) -> Employer:
    """A valid registration: emp_no 1-30 letters or digits, a known type, a name, a pool."""
    emp_no = cmd.emp_no.strip()
    if not emp_no or len(emp_no) > 30 or not emp_no.isalnum():
        raise Invalid("emp_no", "must be 1-30 letters or digits (the unit's registration code)")
    if cmd.emp_type not in EMP_TYPES:
        raise Invalid(
            "emp_type",
            f"must be one of {', '.join(f'{code} ({name})' for code, name in EMP_TYPES.items())}",
        )
    check_length("emp_name", cmd.emp_name.strip(), 200)
    if not cmd.emp_name.strip():
        raise Invalid("emp_name", "the unit's name is required")
    return Employer(emp_no, cmd.emp_name.strip(), cmd.emp_type, check_admdvs(cmd.admdvs, "admdvs"))


def already_registered(emp_no: str) -> Conflict:
    return Conflict("employer_exists", f"employer {emp_no} is already registered")


def changed(employer: Employer, cmd: cmds.ChangeEmployer) -> Employer:
    """A new name or type for an active employer."""
    if employer.status != ACTIVE:
        raise Conflict("employer_deregistered", f"employer {cmd.emp_no} is deregistered")
    if cmd.emp_type is not None and cmd.emp_type not in EMP_TYPES:
        raise Invalid("emp_type", f"must be one of {', '.join(EMP_TYPES)}")
    check_length("emp_name", (cmd.emp_name or "").strip(), 200)
    if cmd.emp_name is not None and not cmd.emp_name.strip():
        raise Invalid("emp_name", "the unit's name cannot be blank")
    return replace(
        employer,
        emp_name=(cmd.emp_name or employer.emp_name).strip(),
        emp_type=cmd.emp_type or employer.emp_type,
        version=employer.version + 1,
    )


def deregistered(employer: Employer, active_staff: int) -> Employer:
    """An active employer with no enrollment left that is not terminated may deregister."""
    if employer.status != ACTIVE:
        raise Conflict("employer_deregistered", f"employer {employer.emp_no} is already deregistered")
    if active_staff:
        raise Conflict(
            "employer_has_staff",
            f"employer {employer.emp_no} still has {active_staff} enrollment(s) not terminated; "
            "terminate or transfer them first",
            active_staff=active_staff,
        )
    return replace(employer, status=DEREGISTERED, version=employer.version + 1)
