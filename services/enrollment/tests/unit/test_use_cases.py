"""Enrollment's use cases on an in-memory store: no HTTP, no database.

Each test runs a use case as a desk would (a command in, a result out) and reads the store
afterwards: what was stored, which events were staged, and that a refusal left both alone.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from enrollment.domain import commands as cmds
from enrollment.domain.errors import Conflict
from enrollment.domain.gb11643 import check_character
from enrollment.domain.model import ACTIVE, SUSPENDED, TERMINATED, Enrollment, Person
from enrollment.usecases import contributions, enrollments, identities, lifecycle, people
from tests.unit.fakes import FakeUnitOfWork

JAN_1 = dt.date(2026, 1, 1)
ZHAXI_CERTNO = "540102198005010110"


def certno(first17: str) -> str:
    return first17 + check_character(first17)


def register(uow: FakeUnitOfWork, number: str = ZHAXI_CERTNO, name: str = "扎西") -> Person:
    return people.register_person(
        uow, cmds.RegisterPerson(admdvs="540100", psn_cert_type="01", certno=number, psn_name=name)
    )


def enroll_resident(uow: FakeUnitOfWork, psn_no: str, pool: str = "540100", tier: str = "320") -> Enrollment:
    return enrollments.enroll(
        uow,
        cmds.Enroll(psn_no=psn_no, insutype="390", insuplc_admdvs=pool, psn_type="1501", begndate=JAN_1, tier=tier),
    )


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_registering_and_enrolling_a_resident_issues_a_psn_no_in_the_pool_and_stages_both_events(
    uow: FakeUnitOfWork,
) -> None:
    person = register(uow)
    enrollment = enroll_resident(uow, person.psn_no)

    assert person.psn_no == "54010000000000000001"
    assert (person.brdy, person.gend) == (dt.date(1980, 5, 1), "1")  # read from the ID number
    stored = uow.store.enrollments[enrollment.enrollment_id]
    assert (stored.psn_no, stored.insuplc_admdvs, stored.tier, stored.status) == (
        person.psn_no,
        "540100",
        "320",
        ACTIVE,
    )
    assert uow.store.staged_types() == ["PersonRegistered", "PersonEnrolled"]
    enrolled = uow.store.staged[1]
    assert enrolled.key == person.psn_no
    assert enrolled.payload["enrollment"]["enrollment_id"] == enrollment.enrollment_id


def test_a_second_registration_of_the_same_id_number_is_refused_and_names_the_psn_no(
    uow: FakeUnitOfWork,
) -> None:
    first = register(uow)
    with pytest.raises(Conflict) as refused:
        register(uow, name="扎西次仁")
    assert refused.value.code == "already_registered"
    assert refused.value.extra == {"psn_no": first.psn_no}
    assert list(uow.store.people) == [first.psn_no]
    assert uow.store.staged_types() == ["PersonRegistered"]


def test_an_overlapping_enrollment_in_another_pool_is_refused_and_stores_and_stages_nothing(
    uow: FakeUnitOfWork,
) -> None:
    person = register(uow)
    held = enroll_resident(uow, person.psn_no)
    before = (copy.deepcopy(uow.store.enrollments), list(uow.store.staged))

    with pytest.raises(Conflict) as refused:
        enroll_resident(uow, person.psn_no, pool="341300")

    assert refused.value.code == "duplicate_enrollment"
    assert refused.value.extra == {"insuplc_admdvs": "540100", "enrollment_id": held.enrollment_id}
    assert (uow.store.enrollments, uow.store.staged) == before


def test_suspending_an_enrollment_closes_its_active_period_the_day_before_and_stages_the_suspension(
    uow: FakeUnitOfWork,
) -> None:
    person = register(uow)
    enrollment = enroll_resident(uow, person.psn_no)

    lifecycle.change_status(
        uow,
        cmds.ChangeStatus(
            enrollment_id=enrollment.enrollment_id,
            action="suspend",
            effective_date=dt.date(2026, 4, 1),
            reason="欠费",
        ),
    )

    stored = uow.store.enrollments[enrollment.enrollment_id]
    assert [(p.status, p.begndate, p.enddate) for p in stored.periods] == [
        (ACTIVE, JAN_1, dt.date(2026, 3, 31)),
        (SUSPENDED, dt.date(2026, 4, 1), None),
    ]
    assert stored.version == 2
    assert uow.store.staged_types()[-1] == "EnrollmentSuspended"
    assert uow.store.staged[-1].payload["enrollment"]["status"] == SUSPENDED


def test_recording_a_death_terminates_the_open_enrollment_from_that_day_and_stages_both_events(
    uow: FakeUnitOfWork,
) -> None:
    person = register(uow)
    enrollment = enroll_resident(uow, person.psn_no)
    died_on = dt.date(2026, 8, 15)

    people.record_death(uow, cmds.RecordDeath(psn_no=person.psn_no, death_date=died_on))

    assert uow.store.people[person.psn_no].death_date == died_on
    stored = uow.store.enrollments[enrollment.enrollment_id]
    assert (stored.status, stored.enddate) == (TERMINATED, dt.date(2026, 8, 14))
    assert stored.periods[-1].begndate == died_on
    assert uow.store.staged_types()[-2:] == ["PersonDied", "EnrollmentTerminated"]
    with pytest.raises(Conflict) as again:
        people.record_death(uow, cmds.RecordDeath(psn_no=person.psn_no, death_date=died_on))
    assert again.value.code == "person_deceased"


def test_a_subsidised_resident_pays_a_tenth_of_the_tier_and_medical_assistance_the_rest(
    uow: FakeUnitOfWork,
) -> None:
    person = register(uow, certno("54010219600820031"), "次仁")
    enroll_resident(uow, person.psn_no)
    identities.grant_identity(
        uow,
        cmds.GrantIdentity(psn_no=person.psn_no, psn_idet_type="2202", begntime=JAN_1, endtime=dt.date(2026, 12, 31)),
    )

    paid = contributions.pay_resident_contribution(uow, cmds.PayResidentContribution(psn_no=person.psn_no, year=2026))

    assert paid["total"] == Decimal("320.00")
    assert paid["lines"] == [
        {"payer": "person", "amount": Decimal("32.00")},
        {"payer": "medical_assistance", "amount": Decimal("288.00")},
    ]
    assert len(uow.store.contributions) == 1
    assert uow.store.staged_types()[-1] == "ContributionPaid"
    with pytest.raises(Conflict) as twice:
        contributions.pay_resident_contribution(uow, cmds.PayResidentContribution(psn_no=person.psn_no, year=2026))
    assert twice.value.code == "already_paid"
    assert len(uow.store.contributions) == 1
