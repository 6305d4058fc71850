"""Questions settlement answers from its own read models (people, enrollments,
identities, filings, the account ledger), so it keeps settling when enrollment or
remote-care is down."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from medshared.hotsql import HotRead
from medshared.money import ZERO
from settlement.db import account_entry, chronic_filing, enrollment, filing, identity, person
from settlement.domain import eligibility
from settlement.domain.errors import Refused
from settlement.policy import FilingKind, FilingRecord

FILING_KINDS = {
    "resettled_retiree": FilingKind.RESETTLED_RETIREE,
    "long_term_resident": FilingKind.LONG_TERM_RESIDENT,
    "resident_worker": FilingKind.RESIDENT_WORKER,
    "referral": FilingKind.REFERRAL,
    "emergency": FilingKind.EMERGENCY,
    "temporary_other": FilingKind.OTHER_TEMPORARY,
}


# The lookups every settlement makes are built once; each call only binds its values.
_PERSON = HotRead(select(person).where(person.c.psn_no == bindparam("psn_no")))
_PERSON_BY_CERTNO = HotRead(select(person).where(person.c.certno == bindparam("certno")))
_ENROLLMENTS = HotRead(
    select(enrollment).where(enrollment.c.psn_no == bindparam("psn_no")).order_by(enrollment.c.begndate)
)
_IDENTITIES = HotRead(select(identity).where(identity.c.psn_no == bindparam("psn_no"), identity.c.revoked.is_(False)))
_FILINGS = HotRead(select(filing).where(filing.c.psn_no == bindparam("psn_no"), filing.c.status == "active"))
_BALANCE = HotRead(
    select(account_entry.c.amount).where(
        account_entry.c.psn_no == bindparam("psn_no"), account_entry.c.insutype == bindparam("insutype")
    )
)
_CHRONIC_FILINGS = HotRead(
    select(chronic_filing).where(
        chronic_filing.c.psn_no == bindparam("psn_no"),
        chronic_filing.c.opsp_dise_code == bindparam("dise_codg"),
        chronic_filing.c.revoked.is_(False),
    )
)


def person_by_psn_no(session: Session, psn_no: str) -> Any:
    row = _PERSON.first(session, {"psn_no": psn_no})
    if row is None:
        raise Refused(
            f"psn_no {psn_no} is not known to the platform; look the person up with 1101 first", code="PERSON_UNKNOWN"
        )
    return row


def person_by_certno(session: Session, certno: str) -> Any:
    row = _PERSON_BY_CERTNO.first(session, {"certno": certno.upper()})
    if row is None:
        raise Refused(
            f"no insured person has the ID number {certno}; check the number or ask the person to enrol",
            code="PERSON_UNKNOWN",
        )
    return row


def enrollments(session: Session, psn_no: str) -> list[Any]:
    return _ENROLLMENTS.all(session, {"psn_no": psn_no})


def identities_on(session: Session, psn_no: str, moment: dt.datetime) -> list[Any]:
    rows = _IDENTITIES.all(session, {"psn_no": psn_no})
    return [r for r in rows if r.begntime <= moment and (r.endtime is None or moment <= r.endtime)]


def assistance_identity(session: Session, psn_no: str, moment: dt.datetime) -> str | None:
    return eligibility.assistance_identity(identities_on(session, psn_no, moment))


def balance(session: Session, psn_no: str, insutype: str = "310") -> Decimal:
    # Summed here, not in SQL: SQLite would add the amounts as floats.
    return sum(_BALANCE.scalars(session, {"psn_no": psn_no, "insutype": insutype}), ZERO)


def filings(session: Session, psn_no: str) -> list[FilingRecord]:
    rows = _FILINGS.all(session, {"psn_no": psn_no})
    return [
        FilingRecord(FILING_KINDS[r.filing_type], r.target_admdvs, r.begndate, r.enddate)
        for r in rows
        if r.filing_type in FILING_KINDS
    ]


def chronic_filing_active(session: Session, psn_no: str, dise_codg: str | None, day: dt.date) -> bool:
    if not dise_codg:
        return False
    rows = _CHRONIC_FILINGS.all(session, {"psn_no": psn_no, "dise_codg": dise_codg})
    return any(r.begndate <= day and (r.enddate is None or day <= r.enddate) for r in rows)
