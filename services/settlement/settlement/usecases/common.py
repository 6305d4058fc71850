"""What every use case is handed (the call) and returns (the outcome), and the lookups they share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from medshared.national import NationalRequest, new_refmsgid
from settlement.domain import eligibility
from settlement.domain.errors import Refused
from settlement.domain.files import FileRules

from .ports import Store

HIS = "his"
MOBILE_PAY = "mobile_pay"


@dataclass
class Call:
    """One national call past the gateway: the envelope, the calling institution, when it came."""

    req: NationalRequest
    inst: Any  # the institution's row
    received: dt.datetime
    sender: str = ""  # the x-tif-paasid that signed the call; msgids are unique per sender
    channel: str = HIS  # HIS, or MOBILE_PAY when the mobile-payment centre calls for the institution
    prepared: dict[str, Any] = field(default_factory=dict)  # answers fetched before the transaction
    attachment: bytes | None = None  # the file a 9101 upload carries (fsUploadIn.in, or a multipart part)
    file_rules: FileRules = field(default_factory=FileRules)  # size, deadline and quota of 9101/9102 files
    supervise: bool = True  # run the fund-supervision rules at settlement (Settings.supervision)

    @property
    def now(self) -> dt.datetime:
        return self.received

    @property
    def holder(self) -> dict[str, Any] | None:
        """The person an ecToken (mdtrt_cert_type 01) resolved to, when the call presented one."""
        return self.prepared.get("holder")


@dataclass(frozen=True)
class FileAnswer:
    """A file answered as bytes (9102) instead of the JSON envelope."""

    filename: str
    content: bytes


@dataclass
class Outcome:
    output: Any
    psn_no: str | None = None
    ref_id: str | None = None
    file: FileAnswer | None = None  # set when the answer is the file itself; `output` then describes it


def new_id(admdvs: str, moment: dt.datetime) -> str:
    """mdtrt_id, setl_id, sign_no, trt_dcla_detl_sn: 30 characters in the national id shape
    (admdvs + yyyyMMddHHmmss + 10 random digits), as inf_refmsgid is."""
    return new_refmsgid(admdvs[:6], moment)


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


def check_cert(call: Call, psn: Any, cert_type: str, cert_no: str) -> None:
    """The credential presented must be the person's: their e-voucher (01) or their ID number (02)."""
    if cert_type == "01":
        if call.holder is None or call.holder.get("psn_no") != psn.psn_no:
            raise Refused(f"the e-voucher presented does not belong to psn_no {psn.psn_no}", code="CERT_MISMATCH")
    elif cert_type == "02":
        if cert_no.upper() != psn.certno.upper():
            raise Refused(f"mdtrt_cert_no is not the ID number of psn_no {psn.psn_no}", code="CERT_MISMATCH")
    else:
        raise cert_unsupported(cert_type)


def find_visit(store: Store, call: Call, mdtrt_id: str, psn_no: str, *, lock: bool = False) -> Any:
    """The caller's visit of this person in this pool, row-locked on PostgreSQL when `lock`."""
    row = store.visit(mdtrt_id, lock=lock)
    if row is None or row.fixmedins_code != call.req.fixmedins_code:
        raise Refused(f"mdtrt_id {mdtrt_id} is not a visit of {call.req.fixmedins_code}", code="VISIT_UNKNOWN")
    if row.psn_no != psn_no:
        raise Refused(f"mdtrt_id {mdtrt_id} belongs to another person than psn_no {psn_no}", code="VISIT_UNKNOWN")
    if call.req.insuplc_admdvs != row.insuplc_admdvs:
        raise Refused(
            f"insuplc_admdvs must be {row.insuplc_admdvs}, the person's pool for this visit", code="WRONG_POOL"
        )
    return row


def set_status(store: Store, mdtrt_id: str, status: str, **values: Any) -> None:
    store.update_visit(mdtrt_id, status=status, **values)


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


def open_visit(store: Store, call: Call, new: NewVisit, psn: Any) -> str:
    """Insert a visit for the insured person `psn` (read by the caller) and answer its mdtrt_id."""
    eligibility.insured_on(
        psn, store.enrollments(psn.psn_no), new.insutype, call.req.insuplc_admdvs, new.begntime.date()
    )
    mdtrt_id = new_id(call.inst.admdvs, call.now)
    store.add_visit(
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
        }
    )
    return mdtrt_id


def refuse_if_settled(store: Store, row: Any) -> None:
    open_setl = store.open_settlement_of(row.mdtrt_id)
    if open_setl is not None:
        raise Refused(
            f"mdtrt_id {row.mdtrt_id} has settlement {open_setl.setl_id}; reverse it first", code="OUT_OF_ORDER"
        )
