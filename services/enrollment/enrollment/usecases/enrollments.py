"""Enrollments (参保): validate against the pool's policy, the employer and the person's history."""

from __future__ import annotations

from enrollment.domain import commands as cmds
from enrollment.domain import enrolling as rules
from enrollment.domain.ids import new_id
from enrollment.domain.model import Enrollment, Person
from enrollment.messaging import contracts

from .common import Lookups, person_or_404
from .ports import UnitOfWork


def build_enrollment(lookups: Lookups, person: Person, cmd: cmds.Enroll, existing: list[Enrollment]) -> Enrollment:
    """Validate an enrollment against policy and the person's other enrollments (no writes)."""
    rules.check_enroll(person, cmd)
    policy = lookups.policy(cmd.insuplc_admdvs, cmd.insutype, cmd.begndate.year)
    employer = lookups.employer(cmd.emp_no or "") if rules.needs_employer(cmd) else None
    return rules.new_enrollment(person, cmd, policy, employer, existing, new_id())


def enroll(uow: UnitOfWork, cmd: cmds.Enroll) -> Enrollment:
    """Enroll a person; an overlapping basic enrollment in any pool is refused (重复参保)."""
    with uow.transaction() as store:
        person = person_or_404(store, cmd.psn_no, lock=True)
        existing = store.enrollments_of([person.psn_no])[person.psn_no]
        enrollment = build_enrollment(Lookups(store), person, cmd, existing)
        store.add_enrollments([enrollment])
        store.stage(contracts.enrollment_event("PersonEnrolled", person.snapshot(), enrollment.snapshot()))
        return enrollment
