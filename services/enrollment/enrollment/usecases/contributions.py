"""Contributions (参保缴费), personal-account credits and the contribution policy versions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from enrollment.domain import commands as cmds
from enrollment.domain import contributions as rules
from enrollment.domain.contributions import PayerLine, Policy
from enrollment.domain.errors import Conflict
from enrollment.domain.ids import new_id
from enrollment.domain.model import EMPLOYEE, RESIDENT, Enrollment, Person, check_person_alive, years_span
from enrollment.messaging import contracts
from medshared.money import money

from .common import Lookups, person_or_404
from .ports import Store, UnitOfWork


def set_contribution_policy(uow: UnitOfWork, cmd: cmds.SetContributionPolicy) -> Policy:
    """Adds the next version; the previous ones stay for the record."""
    rules.check_policy_request(cmd)
    with uow.transaction() as store:
        previous = store.current_policy(cmd.insuplc_admdvs, cmd.insutype, cmd.year)
        policy = rules.next_policy(cmd, previous, new_id())
        store.add_policy(policy)
        return policy


def pay_resident_contribution(uow: UnitOfWork, cmd: cmds.PayResidentContribution) -> dict[str, Any]:
    """A resident's yearly tier; a subsidised identity splits it with medical assistance."""
    begin, end = years_span(cmd.year)
    with uow.transaction() as store:
        person = person_or_404(store, cmd.psn_no, lock=True)
        enrollment = rules.enrollment_on(
            store.enrollments_of([person.psn_no])[person.psn_no], RESIDENT, begin, end, cmd.insuplc_admdvs
        )
        if enrollment is None:
            raise Conflict(
                "not_enrolled",
                f"{person.psn_no} has no active resident (390) enrollment in {cmd.year}",
            )
        if store.contribution_exists(enrollment.enrollment_id, str(cmd.year)):
            raise Conflict(
                "already_paid",
                f"{person.psn_no} has already paid the {cmd.year} contribution in {enrollment.insuplc_admdvs}",
            )
        policy = Lookups(store).policy(enrollment.insuplc_admdvs, RESIDENT, cmd.year)
        subsidised = rules.subsidised(policy, store.identities_of(person.psn_no), begin, end)
        lines = rules.resident_lines(policy, enrollment.tier, subsidised)
        return _record_contribution(store, enrollment, policy, str(cmd.year), lines, tier=enrollment.tier, base=None)


def pay_employee_contribution(uow: UnitOfWork, cmd: cmds.PayEmployeeContribution) -> dict[str, Any]:
    """An employee's month on a base; the employee share is credited to the personal account."""
    begin, end = rules.month_span(cmd.month)
    with uow.transaction() as store:
        person = person_or_404(store, cmd.psn_no, lock=True)
        check_person_alive(person, begin, "contribution")
        enrollment = rules.enrollment_on(
            store.enrollments_of([person.psn_no])[person.psn_no], EMPLOYEE, begin, end, None
        )
        if enrollment is None:
            raise Conflict(
                "not_enrolled",
                f"{person.psn_no} has no active employee (310) enrollment in {cmd.month}",
            )
        rules.check_employee_pays(person.psn_no, enrollment)
        if store.contribution_exists(enrollment.enrollment_id, cmd.month):
            raise Conflict(
                "already_paid",
                f"the {cmd.month} contribution of {person.psn_no} is already paid",
            )
        policy = Lookups(store).policy(enrollment.insuplc_admdvs, EMPLOYEE, begin.year)
        base = money(cmd.base)
        lines = rules.employee_lines(policy, base)
        paid = _record_contribution(store, enrollment, policy, cmd.month, lines, tier=None, base=base)
        share = next(line.amount for line in lines if line.payer == rules.PERSON)
        if share > 0:
            _record_credit(store, person, share, begin, rules.EMPLOYEE_SHARE, f"employee share {cmd.month}", None)
        return paid


def credit_account(uow: UnitOfWork, cmd: cmds.CreditAccount) -> dict[str, Any]:
    """An opening balance, a refund, or a retiree's monthly credit (its amount from policy)."""
    rules.check_credit_request(cmd)
    with uow.transaction() as store:
        person = person_or_404(store, cmd.psn_no, lock=True)
        check_person_alive(person, cmd.credited_on, "account credit")
        month = cmd.credited_on.replace(day=1)
        enrollment = rules.enrollment_on(
            store.enrollments_of([person.psn_no])[person.psn_no],
            EMPLOYEE,
            month,
            rules.month_end(month),
            None,
        )
        if enrollment is None:
            raise rules.no_account(person.psn_no, month)
        if cmd.kind == rules.RETIREE_MONTHLY:
            rules.check_retired(person.psn_no, enrollment)
            amount = Lookups(store).policy(enrollment.insuplc_admdvs, EMPLOYEE, month.year).retiree_monthly_credit
        else:
            amount = rules.credited_amount(cmd)
        dedup = rules.credit_key(person.psn_no, cmd.kind, month)
        if dedup and store.credit_exists(dedup):
            raise Conflict("already_credited", f"{person.psn_no} already has this {cmd.kind} credit")
        return _record_credit(store, person, amount, cmd.credited_on, cmd.kind, cmd.memo, dedup)


def _record_contribution(
    store: Store,
    enrollment: Enrollment,
    policy: Policy,
    period: str,
    lines: list[PayerLine],
    *,
    tier: str | None,
    base: Decimal | None,
) -> dict[str, Any]:
    row, line_rows = rules.contribution_row(new_id(), enrollment, policy, period, lines, tier=tier, base=base)
    store.add_contribution(row, line_rows)
    snapshot = rules.contribution_snapshot(row, line_rows)
    store.stage(contracts.contribution_event(snapshot))
    return snapshot


def _record_credit(
    store: Store,
    person: Person,
    amount: Decimal,
    on: dt.date,
    kind: str,
    memo: str,
    dedup: str | None,
) -> dict[str, Any]:
    """A credit to the employee (310) personal account, staged as AccountCredited."""
    credit = {
        "credit_id": new_id(),
        "psn_no": person.psn_no,
        "insutype": EMPLOYEE,
        "amount": amount,
        "credited_on": on,
        "kind": kind,
        "memo": memo,
    }
    store.add_credit(credit, dedup)
    store.stage(contracts.credit_event(credit))
    return credit
