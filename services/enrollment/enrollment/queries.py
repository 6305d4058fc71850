"""Read side for the operator API: snapshots in the shape the events carry."""

from __future__ import annotations

from typing import Any

from enrollment.domain.errors import Invalid, NotFound
from enrollment.domain.model import Employer, Person
from enrollment.store import SqlStore
from medshared.runtime import Runtime


def _detail(store: SqlStore, person: Person) -> dict[str, Any]:
    return {
        **person.snapshot(),
        "enrollments": [enrollment.snapshot() for enrollment in store.enrollments_of([person.psn_no])[person.psn_no]],
        "identities": [identity.snapshot() for identity in store.identities_of(person.psn_no)],
        "contributions": store.contributions_of(person.psn_no),
        "account_credits": store.credits_of(person.psn_no),
    }


def person_detail(runtime: Runtime, psn_no: str) -> dict[str, Any]:
    with runtime.factory() as session:
        store = SqlStore(session)
        person = store.get_person(psn_no)
        if person is None:
            raise NotFound("person_not_found", f"no person with psn_no {psn_no}")
        return _detail(store, person)


def find_people(runtime: Runtime, *, certno: str | None, psn_no: str | None) -> list[dict[str, Any]]:
    if not certno and not psn_no:
        raise Invalid("certno", "look people up by certno or psn_no")
    with runtime.factory() as session:
        store = SqlStore(session)
        if psn_no:
            found = store.get_person(psn_no)
            people = [found] if found and (not certno or found.certno == certno.strip().upper()) else []
        else:
            people = store.find_people_by_certno(certno or "")
        return [_detail(store, person) for person in people]


def employer_view(employer: Employer) -> dict[str, Any]:
    return {
        "emp_no": employer.emp_no,
        "emp_name": employer.emp_name,
        "emp_type": employer.emp_type,
        "admdvs": employer.admdvs,
        "status": employer.status,
        "version": employer.version,
    }


def employer(runtime: Runtime, emp_no: str) -> dict[str, Any]:
    with runtime.factory() as session:
        store = SqlStore(session)
        found = store.get_employer(emp_no)
        if found is None:
            raise NotFound("employer_not_found", f"no employer {emp_no}")
        return {
            **employer_view(found),
            "active_staff": store.count_active_staff(emp_no),
        }


def employers(runtime: Runtime, admdvs: str | None) -> list[dict[str, Any]]:
    with runtime.factory() as session:
        store = SqlStore(session)
        return [employer_view(employer) for employer in store.list_employers(admdvs)]


def enrollment(runtime: Runtime, enrollment_id: str) -> dict[str, Any]:
    with runtime.factory() as session:
        store = SqlStore(session)
        found = store.get_enrollment(enrollment_id)
        if found is None:
            raise NotFound("enrollment_not_found", f"no enrollment {enrollment_id}")
        return found.snapshot()


def enrollments(
    runtime: Runtime,
    *,
    psn_no: str | None,
    admdvs: str | None,
    status: str | None,
    limit: int,
) -> list[dict[str, Any]]:
    with runtime.factory() as session:
        store = SqlStore(session)
        return [
            enrollment.snapshot()
            for enrollment in store.list_enrollments(psn_no=psn_no, admdvs=admdvs, status=status, limit=limit)
        ]


def policies(runtime: Runtime) -> list[dict[str, Any]]:
    with runtime.factory() as session:
        store = SqlStore(session)
        return [
            {
                "policy_id": policy.policy_id,
                "insuplc_admdvs": policy.insuplc_admdvs,
                "insutype": policy.insutype,
                "year": policy.year,
                "version": policy.version,
                "tiers": policy.tiers,
                "employer_rate": policy.employer_rate,
                "employee_rate": policy.employee_rate,
                "retiree_monthly_credit": policy.retiree_monthly_credit,
                "subsidised_identities": list(policy.subsidised_identities),
                "assistance_share": policy.assistance_share,
            }
            for policy in store.list_policies()
        ]
