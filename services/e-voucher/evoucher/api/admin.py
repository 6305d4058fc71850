"""/admin/v1: bureau operators (voucher freeze/unfreeze/revoke, the reported figures), role enrollment_desk."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from medshared.security import Operator
from pydantic import BaseModel, Field

from evoucher import handlers
from evoucher.api.deps import NowDep, RuntimeDep, VoucherDesk
from evoucher.api.errors import to_problem
from evoucher.domain.errors import DomainError

router = APIRouter(prefix="/admin/v1", tags=["admin"])


class OperatorChangeIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


@router.post("/vouchers/{voucher_id}/{command}")
def change(
    voucher_id: str,
    command: str,
    body: OperatorChangeIn,
    operator: Annotated[Operator, VoucherDesk],
    runtime: RuntimeDep,
    now: NowDep,
) -> dict[str, Any]:
    """Freeze, unfreeze or revoke a voucher on a person's behalf (command: freeze | unfreeze | revoke)."""
    try:
        return handlers.change_voucher_as_operator(runtime, voucher_id, command, operator.operator, body.reason, now)
    except DomainError as exc:
        raise to_problem(exc) from None


@router.get("/figures", dependencies=[VoucherDesk])
def figures(runtime: RuntimeDep) -> list[dict[str, Any]]:
    """Activation rate and settlement-use rate per pool, from enrollment and settlement events."""
    return handlers.figures(runtime)
