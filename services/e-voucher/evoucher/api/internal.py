"""/internal/v1: service-to-service calls (the settlement service resolving ecTokens)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from evoucher import handlers
from evoucher.api.deps import NowDep, RuntimeDep, SettingsDep, require_token
from evoucher.api.errors import to_problem
from evoucher.domain.errors import DomainError

router = APIRouter(prefix="/internal/v1", tags=["internal"])


class ResolveIn(BaseModel):
    ecToken: str = Field(min_length=1, max_length=50)
    fixmedins_code: str = Field(min_length=1, max_length=30)


@router.post("/ectokens/resolve")
def resolve(
    body: ResolveIn,
    runtime: RuntimeDep,
    settings: SettingsDep,
    now: NowDep,
    x_internal_token: Annotated[str, Header()] = "",
) -> dict[str, Any]:
    """The person behind an ecToken, for the institution it was issued to (404 unknown/expired, 403 foreign)."""
    require_token(settings.internal_token, x_internal_token, "x-internal-token")
    try:
        return handlers.resolve_ec_token(runtime, body.ecToken, body.fixmedins_code, now)
    except DomainError as exc:
        raise to_problem(exc) from None
