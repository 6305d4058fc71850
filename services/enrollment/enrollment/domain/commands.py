"""Commands: what an operator (or the import, or the demo loader) asks the service to do."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class RegisterPerson:
    admdvs: str  # the registering pool: the issued psn_no starts with it
    psn_cert_type: str
    certno: str
    psn_name: str
    gend: str | None = None
    brdy: dt.date | None = None
    naty: str = "01"
    tel: str = ""
    addr: str = ""
    psn_no: str | None = None  # only for people who already hold a psn_no (the demo dataset)


@dataclass(frozen=True)
class UpdatePerson:
    psn_no: str
    psn_name: str | None = None
    naty: str | None = None
    tel: str | None = None
    addr: str | None = None


@dataclass(frozen=True)
class RecordDeath:
    psn_no: str
    death_date: dt.date


@dataclass(frozen=True)
class RegisterEmployer:
    emp_no: str
    emp_name: str
    emp_type: str
    admdvs: str


@dataclass(frozen=True)
class ChangeEmployer:
    emp_no: str
    emp_name: str | None = None
    emp_type: str | None = None


@dataclass(frozen=True)
class Enroll:
    psn_no: str
    insutype: str
    insuplc_admdvs: str
    psn_type: str
    begndate: dt.date
    enddate: dt.date | None = None
    emp_no: str | None = None
    cvlserv_flag: str = "0"
    tier: str | None = None


@dataclass(frozen=True)
class ChangeStatus:
    enrollment_id: str
    action: str  # suspend | resume | terminate | retire
    effective_date: dt.date
    reason: str = ""


@dataclass(frozen=True)
class Transfer:
    enrollment_id: str
    to_admdvs: str
    effective_date: dt.date
    reason: str
    emp_no: str | None = None
    tier: str | None = None
    psn_type: str | None = None


@dataclass(frozen=True)
class GrantIdentity:
    psn_no: str
    psn_idet_type: str
    begntime: dt.date
    endtime: dt.date | None
    psn_type_lv: str = ""
    memo: str = ""


@dataclass(frozen=True)
class RevokeIdentity:
    identity_id: str
    memo: str = ""


@dataclass(frozen=True)
class PayResidentContribution:
    psn_no: str
    year: int
    insuplc_admdvs: str | None = None


@dataclass(frozen=True)
class PayEmployeeContribution:
    psn_no: str
    month: str  # yyyy-MM
    base: Decimal


@dataclass(frozen=True)
class CreditAccount:
    psn_no: str
    kind: str  # opening | refund | retiree_monthly
    credited_on: dt.date
    amount: Decimal | None = None  # retiree_monthly takes it from policy
    memo: str = ""


@dataclass(frozen=True)
class SetContributionPolicy:
    insuplc_admdvs: str
    insutype: str
    year: int
    tiers: dict[str, Decimal]
    employer_rate: Decimal = Decimal(0)
    employee_rate: Decimal = Decimal(0)
    retiree_monthly_credit: Decimal = Decimal(0)
    subsidised_identities: tuple[str, ...] = ()
    assistance_share: Decimal = Decimal(0)
