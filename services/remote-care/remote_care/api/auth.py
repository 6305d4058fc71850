"""Who is calling: a person on a phone, or a partner province (the settlement front door's
x-internal-token is medshared.security.require_token; operators are medshared.security's).

Mobile session token (minted by the e-voucher service after WeChat login, medshared.mobiletoken):
    base64url(json {"openid", "psn_no", "exp"[, "iat"]}) + "." + hex(hmac_sha256(secret, <first part>))
`exp` (and `iat`, when sent) are unix seconds; base64url without padding. A session is good
only while the person's voucher is active and only for the binding it was opened under: a
token issued before the voucher's current activation (a revoked voucher activated again, or
reclaimed by its holder on another account) is refused. The issue time is `iat`, or else
`exp` minus e-voucher's session lifetime (REMOTE_CARE_VOUCHER_SESSION_TTL_SECONDS, which must
equal EVOUCHER_SESSION_TTL_SECONDS).

Partner province request signature, headers:
    x-partner-key (key id), x-partner-timestamp (unix seconds), x-partner-nonce (unique per request),
    x-partner-signature = hex(hmac_sha256(secret, METHOD + "\\n" + path?query + "\\n" + timestamp
                                          + "\\n" + nonce + "\\n" + hex(sha256(body))))
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from medshared import mobiletoken
from medshared.mobiletoken import MobileClaims
from medshared.problems import Problem
from remote_care.config import PartnerCredential

_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, code="unauthorized")


# ------------------------------------------------------------------ mobile


MobileSession = MobileClaims


def mint_mobile_token(secret: str, openid: str, psn_no: str, exp: int) -> str:
    """For tests and integrators' scripts: the token e-voucher mints (medshared.mobiletoken)."""
    return mobiletoken.mint(secret, openid, psn_no, exp)


def read_mobile_token(authorization: str | None, secret: str, now: float | None = None) -> MobileSession:
    """The session behind `Authorization: Bearer <token>`; a 401 problem saying to sign in again otherwise."""
    if not authorization or not authorization.startswith("Bearer "):
        raise _unauthorized("sign in again: the Authorization: Bearer <session token> header is missing")
    try:
        return mobiletoken.read(authorization.removeprefix("Bearer "), secret, now)
    except mobiletoken.InvalidToken as exc:
        raise _unauthorized(str(exc)) from None


# ------------------------------------------------------------------ partner


@dataclass(frozen=True)
class SignedRequest:
    key_id: str
    province: str
    nonce: str


def partner_signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = "\n".join([method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def partner_headers(
    key_id: str,
    secret: str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    now: float | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Headers a partner province sends; for integrators' scripts and tests."""
    import secrets as _secrets

    timestamp = str(int(now if now is not None else time.time()))
    nonce = nonce or _secrets.token_hex(16)
    return {
        "x-partner-key": key_id,
        "x-partner-timestamp": timestamp,
        "x-partner-nonce": nonce,
        "x-partner-signature": partner_signature(secret, method, path, timestamp, nonce, body),
    }


def verify_partner(
    headers: Callable[[str], str | None],
    credentials: dict[str, PartnerCredential],
    method: str,
    path: str,
    body: bytes,
    max_skew: int,
    now: float | None = None,
) -> SignedRequest:
    key_id, timestamp, nonce, signature = (
        headers(h) for h in ("x-partner-key", "x-partner-timestamp", "x-partner-nonce", "x-partner-signature")
    )
    if not (key_id and timestamp and nonce and signature):
        raise _unauthorized(
            "sign the request: x-partner-key, x-partner-timestamp, x-partner-nonce and x-partner-signature are required"
        )
    credential = credentials.get(key_id)
    if credential is None:
        raise _unauthorized(f"unknown partner key {key_id!r}")
    # ASCII digits only: str.isdigit() also takes '²' and other scripts' digits, which int() refuses or reads.
    if (
        not _UNIX_SECONDS.fullmatch(timestamp)
        or abs((now if now is not None else time.time()) - int(timestamp)) > max_skew
    ):
        raise _unauthorized(
            f"x-partner-timestamp must be the current unix time in seconds, ASCII digits 0-9 (within {max_skew} s); "
            f"check the clock (got {timestamp[:20]!r})"
        )
    if len(nonce) > 64:
        raise _unauthorized("x-partner-nonce must be at most 64 characters")
    expected = partner_signature(credential.secret, method, path, timestamp, nonce, body)
    if not hmac.compare_digest(signature.lower(), expected):
        raise _unauthorized("the signature does not match; sign METHOD, path?query, timestamp, nonce and sha256(body)")
    return SignedRequest(key_id=key_id, province=credential.province, nonce=nonce)
