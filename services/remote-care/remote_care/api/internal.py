"""HIS referral filings 2501/2502, forwarded by the settlement service's front door."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from medshared import openapi
from medshared.openapi import problem_responses
from remote_care.api import models
from remote_care.api.deps import InternalActor, StoresDep
from remote_care.api.schemas import ReferralIn, ReferralRevokeIn
from remote_care.usecases import filings
from remote_care.usecases.common import Actor

router = APIRouter(
    prefix="/internal/v1/referral-filings",
    tags=["internal"],
    dependencies=openapi.INTERNAL,
    responses=problem_responses(401, 403, 422),
)


@router.post("", status_code=201, response_model=models.ReferralFiled, responses=problem_responses(409))
def create_referral(body: ReferralIn, actor: InternalActor, stores: StoresDep) -> dict[str, Any]:
    """2501 转院备案: file a referral and return its trt_dcla_detl_sn."""
    filing = filings.create_filing(
        stores, body.to_request(), Actor(actor.channel, body.fixmedins_code), mdtrt_id=body.mdtrt_id
    )
    return {"trt_dcla_detl_sn": filing["trt_dcla_detl_sn"], "filing_id": filing["filing_id"], "filing": filing}


@router.post("/{trt_dcla_detl_sn}/revoke", response_model=models.ReferralFiled, responses=problem_responses(404, 409))
def revoke_referral(
    trt_dcla_detl_sn: str, body: ReferralRevokeIn, actor: InternalActor, stores: StoresDep
) -> dict[str, Any]:
    """2502 转院备案撤销: the institution that filed a referral revokes it by its trt_dcla_detl_sn."""
    bound = Actor(actor.channel, body.fixmedins_code, psn_no=body.psn_no)
    filing = filings.revoke_filing(
        stores, bound, trt_dcla_detl_sn=trt_dcla_detl_sn, memo=body.memo, filing_institution=body.fixmedins_code
    )
    return {"trt_dcla_detl_sn": trt_dcla_detl_sn, "filing_id": filing["filing_id"], "filing": filing}
