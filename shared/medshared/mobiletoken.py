"""The phone's session token for a second front door (remote-care's /mobile/v1), minted by
e-voucher after WeChat login and read by remote-care: one format, written once.

base64url(JSON claims {openid, psn_no, exp[, iat]}) + "." + hex HMAC-SHA256(secret, first part).
Pure: no web framework, so either side raises its own refusal on `InvalidToken`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any


class InvalidToken(ValueError):
    """The token is missing, forged, malformed or expired; the message says which, for the person."""


@dataclass(frozen=True)
class MobileClaims:
    openid: str
    psn_no: str
    exp: int
    iat: int | None = None

    def issued_at(self, session_ttl_seconds: int) -> int:
        """Unix seconds the token was issued (older tokens carry no iat: expiry minus the session length)."""
        return self.iat if self.iat is not None else self.exp - session_ttl_seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signature(secret: str, first: str) -> str:
    return hmac.new(secret.encode(), first.encode(), hashlib.sha256).hexdigest()


def mint(secret: str, openid: str, psn_no: str, exp: int, iat: int | None = None) -> str:
    claims: dict[str, Any] = {"openid": openid, "psn_no": psn_no, "exp": exp}
    if iat is not None:
        claims["iat"] = iat
    first = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode())
    return f"{first}.{_signature(secret, first)}"


def read(token: str, secret: str, now: float | None = None) -> MobileClaims:
    first, _, signature = token.strip().partition(".")
    if not signature or not hmac.compare_digest(signature.lower(), _signature(secret, first)):
        raise InvalidToken("sign in again: the session token is not valid")
    try:
        claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
        openid, psn_no, exp = str(claims["openid"]), str(claims["psn_no"]), int(claims["exp"])
        iat = int(claims["iat"]) if claims.get("iat") is not None else None
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        raise InvalidToken("sign in again: the session token is not valid") from None
    if exp < (now if now is not None else time.time()):
        raise InvalidToken("sign in again: the session has expired")
    return MobileClaims(openid=openid, psn_no=psn_no, exp=exp, iat=iat)
