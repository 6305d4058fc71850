"""An in-memory store with the methods of enrollment.usecases.ports.Store, and a unit of work over it.

Reads hand out copies and writes keep copies, as a database would, so a use case that
changes an object it read has changed nothing until it saves it. A transaction that
raises puts every dictionary back as it was, so a test can say "nothing was stored and
nothing was staged".
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from enrollment.domain.contributions import Policy
from enrollment.domain.model import TERMINATED, Employer, Enrollment, Identity, Person
from enrollment.usecases.ports import KeyTaken
from medshared.events import Event

RESIDENT_POLICIES = (
    Policy(
        policy_id="policy-540100-390",
        insuplc_admdvs="540100",
        insutype="390",
        year=2026,
        version=1,
        tiers={"130": Decimal("130.00"), "320": Decimal("320.00")},
        subsidised_identities=("2201", "2202", "2203", "2204"),
        assistance_share=Decimal("0.90"),
    ),
    Policy(
        policy_id="policy-341300-390",
        insuplc_admdvs="341300",
        insutype="390",
        year=2026,
        version=1,
        tiers={"320": Decimal("320.00")},
    ),
)


class FakeStore:
    def __init__(self) -> None:
        self.people: dict[str, Person] = {}
        self.serials: dict[str, int] = {}
        self.employers: dict[str, Employer] = {}
        self.enrollments: dict[str, Enrollment] = {}
        self.identities: dict[str, Identity] = {}
        self.policies: list[Policy] = list(RESIDENT_POLICIES)
        self.contributions: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        self.credits: dict[str, tuple[dict[str, Any], str | None]] = {}
        self.staged: list[Event] = []

    # people and psn_no serials
    def get_person(self, psn_no: str, *, lock: bool = False) -> Person | None:
        return copy.deepcopy(self.people.get(psn_no))

    def find_people_by_certno(self, certno: str) -> list[Person]:
        wanted = certno.strip().upper()
        return [copy.deepcopy(person) for person in self.people.values() if person.certno == wanted]

    def people_by_certnos(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
        certnos = {certno for _, certno in pairs}
        return {
            (person.psn_cert_type, person.certno): copy.deepcopy(person)
            for person in self.people.values()
            if person.certno in certnos
        }

    def add_people(self, people: list[Person]) -> None:
        for person in people:
            taken = any(
                (other.psn_cert_type, other.certno) == (person.psn_cert_type, person.certno)
                for other in self.people.values()
            )
            if taken or person.psn_no in self.people:
                raise KeyTaken(f"person {person.psn_no} / {person.certno}")
            self.people[person.psn_no] = copy.deepcopy(person)

    def save_person(self, person: Person) -> None:
        self.people[person.psn_no] = copy.deepcopy(person)

    def reserve_serials(self, admdvs: str, count: int) -> int:
        self.serials[admdvs] = self.serials.get(admdvs, 0) + count
        return self.serials[admdvs] - count + 1

    def raise_serial_to(self, admdvs: str, serial: int) -> None:
        self.serials[admdvs] = max(self.serials.get(admdvs, 0), serial)

    # employers
    def get_employer(self, emp_no: str) -> Employer | None:
        return copy.deepcopy(self.employers.get(emp_no))

    def add_employer(self, employer: Employer) -> None:
        if employer.emp_no in self.employers:
            raise KeyTaken(f"employer {employer.emp_no}")
        self.employers[employer.emp_no] = copy.deepcopy(employer)

    def save_employer(self, employer: Employer) -> None:
        self.employers[employer.emp_no] = copy.deepcopy(employer)

    def count_active_staff(self, emp_no: str) -> int:
        return sum(
            1
            for enrollment in self.enrollments.values()
            if enrollment.emp_no == emp_no and enrollment.status != TERMINATED
        )

    # enrollments and identities
    def get_enrollment(self, enrollment_id: str) -> Enrollment | None:
        return copy.deepcopy(self.enrollments.get(enrollment_id))

    def enrollments_of(self, psn_nos: Iterable[str]) -> dict[str, list[Enrollment]]:
        wanted = set(psn_nos)
        result: dict[str, list[Enrollment]] = defaultdict(list)
        for enrollment in sorted(self.enrollments.values(), key=lambda held: held.begndate):
            if enrollment.psn_no in wanted:
                result[enrollment.psn_no].append(copy.deepcopy(enrollment))
        return result

    def add_enrollments(self, enrollments: list[Enrollment]) -> None:
        for enrollment in enrollments:
            self.enrollments[enrollment.enrollment_id] = copy.deepcopy(enrollment)

    def save_enrollment(self, enrollment: Enrollment) -> None:
        self.enrollments[enrollment.enrollment_id] = copy.deepcopy(enrollment)

    def identities_of(self, psn_no: str) -> list[Identity]:
        held = [identity for identity in self.identities.values() if identity.psn_no == psn_no]
        return [copy.deepcopy(identity) for identity in sorted(held, key=lambda one: one.begntime)]

    def get_identity(self, identity_id: str) -> Identity | None:
        return copy.deepcopy(self.identities.get(identity_id))

    def add_identity(self, identity: Identity) -> None:
        self.identities[identity.identity_id] = copy.deepcopy(identity)

    def save_identity(self, identity: Identity) -> None:
        self.identities[identity.identity_id] = copy.deepcopy(identity)

    # contribution policy, contributions, account credits
    def current_policy(self, admdvs: str, insutype: str, year: int) -> Policy | None:
        versions = [
            policy
            for policy in self.policies
            if (policy.insuplc_admdvs, policy.insutype, policy.year) == (admdvs, insutype, year)
        ]
        return max(versions, key=lambda policy: policy.version, default=None)

    def known_pools(self) -> set[str]:
        return {policy.insuplc_admdvs for policy in self.policies}

    def add_policy(self, policy: Policy) -> None:
        self.policies.append(policy)

    def contribution_exists(self, enrollment_id: str, period: str) -> bool:
        return any(
            row["enrollment_id"] == enrollment_id and row["period"] == period for row, _ in self.contributions.values()
        )

    def add_contribution(self, row: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self.contributions[row["contribution_id"]] = (copy.deepcopy(row), copy.deepcopy(lines))

    def credit_exists(self, dedup_key: str) -> bool:
        return any(key == dedup_key for _, key in self.credits.values())

    def add_credit(self, credit: dict[str, Any], dedup_key: str | None) -> None:
        self.credits[credit["credit_id"]] = (copy.deepcopy(credit), dedup_key)

    # events
    def stage(self, event: Event) -> None:
        self.staged.append(event)

    def stage_all(self, events: list[Event]) -> None:
        self.staged.extend(events)

    def staged_types(self) -> list[str]:
        return [event.event_type for event in self.staged]


class FakeUnitOfWork:
    """Transactions over one FakeStore: an exception restores the store as it was before."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()
        self.committed = 0

    @contextmanager
    def transaction(self) -> Iterator[FakeStore]:
        before = copy.deepcopy(self.store.__dict__)
        try:
            yield self.store
        except BaseException:
            self.store.__dict__.clear()
            self.store.__dict__.update(before)
            raise
        self.committed += 1
