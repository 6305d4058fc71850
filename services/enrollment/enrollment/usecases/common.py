"""Reads every family needs: fetch-or-refuse, and the policy and employer lookups of an enrollment."""

from __future__ import annotations

from enrollment.domain.contributions import Policy
from enrollment.domain.errors import Invalid, NotFound
from enrollment.domain.model import Employer, Enrollment, Person

from .ports import Store


def person_or_404(store: Store, psn_no: str, *, lock: bool = False) -> Person:
    person = store.get_person(psn_no, lock=lock)
    if person is None:
        raise NotFound("person_not_found", f"no person with psn_no {psn_no}")
    return person


def enrollment_or_404(store: Store, enrollment_id: str) -> Enrollment:
    found = store.get_enrollment(enrollment_id)
    if found is None:
        raise NotFound("enrollment_not_found", f"no enrollment {enrollment_id}")
    return found


def employer_or_404(store: Store, emp_no: str) -> Employer:
    employer = store.get_employer(emp_no)
    if employer is None:
        raise NotFound("employer_not_found", f"no employer {emp_no}")
    return employer


class Lookups:
    """Policy and employer reads for validating enrollments, cached for one transaction or import."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._policies: dict[tuple[str, str, int], Policy | None] = {}
        self._employers: dict[str, Employer | None] = {}
        self._pools: set[str] | None = None

    def policy(self, admdvs: str, insutype: str, year: int) -> Policy:
        key = (admdvs, insutype, year)
        if key not in self._policies:
            self._policies[key] = self.store.current_policy(admdvs, insutype, year)
        policy = self._policies[key]
        if policy is None:
            if self._pools is None:
                self._pools = self.store.known_pools()
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
            self._employers[emp_no] = self.store.get_employer(emp_no)
        return self._employers[emp_no]
