"""Mobile sessions: a WeChat login opens one; the phone's bearer token names its openid."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from evoucher.domain.errors import Unauthenticated
from evoucher.domain.moments import utc
from medshared import mobiletoken

from .common import token_hash, voucher_view
from .ports import Store, Units


@dataclass(frozen=True)
class Login:
    session_token: str
    openid: str
    expires_at: dt.datetime
    voucher: dict[str, Any] | None
    remote_care_token: str | None


def remote_care_token(secret: str, openid: str, psn_no: str, expires_at: dt.datetime) -> str:
    """The token the phone shows remote-care's front door; it ends with the e-voucher session."""
    return mobiletoken.mint(secret, openid, psn_no, int(expires_at.timestamp()))


def log_in(units: Units, openid: str, *, ttl_seconds: int, mobile_secret: str, now: dt.datetime) -> Login:
    token = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(seconds=ttl_seconds)
    with units() as store:
        store.add_session(token_hash(token), openid, now, expires_at)
        own = store.voucher_of_openid(openid)
    return Login(
        session_token=token,
        openid=openid,
        expires_at=expires_at,
        voucher=voucher_view(own) if own else None,
        remote_care_token=remote_care_token(mobile_secret, openid, own.psn_no, expires_at) if own else None,
    )


def openid_for_session(store: Store, token: str, now: dt.datetime) -> str:
    row = store.mobile_session(token_hash(token))
    if row is None or utc(row.expires_at) <= now:
        raise Unauthenticated("session", "your session has ended; log in again")
    return str(row.openid)


def session_openid(units: Units, token: str, now: dt.datetime) -> str:
    with units() as store:
        return openid_for_session(store, token, now)
