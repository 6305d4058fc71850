"""What the enrollment operator API answers: people, employers, enrollments, identities, contributions,
account credits, contribution policies and import reports.

Amounts are decimal strings ("5000.00"), never numbers; dates are yyyy-MM-dd. The shapes are the
snapshots the events carry (docs/events.md), so an answer and an event about one record agree.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from medshared.openapi import problem_responses

# Every route is desk work behind an operator token (the audit role reads): 401 and 403 everywhere,
# 422 for a field to fix.
OPERATOR_ERRORS = problem_responses(401, 403, 422)
READ_ERRORS = problem_responses(404)
CHANGE_ERRORS = problem_responses(404, 409)

MONEY = "a decimal string with two places, e.g. 5000.00"


# ---------------------------------------------------------------- enrollments


class Period(BaseModel):
    """One stretch of an enrollment in one status; the open period has no enddate."""

    status: str = Field(description="active, suspended or terminated")
    begndate: dt.date
    enddate: dt.date | None
    reason: str


class Enrollment(BaseModel):
    """An enrollment (参保) of a person in a pool, with its status history."""

    enrollment_id: str
    psn_no: str
    insutype: str = Field(description="310 employees, 390 residents")
    insuplc_admdvs: str = Field(description="the pool (参保地)")
    psn_type: str = Field(description="1101 in service, 1102 civil servant, 1201 retired, 1501 adult resident")
    emp_no: str | None = Field(description="employees: the employer")
    emp_name: str | None
    cvlserv_flag: str = Field(description="公务员标志 0/1")
    tier: str | None = Field(description="residents: the yearly contribution tier")
    begndate: dt.date
    enddate: dt.date | None
    status: str = Field(description="active, suspended or terminated")
    periods: list[Period]
    transferred_from: str | None = Field(description="the enrollment this one continues after a transfer")
    version: int


class EnrollmentList(BaseModel):
    items: list[Enrollment]


class Transfer(BaseModel):
    """A transfer (转移接续): the enrollment that ended and the one that started in the new pool."""

    transferred_out: Enrollment
    transferred_in: Enrollment


# ---------------------------------------------------------------- identities


class Identity(BaseModel):
    """An identity (人员身份) for a validity period: 2201 特困, 2202 低保, 2203 返贫致贫, 2204 低收入 ..."""

    identity_id: str
    psn_no: str
    psn_idet_type: str
    psn_type_lv: str
    begntime: dt.date
    endtime: dt.date | None
    memo: str
    revoked: bool
    version: int


# ---------------------------------------------------------------- contributions and credits


class PayerLine(BaseModel):
    payer: str = Field(description="employer, person or medical_assistance")
    amount: str = Field(description=MONEY)


class Contribution(BaseModel):
    """A contribution (缴费): a resident's year or an employee's month, split by payer."""

    contribution_id: str
    psn_no: str
    insutype: str
    insuplc_admdvs: str
    year: int
    period: str = Field(description="yyyy for residents, yyyy-MM for employees")
    tier: str | None
    base: str | None = Field(description="employees: the monthly contribution base, " + MONEY)
    total: str = Field(description=MONEY)
    lines: list[PayerLine]


class AccountCredit(BaseModel):
    """A credit to the employee (310) personal account."""

    credit_id: str
    psn_no: str
    insutype: str
    amount: str = Field(description=MONEY)
    credited_on: dt.date
    kind: str = Field(description="opening, refund, retiree_monthly or employee_share")
    memo: str


class Policy(BaseModel):
    """One version of a pool's contribution policy for an insutype and a year."""

    policy_id: str
    insuplc_admdvs: str
    insutype: str
    year: int
    version: int
    tiers: dict[str, str] = Field(description="residents: tier code -> yearly amount (" + MONEY + ")")
    employer_rate: str = Field(description="a fraction of the base, e.g. 0.06")
    employee_rate: str = Field(description="a fraction of the base, e.g. 0.02")
    retiree_monthly_credit: str = Field(description=MONEY)
    subsidised_identities: list[str]
    assistance_share: str = Field(description="the share medical assistance pays for a subsidised identity, e.g. 0.90")


class PolicyList(BaseModel):
    items: list[Policy]


# ---------------------------------------------------------------- people


class Person(BaseModel):
    """A person (人员) as registered."""

    psn_no: str = Field(description="the pool's admdvs + 14 digits")
    psn_cert_type: str
    certno: str
    psn_name: str
    gend: str | None = Field(description="1 male, 2 female")
    naty: str = Field(description="民族, GB 3304 code")
    brdy: dt.date | None
    tel: str
    addr: str
    death_date: dt.date | None
    version: int


class PersonDetail(Person):
    """A person with every enrollment, identity, contribution and account credit."""

    enrollments: list[Enrollment]
    identities: list[Identity]
    contributions: list[Contribution]
    account_credits: list[AccountCredit]


class PersonList(BaseModel):
    items: list[PersonDetail]


# ---------------------------------------------------------------- employers


class Employer(BaseModel):
    """An employer (参保单位)."""

    emp_no: str
    emp_name: str
    emp_type: str = Field(description="agency (机关), institution (事业单位) or enterprise (企业)")
    admdvs: str = Field(description="the pool the unit contributes to")
    status: str = Field(description="active or deregistered")
    version: int


class EmployerDetail(Employer):
    active_staff: int = Field(description="its enrollments that are not terminated")


class EmployerList(BaseModel):
    items: list[Employer]


# ---------------------------------------------------------------- imports


class RejectedRow(BaseModel):
    line: int = Field(description="the CSV line (the header is line 1)")
    field: str
    reason: str
    code: str


class ImportReport(BaseModel):
    """What an import did: valid rows are committed, every rejected row is named by its line."""

    received: int
    registered: int
    enrolled: int
    rejected_count: int
    rejected: list[RejectedRow]
