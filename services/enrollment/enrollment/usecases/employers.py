"""Employers (参保单位): register, change, deregister."""

from __future__ import annotations

from enrollment.domain import commands as cmds
from enrollment.domain import employers as rules
from enrollment.domain.model import Employer

from .common import employer_or_404
from .ports import KeyTaken, UnitOfWork


def register_employer(uow: UnitOfWork, cmd: cmds.RegisterEmployer) -> Employer:
    employer = rules.new_employer(cmd)
    try:
        with uow.transaction() as store:
            if store.get_employer(employer.emp_no) is not None:
                raise rules.already_registered(employer.emp_no)
            store.add_employer(employer)
    except KeyTaken as exc:
        raise rules.already_registered(employer.emp_no) from exc
    return employer


def change_employer(uow: UnitOfWork, cmd: cmds.ChangeEmployer) -> Employer:
    with uow.transaction() as store:
        employer = rules.changed(employer_or_404(store, cmd.emp_no), cmd)
        store.save_employer(employer)
        return employer


def deregister_employer(uow: UnitOfWork, emp_no: str) -> Employer:
    with uow.transaction() as store:
        employer = employer_or_404(store, emp_no)
        employer = rules.deregistered(employer, store.count_active_staff(emp_no))
        store.save_employer(employer)
        return employer
