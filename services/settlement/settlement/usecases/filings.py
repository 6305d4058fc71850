"""Filings from the HIS: referral (2501 / 2502, held by remote-care) and chronic disease (2503 / 2504).

A filing is revoked only by the institution that filed it; the bureau revokes others at its desk.
"""

from __future__ import annotations

from typing import Any

from settlement.domain import eligibility
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused

from .common import Call, Outcome, new_id
from .ports import Store


def file_referral_remotely(call: Call, data: inp.ReferralFiling, store: Store, remote_care: Any) -> dict[str, Any]:
    """Before the transaction: remote-care holds referral filings and answers the serial."""
    psn = store.person(data.psn_no)
    insured = {e.insuplc_admdvs for e in store.enrollments(psn.psn_no)}
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


def revoke_referral_remotely(call: Call, data: inp.CancelFiling, store: Store, remote_care: Any) -> dict[str, Any]:
    return dict(
        remote_care.revoke_referral(data.trt_dcla_detl_sn, data.psn_no, data.memo or "", call.req.fixmedins_code)
    )


def referral_filed(store: Store, call: Call, data: inp.ReferralFiling) -> Outcome:
    answer = call.prepared["remote"]
    serial = str(answer["trt_dcla_detl_sn"])
    output = {"result": {"trt_dcla_detl_sn": serial, "filing_id": answer.get("filing_id")}}
    return Outcome(output, psn_no=data.psn_no, ref_id=serial)


def referral_revoked(store: Store, call: Call, data: inp.CancelFiling) -> Outcome:
    return Outcome(None, psn_no=data.psn_no, ref_id=data.trt_dcla_detl_sn)


def file_chronic(store: Store, call: Call, data: inp.ChronicFiling) -> Outcome:
    psn = store.person(data.psn_no)
    eligibility.insured_on(psn, store.enrollments(psn.psn_no), data.insutype, call.req.insuplc_admdvs, data.begndate)
    if data.enddate is not None and data.enddate < data.begndate:
        raise Refused("enddate is before begndate", code="INPUT_INVALID")
    serial = new_id(call.inst.admdvs, call.now)
    store.add_chronic_filing(
        {
            "trt_dcla_detl_sn": serial,
            "psn_no": data.psn_no,
            "insutype": data.insutype,
            "opsp_dise_code": data.opsp_dise_code,
            "opsp_dise_name": data.opsp_dise_name,
            "fixmedins_code": call.req.fixmedins_code,
            "begndate": data.begndate,
            "enddate": data.enddate,
            "revoked": False,
        }
    )
    return Outcome({"result": {"trt_dcla_detl_sn": serial}}, psn_no=data.psn_no, ref_id=serial)


def revoke_chronic(store: Store, call: Call, data: inp.CancelFiling) -> Outcome:
    row = store.chronic_filing(data.trt_dcla_detl_sn)
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
    store.revoke_chronic_filing(data.trt_dcla_detl_sn)
    return Outcome(None, psn_no=data.psn_no, ref_id=data.trt_dcla_detl_sn)
