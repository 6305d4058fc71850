"""/dev/v1: the development identity provider, mounted only with EVOUCHER_IDENTITY_PROVIDER=stub.

The real face-check SDK runs on the phone and hands it a ticket; this stand-in issues the same
kind of ticket for whoever asks, without a face. Production refuses to start with it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from evoucher.api.deps import NowDep, StateDep, session_openid
from evoucher.api.models import FaceCheck
from medshared.openapi import problem_responses

router = APIRouter(prefix="/dev/v1", tags=["development"])


class FaceCheckIn(BaseModel):
    psn_name: str = Field(min_length=1, max_length=50)
    certno: str = Field(min_length=1, max_length=50)


@router.post("/face-checks", status_code=201, response_model=FaceCheck, responses=problem_responses(401, 422))
def face_check(
    body: FaceCheckIn, openid: Annotated[str, Depends(session_openid)], state: StateDep, now: NowDep
) -> dict[str, Any]:
    """Development face check: a ticket naming this person and this phone's openid, valid a few minutes, usable once."""
    stub = state.identity
    ticket = stub.issue(certno=body.certno, psn_name=body.psn_name, openid=openid, now=int(now.timestamp()))
    return {"identity_ticket": ticket, "expires_in": stub.ttl_seconds}
