"""/admin/v1: bureau operators (voucher freeze/unfreeze/revoke, the reported figures), role enrollment_desk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from evoucher.api.deps import NowDep, UnitsDep, VoucherDesk
from evoucher.usecases import views, vouchers
from medshared.security import Operator

router = APIRouter(prefix="/admin/v1", tags=["admin"])


class OperatorChangeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


@router.post("/vouchers/{voucher_id}/{command}")
def change(
    voucher_id: str,
    command: str,
    body: OperatorChangeIn,
    operator: Annotated[Operator, VoucherDesk],
    units: UnitsDep,
    now: NowDep,
) -> dict[str, Any]:
    """Freeze, unfreeze or revoke a voucher on a person's behalf (command: freeze | unfreeze | revoke)."""
    return vouchers.change_voucher_as_operator(units, voucher_id, command, operator.operator, body.reason, now)


@router.get("/figures", dependencies=[VoucherDesk])
def figures(units: UnitsDep) -> list[dict[str, Any]]:
    """Activation rate and settlement-use rate per pool, from enrollment and settlement events."""
    return views.figures(units)
