"""Identities (人员身份): assistance categories 2201 特困, 2202 低保, 2203 返贫致贫, 2204 低收入..."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from enrollment import handlers
from enrollment.api.deps import RuntimeDep, render
from enrollment.domain import commands as c

router = APIRouter(prefix="/admin/v1/identities", tags=["identities"])


class GrantIdentityIn(BaseModel):
    psn_no: str
    psn_idet_type: str = Field(examples=["2202"])
    begntime: dt.date
    endtime: dt.date | None = None
    psn_type_lv: str = ""
    memo: str = ""


class RevokeIdentityIn(BaseModel):
    memo: str = ""


@router.post("", status_code=201)
def grant_identity(body: GrantIdentityIn, runtime: RuntimeDep) -> dict[str, Any]:
    """Grant an identity for a validity period."""
    return render(
        handlers.grant_identity(
            runtime, c.GrantIdentity(**body.model_dump())
        ).snapshot()
    )


@router.post("/{identity_id}/revoke")
def revoke_identity(
    identity_id: str, body: RevokeIdentityIn, runtime: RuntimeDep
) -> dict[str, Any]:
    """Revoke an identity."""
    return render(
        handlers.revoke_identity(
            runtime, c.RevokeIdentity(identity_id=identity_id, memo=body.memo)
        ).snapshot()
    )
