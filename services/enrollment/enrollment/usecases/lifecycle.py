"""An enrollment's lifecycle: suspend, resume, terminate, retire, transfer to another pool."""

from __future__ import annotations

from enrollment.domain import commands as cmds
from enrollment.domain import enrolling as rules
from enrollment.domain.model import Enrollment
from enrollment.messaging import contracts

from .common import Lookups, enrollment_or_404, person_or_404
from .enrollments import build_enrollment
from .ports import UnitOfWork


def change_status(uow: UnitOfWork, cmd: cmds.ChangeStatus) -> Enrollment:
    """Suspend (暂停), resume, terminate (终止) or retire (在职转退休) from an effective date."""
    event_type = rules.check_action(cmd.action)
    with uow.transaction() as store:
        enrollment = enrollment_or_404(store, cmd.enrollment_id)
        person = person_or_404(store, enrollment.psn_no, lock=True)
        others = store.enrollments_of([person.psn_no])[person.psn_no] if cmd.action == "resume" else []
        rules.change_status(enrollment, person, cmd, others)
        store.save_enrollment(enrollment)
        store.stage(contracts.enrollment_event(event_type, person.snapshot(), enrollment.snapshot()))
        return enrollment


def transfer(uow: UnitOfWork, cmd: cmds.Transfer) -> tuple[Enrollment, Enrollment]:
    """转移接续: end the enrollment in its pool and open one in the new pool; both stay in history."""
    with uow.transaction() as store:
        old = enrollment_or_404(store, cmd.enrollment_id)
        person = person_or_404(store, old.psn_no, lock=True)
        reason = rules.transfer_out(old, cmd)
        others = [
            other
            for other in store.enrollments_of([person.psn_no])[person.psn_no]
            if other.enrollment_id != old.enrollment_id
        ]
        new = build_enrollment(Lookups(store), person, rules.transfer_request(old, cmd), [*others, old])
        rules.transferred_in(new, old, reason)
        store.save_enrollment(old)
        store.add_enrollments([new])
        store.stage(contracts.enrollment_event("EnrollmentTransferredOut", person.snapshot(), old.snapshot()))
        store.stage(contracts.enrollment_event("EnrollmentTransferredIn", person.snapshot(), new.snapshot()))
        return old, new
