"""/admin/v1: bureau operators (voucher freeze/unfreeze/revoke, the reported figures), role enrollment_desk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from evoucher.api.deps import NowDep, UnitsDep, VoucherDesk
from evoucher.api.models import OPERATOR_ERRORS, PoolFigures, Voucher
from evoucher.usecases import views, vouchers
from medshared.openapi import OPERATOR, problem_responses
from medshared.security import Operator

router = APIRouter(prefix="/admin/v1", tags=["admin"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)


class OperatorChangeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


@router.post("/vouchers/{voucher_id}/{command}", response_model=Voucher, responses=problem_responses(404, 409))
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


@router.get("/figures", dependencies=[VoucherDesk], response_model=list[PoolFigures])
def figures(units: UnitsDep) -> list[dict[str, Any]]:
    """Activation rate and settlement-use rate per pool, from enrollment and settlement events."""
    return views.figures(units)
