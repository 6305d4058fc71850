"""Identities (人员身份): assistance categories 2201 特困, 2202 低保, 2203 返贫致贫, 2204 低收入..."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from enrollment.api.deps import UowDep, render
from enrollment.api.models import CHANGE_ERRORS, OPERATOR_ERRORS, Identity
from enrollment.domain import commands as cmds
from enrollment.usecases import identities as identities_uc
from medshared.openapi import OPERATOR

router = APIRouter(prefix="/admin/v1/identities", tags=["identities"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)


class GrantIdentityIn(BaseModel):
    psn_no: str
    psn_idet_type: str = Field(examples=["2202"])
    begntime: dt.date
    endtime: dt.date | None = None
    psn_type_lv: str = ""
    memo: str = ""


class RevokeIdentityIn(BaseModel):
    memo: str = ""


@router.post("", status_code=201, response_model=Identity, responses=CHANGE_ERRORS)
def grant_identity(body: GrantIdentityIn, uow: UowDep) -> dict[str, Any]:
    """Grant an identity for a validity period."""
    return render(identities_uc.grant_identity(uow, cmds.GrantIdentity(**body.model_dump())).snapshot())


@router.post("/{identity_id}/revoke", response_model=Identity, responses=CHANGE_ERRORS)
def revoke_identity(identity_id: str, body: RevokeIdentityIn, uow: UowDep) -> dict[str, Any]:
    """Revoke an identity."""
    return render(
        identities_uc.revoke_identity(uow, cmds.RevokeIdentity(identity_id=identity_id, memo=body.memo)).snapshot()
    )
