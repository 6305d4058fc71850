"""What the fund-supervision routes take and answer (api/admin_supervision.py, api/institution_supervision.py).

Amounts are Decimal, answered as their exact text ("120.50"); times are the platform's local time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["open", "confirmed", "dismissed", "withdrawn"]
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


# ---------------------------------------------------------------- rule sets


class RuleSetPublication(BaseModel):
    """A rule set as the bureau publishes it (docs/supervision.md): its version, the day it applies from
    and its rules; each rule is checked on publication, a refusal naming the rule and the field."""

    model_config = ConfigDict(extra="allow")

    version: str = Field(min_length=1, max_length=30)
    valid_from: dt.date
    rules: list[
        Annotated[
            dict[str, Any],
            Field(
                description="a rule: rule_id, category, name, message, severity, action, params, "
                "vola_bhvr_type (docs/supervision.md)"
            ),
        ]
    ] = Field(min_length=1, max_length=1000)


class RuleSetSummary(BaseModel):
    version: str
    valid_from: dt.date
    published_at: dt.datetime
    operator: str
    rule_count: int


class RuleView(BaseModel):
    rule_id: str
    category: str
    name: str
    message: str
    severity: str = Field(description="sev_deg: 1 提醒, 2 疑点, 3 违规")
    action: str = Field(description="record | exclude | refuse")
    params: dict[str, Any] = Field(description="the category's parameters (docs/supervision.md)")
    vola_bhvr_type: str


class RuleSetView(RuleSetSummary):
    rules: list[RuleView]


# ---------------------------------------------------------------- violations


class InstitutionViolation(BaseModel):
    """A violation found at a final settlement, as its institution reads it."""

    jr_id: str
    setl_id: str
    mdtrt_id: str
    psn_no: str
    fixmedins_code: str
    admdvs: str
    rule_set_version: str
    rule_id: str
    rule_name: str
    category: str
    sev_deg: str
    action: str
    vola_bhvr_type: str
    vola_cont: str
    vola_amt: Decimal
    line_keys: list[str]
    vola_evid: str
    found_at: dt.datetime
    month: str
    status: Status
    recovered_amt: Decimal
    reviewed_at: dt.datetime | None
    review_note: str | None
    withdrawn_by: str | None
    withdrawn_at: dt.datetime | None
    version: int


class Violation(InstitutionViolation):
    """A violation as a bureau operator reads it: who reviewed it too."""

    reviewer: str | None


class ReviewStep(BaseModel):
    step: Literal["confirm", "dismiss", "recover", "withdraw"]
    actor: str
    at: dt.datetime
    status_before: Status
    status_after: Status
    amount: Decimal | None
    note: str | None


class Evidence(BaseModel):
    evidence_id: int
    text: str
    submitted_by: str
    submitted_at: dt.datetime


class ViolationDetail(Violation):
    reviews: list[ReviewStep]
    institution_evidence: list[Evidence]


class InstitutionViolationDetail(InstitutionViolation):
    institution_evidence: list[Evidence]


class ViolationPage(BaseModel):
    page_num: int
    page_size: int
    total: int
    pages: int
    violations: list[Violation]


class InstitutionViolationPage(BaseModel):
    page_num: int
    page_size: int
    total: int
    pages: int
    violations: list[InstitutionViolation]


class ConfirmRequest(BaseModel):
    note: str | None = Field(None, max_length=500)


class DismissRequest(BaseModel):
    note: str = Field(min_length=1, max_length=500, description="why the violation is dismissed")


class RecoveryRequest(BaseModel):
    amount: Decimal = Field(gt=0, max_digits=16, decimal_places=2, description="yuan recovered in this step")
    note: str | None = Field(None, max_length=500)


class EvidenceRequest(BaseModel):
    text: str = Field(min_length=1, max_length=2000, description="what answers the violation (疑点举证)")


# ---------------------------------------------------------------- monthly figures


class StatusFigures(BaseModel):
    violations: int
    vola_amt: Decimal


class Figures(BaseModel):
    """violations and vola_amt are the sums of open, confirmed, dismissed and withdrawn; recovered_amt is
    part of the confirmed amount, outstanding_amt what remains to recover of it."""

    violations: int
    vola_amt: Decimal
    open: StatusFigures
    confirmed: StatusFigures
    dismissed: StatusFigures
    withdrawn: StatusFigures
    recovered_amt: Decimal
    outstanding_amt: Decimal


class InstitutionFigures(Figures):
    fixmedins_code: str


class MonthlyFigures(BaseModel):
    month: str
    institutions: list[InstitutionFigures]
    total: Figures
