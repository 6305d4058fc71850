"""Dependencies: the stores, the settings, and the Actor behind each surface's credential."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from medshared.problems import Problem
from medshared.security import Operator, OperatorGate, RateLimiter, Role, rate_limited, require_token
from remote_care.api import auth
from remote_care.config import Settings
from remote_care.db import operator_action
from remote_care.domain.filings import Channel
from remote_care.usecases import access
from remote_care.usecases.common import Actor
from remote_care.usecases.ports import Stores


def get_stores(request: Request) -> Stores:
    return request.app.state.stores  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


StoresDep = Annotated[Stores, Depends(get_stores)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def internal_actor(settings: SettingsDep, x_internal_token: Annotated[str | None, Header()] = None) -> Actor:
    require_token(x_internal_token, settings.internal_token, "x-internal-token")
    return Actor(channel=Channel.HIS, name="settlement-front-door")


operators = OperatorGate(operator_action)


def _reviewer(operator: Annotated[Operator, operators.require(Role.FILING_REVIEW)]) -> Actor:
    return Actor(channel=Channel.ADMIN, name=operator.operator)


def _clearer(operator: Annotated[Operator, operators.require(Role.CLEARING)]) -> Actor:
    return Actor(channel=Channel.ADMIN, name=operator.operator)


def _limit(limiter: RateLimiter, key: str, who: str) -> None:
    wait = limiter.retry_after(key)
    if wait:
        raise rate_limited(who, wait)


def mobile_actor(
    request: Request, stores: StoresDep, settings: SettingsDep, authorization: Annotated[str | None, Header()] = None
) -> Actor:
    session = auth.read_mobile_token(authorization, settings.mobile_session_secret)
    _limit(request.app.state.mobile_limiter, session.openid, "this account")
    ended = access.why_session_ended(stores, session.psn_no, session.issued_at(settings.voucher_session_ttl_seconds))
    if ended:
        raise Problem(401, "Unauthorized", f"sign in again: {ended}", code="session_ended")
    return Actor(channel=Channel.MOBILE, name=f"openid:{session.openid}", psn_no=session.psn_no)


async def _signed(request: Request) -> auth.SignedRequest:
    # async only to read the raw body for its hash; nothing here blocks.
    settings: Settings = request.app.state.settings
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return auth.verify_partner(
        request.headers.get,
        settings.partner_credentials,
        request.method,
        path,
        await request.body(),
        settings.partner_max_skew_seconds,
    )


def partner_actor(
    request: Request,
    stores: StoresDep,
    settings: SettingsDep,
    signed: Annotated[auth.SignedRequest, Depends(_signed)],
) -> Actor:
    _limit(request.app.state.partner_limiter, signed.key_id, f"partner key {signed.key_id}")
    if not access.record_partner_nonce(stores, signed.key_id, signed.nonce, settings.partner_max_skew_seconds):
        raise Problem(
            401, "Unauthorized", "this x-partner-nonce was already used; send a fresh nonce", code="unauthorized"
        )
    return Actor(channel=Channel.PARTNER, name=signed.key_id, province=signed.province)


InternalActor = Annotated[Actor, Depends(internal_actor)]
FilingReviewer = Annotated[Actor, Depends(_reviewer)]
ClearingOperator = Annotated[Actor, Depends(_clearer)]
MobileActor = Annotated[Actor, Depends(mobile_actor)]
PartnerActor = Annotated[Actor, Depends(partner_actor)]
