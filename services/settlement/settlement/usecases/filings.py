"""Filings from the HIS: referral (2501 / 2502, held by remote-care) and chronic disease (2503 / 2504).

A filing is revoked only by the institution that filed it; the bureau revokes others at its desk.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from settlement import readmodels as rm
from settlement.db import chronic_filing
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused

from .common import Call, Outcome, new_id


def file_referral_remotely(call: Call, data: inp.ReferralFiling, session: Session, remote_care: Any) -> dict[str, Any]:
    """Before the transaction: remote-care holds referral filings and answers the serial."""
    psn = rm.person_by_psn_no(session, data.psn_no)
    insured = {e.insuplc_admdvs for e in rm.enrollments(session, psn.psn_no)}
    if call.req.insuplc_admdvs not in insured:
        raise Refused(
            f"insuplc_admdvs {call.req.insuplc_admdvs or '(empty)'} is not psn_no {data.psn_no}'s pool",
            code="WRONG_POOL",
        )
    body = dict(
        call.req.input["refmedin"],
        psn_no=data.psn_no,
        insuplc_admdvs=call.req.insuplc_admdvs,
        fixmedins_code=call.req.fixmedins_code,
    )
    return dict(remote_care.file_referral(body))


def revoke_referral_remotely(call: Call, data: inp.CancelFiling, session: Session, remote_care: Any) -> dict[str, Any]:
    return dict(
        remote_care.revoke_referral(data.trt_dcla_detl_sn, data.psn_no, data.memo or "", call.req.fixmedins_code)
    )


def referral_filed(session: Session, call: Call, data: inp.ReferralFiling) -> Outcome:
    answer = call.prepared["remote"]
    serial = str(answer["trt_dcla_detl_sn"])
    output = {"result": {"trt_dcla_detl_sn": serial, "filing_id": answer.get("filing_id")}}
    return Outcome(output, psn_no=data.psn_no, ref_id=serial)


def referral_revoked(session: Session, call: Call, data: inp.CancelFiling) -> Outcome:
    return Outcome(None, psn_no=data.psn_no, ref_id=data.trt_dcla_detl_sn)


def file_chronic(session: Session, call: Call, data: inp.ChronicFiling) -> Outcome:
    psn = rm.person_by_psn_no(session, data.psn_no)
    rm.insured_on(session, psn, data.insutype, call.req.insuplc_admdvs, data.begndate)
    if data.enddate is not None and data.enddate < data.begndate:
        raise Refused("enddate is before begndate", code="INPUT_INVALID")
    serial = new_id(call.inst.admdvs, call.now)
    session.execute(
        insert(chronic_filing).values(
            trt_dcla_detl_sn=serial,
            psn_no=data.psn_no,
            insutype=data.insutype,
            opsp_dise_code=data.opsp_dise_code,
            opsp_dise_name=data.opsp_dise_name,
            fixmedins_code=call.req.fixmedins_code,
            begndate=data.begndate,
            enddate=data.enddate,
            revoked=False,
        )
    )
    return Outcome({"result": {"trt_dcla_detl_sn": serial}}, psn_no=data.psn_no, ref_id=serial)


def revoke_chronic(session: Session, call: Call, data: inp.CancelFiling) -> Outcome:
    row = session.execute(
        select(chronic_filing).where(chronic_filing.c.trt_dcla_detl_sn == data.trt_dcla_detl_sn)
    ).first()
    if row is None or row.psn_no != data.psn_no:
        raise Refused(
            f"trt_dcla_detl_sn {data.trt_dcla_detl_sn} is not a chronic-disease filing of psn_no {data.psn_no}",
            code="FILING_UNKNOWN",
        )
    if row.fixmedins_code != call.req.fixmedins_code:
        raise Refused(
            f"chronic-disease filing {data.trt_dcla_detl_sn} was filed by another institution; only the filing "
            "institution revokes it (or the bureau at its desk)",
            code="FILING_OF_ANOTHER_INSTITUTION",
        )
    if row.revoked:
        raise Refused(f"chronic-disease filing {data.trt_dcla_detl_sn} was already revoked", code="ALREADY_REVOKED")
    session.execute(
        update(chronic_filing).where(chronic_filing.c.trt_dcla_detl_sn == data.trt_dcla_detl_sn).values(revoked=True)
    )
    return Outcome(None, psn_no=data.psn_no, ref_id=data.trt_dcla_detl_sn)
