"""What every use case is handed (the call) and returns (the outcome), and the lookups they share."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from medshared.events import utcnow
from medshared.national import NationalRequest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from settlement import readmodels as rm
from settlement.db import account_entry, accumulator, settlement, visit
from settlement.domain.errors import Refused
from settlement.policy import Accumulators

HIS = "his"
MOBILE_PAY = "mobile_pay"
ACCUMULATOR_FIELDS = tuple(col.name for col in accumulator.columns if col.name not in ("psn_no", "year"))


@dataclass
class Call:
    """One national call past the gateway: the envelope, the calling institution, when it came."""

    req: NationalRequest
    inst: Any  # the institution's row
    received: dt.datetime
    sender: str = ""  # the x-tif-paasid that signed the call; msgids are unique per sender
    channel: str = HIS  # HIS, or MOBILE_PAY when the mobile-payment centre calls for the institution
    prepared: dict[str, Any] = field(default_factory=dict)  # answers fetched before the transaction

    @property
    def now(self) -> dt.datetime:
        return self.received

    @property
    def holder(self) -> dict[str, Any] | None:
        """The person an ecToken (mdtrt_cert_type 01) resolved to, when the call presented one."""
        return self.prepared.get("holder")


@dataclass
class Outcome:
    output: Any
    psn_no: str | None = None
    ref_id: str | None = None


def new_id(prefix: str, moment: dt.datetime) -> str:
    """30 characters: admdvs-like prefix (6) + yyyyMMddHHmmss + 10 random digits."""
    return f"{prefix[:6]}{moment:%Y%m%d%H%M%S}{secrets.randbelow(10**10):010d}"


def cert_unsupported(cert_type: str) -> Refused:
    if cert_type == "03":
        return Refused(
            "social-security cards (mdtrt_cert_type 03) are not supported here; use the e-voucher (01) "
            "or the ID number (02)",
            code="CERT_UNSUPPORTED",
        )
    return Refused(
        f"mdtrt_cert_type {cert_type} is unknown; use 01 (e-voucher) or 02 (ID number)", code="CERT_UNSUPPORTED"
    )


def check_cert(call: Call, psn: Row[Any], cert_type: str, cert_no: str) -> None:
    """The credential presented must be the person's: their e-voucher (01) or their ID number (02)."""
    if cert_type == "01":
        if call.holder is None or call.holder.get("psn_no") != psn.psn_no:
            raise Refused(f"the e-voucher presented does not belong to psn_no {psn.psn_no}", code="CERT_MISMATCH")
    elif cert_type == "02":
        if cert_no.upper() != psn.certno.upper():
            raise Refused(f"mdtrt_cert_no is not the ID number of psn_no {psn.psn_no}", code="CERT_MISMATCH")
    else:
        raise cert_unsupported(cert_type)


_VISIT = select(visit).where(visit.c.mdtrt_id == bindparam("mdtrt_id"))
_VISIT_FOR_UPDATE = _VISIT.with_for_update()
# Updates take their SET columns from the parameters; the keys they match on are b_-prefixed.
_SET_VISIT = update(visit).where(visit.c.mdtrt_id == bindparam("b_mdtrt_id"))
_ACCUMULATOR = select(accumulator).where(
    accumulator.c.psn_no == bindparam("psn_no"), accumulator.c.year == bindparam("year")
)
_ACCUMULATOR_FOR_UPDATE = _ACCUMULATOR.with_for_update()
_STORE_ACCUMULATORS = update(accumulator).where(
    accumulator.c.psn_no == bindparam("b_psn_no"), accumulator.c.year == bindparam("b_year")
)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def find_visit(session: Session, call: Call, mdtrt_id: str, psn_no: str, *, lock: bool = False) -> Row[Any]:
    """The caller's visit of this person in this pool, row-locked on PostgreSQL when `lock`."""
    query = _VISIT_FOR_UPDATE if lock and _postgres(session) else _VISIT
    row = session.execute(query, {"mdtrt_id": mdtrt_id}).first()
    if row is None or row.fixmedins_code != call.req.fixmedins_code:
        raise Refused(f"mdtrt_id {mdtrt_id} is not a visit of {call.req.fixmedins_code}", code="VISIT_UNKNOWN")
    if row.psn_no != psn_no:
        raise Refused(f"mdtrt_id {mdtrt_id} belongs to another person than psn_no {psn_no}", code="VISIT_UNKNOWN")
    if call.req.insuplc_admdvs != row.insuplc_admdvs:
        raise Refused(
            f"insuplc_admdvs must be {row.insuplc_admdvs}, the person's pool for this visit", code="WRONG_POOL"
        )
    return row


def set_status(session: Session, mdtrt_id: str, status: str, **values: Any) -> None:
    session.execute(_SET_VISIT, {"b_mdtrt_id": mdtrt_id, "status": status, **values})


@dataclass(frozen=True)
class NewVisit:
    kind: str
    status: str
    psn_no: str
    insutype: str
    begntime: dt.datetime
    ipt_otp_no: str
    cert_type: str
    med_type: str | None = None
    dise_codg: str | None = None


def open_visit(session: Session, call: Call, new: NewVisit) -> str:
    """Insert a visit for an insured person and answer its mdtrt_id."""
    psn = rm.person_by_psn_no(session, new.psn_no)
    rm.insured_on(session, psn, new.insutype, call.req.insuplc_admdvs, new.begntime.date())
    mdtrt_id = new_id(call.inst.admdvs, call.now)
    session.execute(
        insert(visit),
        {
            "mdtrt_id": mdtrt_id,
            "psn_no": new.psn_no,
            "insutype": new.insutype,
            "kind": new.kind,
            "status": new.status,
            "fixmedins_code": call.req.fixmedins_code,
            "mdtrtarea_admvs": call.inst.admdvs,
            "insuplc_admdvs": call.req.insuplc_admdvs,
            "ipt_otp_no": new.ipt_otp_no,
            "mdtrt_cert_type": new.cert_type,
            "med_type": new.med_type,
            "dise_codg": new.dise_codg,
            "begntime": new.begntime,
            "created_at": utcnow(),
        },
    )
    return mdtrt_id


def open_settlement_of(session: Session, mdtrt_id: str) -> Any:
    """The visit's settlement that is neither a reversal nor reversed, if any."""
    return session.execute(
        select(settlement.c.setl_id).where(
            settlement.c.mdtrt_id == mdtrt_id,
            settlement.c.init_setl_id.is_(None),
            settlement.c.reversed_by.is_(None),
        )
    ).first()


def refuse_if_settled(session: Session, row: Row[Any]) -> None:
    open_setl = open_settlement_of(session, row.mdtrt_id)
    if open_setl is not None:
        raise Refused(
            f"mdtrt_id {row.mdtrt_id} has settlement {open_setl.setl_id}; reverse it first", code="OUT_OF_ORDER"
        )


def read_accumulators(session: Session, psn_no: str, year: int) -> Accumulators:
    row = session.execute(_ACCUMULATOR, {"psn_no": psn_no, "year": year}).first()
    if row is None:
        return Accumulators()
    return Accumulators(**{name: getattr(row, name) for name in ACCUMULATOR_FIELDS})


def lock_accumulators(session: Session, psn_no: str, year: int) -> Accumulators:
    """Take the person's yearly row lock (PostgreSQL); SQLite already serialises writers."""
    query = _ACCUMULATOR_FOR_UPDATE if _postgres(session) else _ACCUMULATOR
    key = {"psn_no": psn_no, "year": year}
    row = session.execute(query, key).first()
    if row is None:
        try:
            with session.begin_nested():
                session.execute(insert(accumulator), key | dict.fromkeys(ACCUMULATOR_FIELDS, Decimal(0)))
        except IntegrityError:
            pass  # another settlement created it first; its lock is taken below
        row = session.execute(query, key).first()
    return Accumulators(**{name: getattr(row, name) for name in ACCUMULATOR_FIELDS})


def store_accumulators(session: Session, psn_no: str, year: int, value: Accumulators) -> None:
    session.execute(
        _STORE_ACCUMULATORS,
        {"b_psn_no": psn_no, "b_year": year} | {name: getattr(value, name) for name in ACCUMULATOR_FIELDS},
    )


def post_account(session: Session, entry_id: str, psn_no: str, amount: Decimal, kind: str, memo: str) -> None:
    session.execute(
        insert(account_entry).values(
            entry_id=entry_id, psn_no=psn_no, insutype="310", amount=amount, kind=kind, memo=memo, posted_at=utcnow()
        )
    )
