"""People (人员): register, correct, record a death."""

from __future__ import annotations

from enrollment.domain import commands as cmds
from enrollment.domain import people as rules
from enrollment.domain.errors import Conflict
from enrollment.domain.model import Person, check_admdvs, issue_psn_no, new_person, split_psn_no
from enrollment.messaging import contracts

from .common import person_or_404
from .ports import KeyTaken, UnitOfWork


def register_person(uow: UnitOfWork, cmd: cmds.RegisterPerson) -> Person:
    """Register a person and issue a psn_no in the registering pool (or keep the one they hold)."""
    try:
        with uow.transaction() as store:
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
            rules.check_not_registered(person, store.find_people_by_certno(person.certno))
            if cmd.psn_no:
                admdvs, serial = split_psn_no(cmd.psn_no)
                store.raise_serial_to(admdvs, serial)
                person.psn_no = cmd.psn_no
            else:
                person.psn_no = issue_psn_no(pool, store.reserve_serials(pool, 1))
            store.add_people([person])
            store.stage(contracts.person_event("PersonRegistered", person.snapshot()))
            return person
    except KeyTaken as exc:
        # Two desks registered the same number at once; the unique key let one through.
        raise Conflict(
            "already_registered",
            f"certno {cmd.certno} (or psn_no {cmd.psn_no}) was registered a moment ago; look it up",
        ) from exc


def update_person(uow: UnitOfWork, cmd: cmds.UpdatePerson) -> Person:
    """Correct a name, ethnicity or contact details; an unchanged person stages no event."""
    with uow.transaction() as store:
        person = person_or_404(store, cmd.psn_no, lock=True)
        changed = rules.corrected(person, cmd)
        if changed is None:
            return person
        store.save_person(changed)
        store.stage(contracts.person_event("PersonUpdated", changed.snapshot()))
        return changed


def record_death(uow: UnitOfWork, cmd: cmds.RecordDeath) -> Person:
    """Death terminates every enrollment from the date of death and stops account credits."""
    with uow.transaction() as store:
        person = rules.died(person_or_404(store, cmd.psn_no, lock=True), cmd.death_date)
        store.save_person(person)
        store.stage(contracts.person_event("PersonDied", person.snapshot()))
        for enrollment in store.enrollments_of([person.psn_no])[person.psn_no]:
            if not rules.ends_at_death(enrollment, cmd.death_date):
                continue
            enrollment.terminate(cmd.death_date, f"death on {cmd.death_date.isoformat()}")
            store.save_enrollment(enrollment)
            store.stage(contracts.enrollment_event("EnrollmentTerminated", person.snapshot(), enrollment.snapshot()))
        return person
