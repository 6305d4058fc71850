"""Contributions (参保缴费), personal-account credits and the contribution policy data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from enrollment import queries
from enrollment.api.deps import Amount, Rate, RuntimeDep, UowDep, render
from enrollment.api.models import CHANGE_ERRORS, OPERATOR_ERRORS, AccountCredit, Contribution, PolicyList
from enrollment.domain import commands as cmds
from enrollment.usecases import contributions as contributions_uc
from medshared.openapi import OPERATOR

router = APIRouter(prefix="/admin/v1", tags=["contributions"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)


class ResidentContributionIn(BaseModel):
    psn_no: str
    year: int = Field(ge=2000, le=2100)
    insuplc_admdvs: str | None = None


class EmployeeContributionIn(BaseModel):
    psn_no: str
    month: str = Field(examples=["2026-03"])
    base: Amount = Field(description="monthly contribution base, a decimal string", examples=["8000.00"])


class CreditIn(BaseModel):
    psn_no: str
    kind: str = Field(description="opening | refund | retiree_monthly (amount from policy)")
    credited_on: dt.date
    amount: Amount | None = Field(None, examples=["5000.00"])
    memo: str = ""


class PolicyIn(BaseModel):
    insuplc_admdvs: str
    insutype: str
    year: int = Field(ge=2000, le=2100)
    tiers: dict[str, Amount] = Field(default_factory=dict, examples=[{"130": "130.00", "320": "320.00"}])
    employer_rate: Rate = Field(Decimal(0), examples=["0.06"])
    employee_rate: Rate = Field(Decimal(0), examples=["0.02"])
    retiree_monthly_credit: Amount = Field(Decimal(0), examples=["100.00"])
    subsidised_identities: list[str] = Field(default_factory=list, examples=[["2201", "2202", "2203", "2204"]])
    assistance_share: Rate = Field(Decimal(0), examples=["0.90"])


@router.post("/contributions/resident", status_code=201, response_model=Contribution, responses=CHANGE_ERRORS)
def pay_resident(body: ResidentContributionIn, uow: UowDep) -> dict[str, Any]:
    """Record a resident's yearly contribution; subsidised identities split it with medical assistance."""
    return render(contributions_uc.pay_resident_contribution(uow, cmds.PayResidentContribution(**body.model_dump())))


@router.post("/contributions/employee", status_code=201, response_model=Contribution, responses=CHANGE_ERRORS)
def pay_employee(body: EmployeeContributionIn, uow: UowDep) -> dict[str, Any]:
    """Record an employee's monthly contribution; the employee share is credited to the account."""
    return render(contributions_uc.pay_employee_contribution(uow, cmds.PayEmployeeContribution(**body.model_dump())))


@router.post("/account-credits", status_code=201, response_model=AccountCredit, responses=CHANGE_ERRORS)
def credit_account(body: CreditIn, uow: UowDep) -> dict[str, Any]:
    """Credit a personal account (opening balance, refund, or a retiree's monthly credit)."""
    return render(contributions_uc.credit_account(uow, cmds.CreditAccount(**body.model_dump())))


@router.get("/contribution-policies", response_model=PolicyList)
def list_policies(runtime: RuntimeDep) -> dict[str, Any]:
    """The contribution policy in force per pool, insutype and year."""
    return render({"items": queries.policies(runtime)})


@router.post("/contribution-policies", status_code=201, response_model=PolicyList, responses=CHANGE_ERRORS)
def set_policy(body: PolicyIn, runtime: RuntimeDep, uow: UowDep) -> dict[str, Any]:
    """Add the next version of a pool's contribution policy for a year."""
    data = body.model_dump()
    data["subsidised_identities"] = tuple(data["subsidised_identities"])
    contributions_uc.set_contribution_policy(uow, cmds.SetContributionPolicy(**data))
    return render({"items": queries.policies(runtime)})
