"""/internal/v1: service-to-service calls (the settlement service resolving ecTokens)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from evoucher.api.deps import NowDep, SettingsDep, UnitsDep
from evoucher.api.models import EcTokenPerson
from evoucher.usecases import codes
from medshared.openapi import INTERNAL, problem_responses
from medshared.security import require_token

router = APIRouter(prefix="/internal/v1", tags=["internal"], dependencies=INTERNAL)


class ResolveIn(BaseModel):
    ecToken: str = Field(min_length=1, max_length=50)
    fixmedins_code: str = Field(min_length=1, max_length=30)


@router.post("/ectokens/resolve", response_model=EcTokenPerson, responses=problem_responses(401, 403, 404, 422))
def resolve(
    body: ResolveIn,
    units: UnitsDep,
    settings: SettingsDep,
    now: NowDep,
    x_internal_token: Annotated[str, Header()] = "",
) -> dict[str, Any]:
    """The person behind an ecToken, for the institution it was issued to (404 unknown/expired, 403 foreign)."""
    require_token(x_internal_token, settings.internal_token, "x-internal-token")
    return codes.resolve_ec_token(units, body.ecToken, body.fixmedins_code, now)
