"""The person's own filings from the phone (备案即时办结: answered at once)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from medshared import openapi
from medshared.openapi import problem_responses
from remote_care.api import models
from remote_care.api.deps import MobileActor, StoresDep
from remote_care.api.schemas import MobileFilingIn, RevokeIn
from remote_care.domain.errors import Forbidden
from remote_care.usecases import filings

router = APIRouter(
    prefix="/mobile/v1/filings",
    tags=["mobile"],
    dependencies=openapi.REMOTE_CARE,
    responses=problem_responses(401, 403, 422, 429),
)


@router.post("", status_code=201, response_model=models.Filing, responses=problem_responses(409))
def create_my_filing(body: MobileFilingIn, actor: MobileActor, stores: StoresDep) -> dict[str, Any]:
    """File an out-of-area filing for the signed-in person."""
    if body.psn_no and body.psn_no != actor.psn_no:
        raise Forbidden("you can only file for yourself")
    return filings.create_filing(stores, body.to_request(actor.psn_no), actor, memo=body.memo, mdtrt_id=body.mdtrt_id)


@router.get("", response_model=list[models.Filing])
def list_my_filings(actor: MobileActor, stores: StoresDep) -> list[dict[str, Any]]:
    """The signed-in person's filings."""
    return filings.list_filings(stores, actor)


@router.post("/{filing_id}/revoke", response_model=models.Filing, responses=problem_responses(404, 409))
def revoke_my_filing(filing_id: str, body: RevokeIn, actor: MobileActor, stores: StoresDep) -> dict[str, Any]:
    """Revoke one of the signed-in person's filings."""
    return filings.revoke_filing(stores, actor, filing_id=filing_id, memo=body.memo)
