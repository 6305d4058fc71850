"""Dependencies shared by the routers: runtime, units of work, settings, clock, the caller's identity."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Security
from fastapi.security import HTTPAuthorizationCredentials

from evoucher.config import Settings
from evoucher.db import operator_action
from evoucher.usecases import sessions
from evoucher.usecases.ports import Units
from medshared.openapi import PHONE_SESSION
from medshared.problems import Problem
from medshared.runtime import Runtime
from medshared.security import OperatorGate, Role, rate_limited

# These read the app's state and never wait: declared async so FastAPI calls them on the event
# loop instead of handing each one to a worker thread (a thread handoff costs more than the call).


async def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def get_units(request: Request) -> Units:
    return request.app.state.units  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_now(request: Request) -> dt.datetime:
    """The app's clock; tests move it forward instead of sleeping."""
    return request.app.state.clock()  # type: ignore[no-any-return]


async def get_app_state(request: Request) -> Any:
    return request.app.state


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
UnitsDep = Annotated[Units, Depends(get_units)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[dt.datetime, Depends(get_now)]
StateDep = Annotated[Any, Depends(get_app_state)]


def _bearer(authorization: str) -> str:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Problem(
            401,
            "Unauthenticated",
            "send Authorization: Bearer <session_token> from /mobile/v1/sessions",
            code="session",
        )
    return token.strip()


# Declares the scheme in the OpenAPI and refuses no one: `_bearer` below decides, as it always has.
DeclaredSession = Annotated[HTTPAuthorizationCredentials | None, Security(PHONE_SESSION)]


def current_openid(
    request: Request,
    units: UnitsDep,
    now: NowDep,
    _declared: DeclaredSession = None,
    authorization: Annotated[str, Header()] = "",
) -> str:
    """The openid the session is bound to, within its rate."""
    openid = sessions.session_openid(units, _bearer(authorization), now)
    wait = request.app.state.mobile_limiter.retry_after(openid)
    if wait:
        raise rate_limited("this account", wait)
    return openid


OpenidDep = Annotated[str, Depends(current_openid)]


def session_openid(
    units: UnitsDep, now: NowDep, _declared: DeclaredSession = None, authorization: Annotated[str, Header()] = ""
) -> str:
    """The openid of a session, outside the service's own rate (for the development face check)."""
    return sessions.session_openid(units, _bearer(authorization), now)


def limit_identity_attempts(state: Any, openid: str, certno: str) -> None:
    """Name + ID number attempts, per account and per ID number, whatever their outcome.

    Counted before anything is looked up, so a refusal for going too fast says nothing
    about whether the name and ID number would have matched.
    """
    waits = [
        state.identity_limiter.retry_after(f"openid:{openid}"),
        state.identity_limiter.retry_after(f"certno:{certno.strip().upper()}"),
    ]
    if max(waits):
        raise rate_limited("this account for name and ID number checks", max(waits))


operators = OperatorGate(operator_action)
# Freezing, unfreezing and revoking a voucher on a person's behalf is desk work.
VoucherDesk = operators.require(Role.ENROLLMENT_DESK)
