"""/admin/v1: bureau operators (voucher freeze/unfreeze/revoke, the reported figures)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from evoucher import handlers
from evoucher.api.deps import NowDep, RuntimeDep, SettingsDep, require_token
from evoucher.api.errors import to_problem
from evoucher.domain.errors import DomainError

router = APIRouter(prefix="/admin/v1", tags=["admin"])


class OperatorChangeIn(BaseModel):
    operator_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=200)


AdminToken = Annotated[str, Header()]


@router.post("/vouchers/{voucher_id}/{command}")
def change(
    voucher_id: str, command: str, body: OperatorChangeIn, runtime: RuntimeDep, settings: SettingsDep, now: NowDep,
    x_admin_token: AdminToken = "",
) -> dict[str, Any]:
    """Freeze, unfreeze or revoke a voucher on a person's behalf (command: freeze | unfreeze | revoke)."""
    require_token(settings.admin_token, x_admin_token, "x-admin-token")
    try:
        return handlers.change_voucher_as_operator(runtime, voucher_id, command, body.operator_id, body.reason, now)
    except DomainError as exc:
        raise to_problem(exc) from None


@router.get("/figures")
def figures(runtime: RuntimeDep, settings: SettingsDep, x_admin_token: AdminToken = "") -> list[dict[str, Any]]:
    """Activation rate and settlement-use rate per pool, from enrollment and settlement events."""
    require_token(settings.admin_token, x_admin_token, "x-admin-token")
    return handlers.figures(runtime)
