"""/mobile/v1: the WeChat mini-program and H5 pages, authenticated by a session bound to an openid."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from evoucher.api.deps import NowDep, OpenidDep, SettingsDep, StateDep, UnitsDep, limit_identity_attempts
from evoucher.api.models import (
    ActivatedVoucher,
    Authorisation,
    FamilyBinding,
    MySettlement,
    PayOrder,
    QrCode,
    Session,
    Usage,
    Voucher,
)
from evoucher.usecases import codes, family, orders, sessions, views, vouchers
from evoucher.usecases.ports import Units
from medshared.openapi import PUBLIC, problem_responses
from medshared.security import rate_limited

TICKET = Field(
    default="",
    max_length=4096,
    description="the ticket the identity provider's face check returned on this phone (development: POST /dev/v1/face-checks)",
)

router = APIRouter(prefix="/mobile/v1", tags=["mobile"], responses=problem_responses(422, 429))
# Routes behind a session: 401 when it is missing or over (sign in again).
SIGNED_IN = problem_responses(401)


class LoginIn(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="wx.login() code")


class ActivateIn(BaseModel):
    psn_name: str = Field(min_length=1, max_length=50)
    certno: str = Field(min_length=1, max_length=50)
    identity_ticket: str = TICKET


class ReasonIn(BaseModel):
    reason: str = Field(default="", max_length=200)


class FamilyIn(BaseModel):
    psn_name: str = Field(min_length=1, max_length=50)
    certno: str = Field(min_length=1, max_length=50)
    relation: str = Field(min_length=1, max_length=20, description="e.g. child, parent, spouse")
    identity_ticket: str = TICKET


class QrIn(BaseModel):
    psn_no: str | None = Field(default=None, description="a consenting family member's psn_no; empty: your own")


@router.post(
    "/sessions",
    status_code=201,
    response_model=Session,
    openapi_extra=PUBLIC,
    responses=problem_responses(401, 503),
)
def log_in(
    request: Request, body: LoginIn, units: UnitsDep, settings: SettingsDep, state: StateDep, now: NowDep
) -> dict[str, Any]:
    """Exchange a WeChat login code for a session token (and a remote-care token once activated)."""
    # Per address first, then per account: the login code before WeChat is asked, the openid after.
    address = request.client.host if request.client else "unknown"
    wait = state.session_ip_limiter.retry_after(address)
    if wait:
        raise rate_limited("this address", wait)
    wait = state.session_account_limiter.retry_after(f"code:{body.code}")
    if wait:
        raise rate_limited("this WeChat account", wait)
    openid = state.wechat.openid_for(body.code)
    wait = state.session_account_limiter.retry_after(f"openid:{openid}")
    if wait:
        raise rate_limited("this WeChat account", wait)
    login = sessions.log_in(
        units, openid, ttl_seconds=settings.session_ttl_seconds, mobile_secret=settings.mobile_session_secret, now=now
    )
    return {
        "session_token": login.session_token,
        "expires_at": login.expires_at.isoformat(),
        "voucher": login.voucher,
        "remote_care_token": login.remote_care_token,
    }


@router.post(
    "/voucher/activation",
    status_code=201,
    response_model=ActivatedVoucher,
    responses=SIGNED_IN | problem_responses(403, 409),
)
def activate(
    body: ActivateIn, openid: OpenidDep, units: UnitsDep, settings: SettingsDep, state: StateDep, now: NowDep
) -> dict[str, Any]:
    """Real-name binding after a face check: activate (or reclaim from another account) the voucher of this person."""
    limit_identity_attempts(state, openid, body.certno)
    view, rc_token = vouchers.activate(
        units,
        openid,
        body.psn_name,
        body.certno,
        identity_ticket=body.identity_ticket,
        verifier=state.identity,
        mobile_secret=settings.mobile_session_secret,
        session_ttl=settings.session_ttl_seconds,
        now=now,
    )
    return {**view, "remote_care_token": rc_token}


@router.get("/voucher", response_model=Voucher, responses=SIGNED_IN | problem_responses(404))
def my_voucher(openid: OpenidDep, units: UnitsDep) -> dict[str, Any]:
    """The voucher bound to this account."""
    return vouchers.my_voucher(units, openid)


def _change(command: str, body: ReasonIn, openid: str, units: Units, now: dt.datetime) -> dict[str, Any]:
    return vouchers.change_own_voucher(units, openid, command, body.reason, now)


@router.post("/voucher/freeze", response_model=Voucher, responses=SIGNED_IN | problem_responses(404, 409))
def freeze(body: ReasonIn, openid: OpenidDep, units: UnitsDep, now: NowDep) -> dict[str, Any]:
    """Freeze your voucher: no code can be shown or decoded until you unfreeze it."""
    return _change("freeze", body, openid, units, now)


@router.post("/voucher/unfreeze", response_model=Voucher, responses=SIGNED_IN | problem_responses(404, 409))
def unfreeze(body: ReasonIn, openid: OpenidDep, units: UnitsDep, now: NowDep) -> dict[str, Any]:
    """Unfreeze your voucher."""
    return _change("unfreeze", body, openid, units, now)


@router.post("/voucher/revoke", response_model=Voucher, responses=SIGNED_IN | problem_responses(404, 409))
def revoke(body: ReasonIn, openid: OpenidDep, units: UnitsDep, now: NowDep) -> dict[str, Any]:
    """Revoke your voucher and release this account; activate again to bind a new one."""
    return _change("revoke", body, openid, units, now)


@router.post("/qrcodes", status_code=201, response_model=QrCode, responses=SIGNED_IN | problem_responses(403, 404, 409))
def show_code(body: QrIn, openid: OpenidDep, units: UnitsDep, settings: SettingsDep, now: NowDep) -> dict[str, Any]:
    """A dynamic QR code: signed, no personal data, valid 60 seconds, decodable once."""
    code = codes.issue_qr(
        units, openid, body.psn_no, secret=settings.qr_signing_secret, ttl_seconds=settings.qr_ttl_seconds, now=now
    )
    return {"qr_code": code.text, "expires_in": code.expires_at - int(now.timestamp())}


@router.post(
    "/family", status_code=201, response_model=FamilyBinding, responses=SIGNED_IN | problem_responses(403, 404, 409)
)
def request_family(body: FamilyIn, openid: OpenidDep, units: UnitsDep, state: StateDep, now: NowDep) -> dict[str, Any]:
    """Ask, after your own face check, to show a family member's code; it takes effect when they consent."""
    limit_identity_attempts(state, openid, body.certno)
    return family.request_family_binding(
        units,
        openid,
        body.psn_name,
        body.certno,
        body.relation,
        now,
        identity_ticket=body.identity_ticket,
        verifier=state.identity,
    )


@router.get("/family", response_model=list[FamilyBinding], responses=SIGNED_IN)
def list_family(openid: OpenidDep, units: UnitsDep) -> list[dict[str, Any]]:
    """Family bindings you asked for, and those asking for your consent."""
    return family.list_family(units, openid)


@router.post(
    "/family/{binding_id}/consent", response_model=FamilyBinding, responses=SIGNED_IN | problem_responses(403, 404, 409)
)
def consent(binding_id: str, openid: OpenidDep, units: UnitsDep, now: NowDep) -> dict[str, Any]:
    """Consent, as the family member, to a guardian showing your code."""
    return family.consent_family_binding(units, openid, binding_id, now)


@router.post(
    "/family/{binding_id}/withdraw",
    response_model=FamilyBinding,
    responses=SIGNED_IN | problem_responses(403, 404, 409),
)
def withdraw(binding_id: str, openid: OpenidDep, units: UnitsDep, now: NowDep) -> dict[str, Any]:
    """End a family binding (either side)."""
    return family.withdraw_family_binding(units, openid, binding_id, now)


@router.get("/usage", response_model=list[Usage], responses=SIGNED_IN | problem_responses(404))
def usage(openid: OpenidDep, units: UnitsDep) -> list[dict[str, Any]]:
    """Where and when your voucher was scanned."""
    return views.my_usage(units, openid)


@router.get("/settlements", response_model=list[MySettlement], responses=SIGNED_IN | problem_responses(404))
def settlements(openid: OpenidDep, units: UnitsDep) -> list[dict[str, Any]]:
    """Your settlements, newest first."""
    return views.my_settlements(units, openid)


@router.get("/pay-orders/{pay_ord_id}", response_model=PayOrder, responses=SIGNED_IN | problem_responses(403, 404))
def pay_order(pay_ord_id: str, openid: OpenidDep, units: UnitsDep) -> dict[str, Any]:
    """A hospital's payment order addressed to you (or a consenting family member)."""
    return orders.order_for_person(units, openid, pay_ord_id)


@router.post(
    "/pay-orders/{pay_ord_id}/authorisation",
    status_code=201,
    response_model=Authorisation,
    responses=SIGNED_IN | problem_responses(403, 404, 409),
)
def authorise(
    pay_ord_id: str, openid: OpenidDep, units: UnitsDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    """Authorise the order: the payAuthNo the hospital quotes when it places the order (6202)."""
    return orders.authorise(units, openid, pay_ord_id, settings.pay_auth_ttl_seconds, now)
