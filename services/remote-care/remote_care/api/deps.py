"""Dependencies: the runtime, the settings, and the Actor behind each surface's credential."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from medshared.problems import Problem
from medshared.runtime import Runtime

from remote_care import handlers
from remote_care.api import auth
from remote_care.config import Settings
from remote_care.domain.filings import Channel
from remote_care.handlers import Actor


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def internal_actor(settings: SettingsDep, x_internal_token: Annotated[str | None, Header()] = None) -> Actor:
    auth.check_token(x_internal_token, settings.internal_token, "x-internal-token")
    return Actor(channel=Channel.HIS, name="settlement-front-door")


def operator_actor(
    settings: SettingsDep,
    x_operator_token: Annotated[str | None, Header()] = None,
    x_operator_id: Annotated[str | None, Header()] = None,
) -> Actor:
    auth.check_token(x_operator_token, settings.operator_token, "x-operator-token")
    return Actor(channel=Channel.ADMIN, name=x_operator_id or "operator")


def mobile_actor(settings: SettingsDep, authorization: Annotated[str | None, Header()] = None) -> Actor:
    session = auth.read_mobile_token(authorization, settings.mobile_session_secret)
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
    runtime: RuntimeDep, settings: SettingsDep, signed: Annotated[auth.SignedRequest, Depends(_signed)]
) -> Actor:
    if not handlers.record_partner_nonce(runtime, signed.key_id, signed.nonce, settings.partner_max_skew_seconds):
        raise Problem(
            401, "Unauthorized", "this x-partner-nonce was already used; send a fresh nonce", code="unauthorized"
        )
    return Actor(channel=Channel.PARTNER, name=signed.key_id, province=signed.province)


InternalActor = Annotated[Actor, Depends(internal_actor)]
OperatorActor = Annotated[Actor, Depends(operator_actor)]
MobileActor = Annotated[Actor, Depends(mobile_actor)]
PartnerActor = Annotated[Actor, Depends(partner_actor)]
