"""Identity verification (real-name plus face/liveness), the port activation and family binding use.

A provider checks, on the person's phone, that the face in front of the camera belongs to the
holder of an ID number and name, and hands the phone a ticket saying so. The platform accepts
the ticket only if the provider issued it (signature), it is still fresh, it was issued to the
same WeChat account (openid) that presents it, and it names the person the request names. A
ticket serves once (the use is recorded where the activation is, see handlers).

Ticket layout, for providers that sign with a key shared with the platform:
base64url(JSON {"tid", "certno", "psn_name", "openid", "exp"}) + "." + hex HMAC-SHA256 over the
first part. `exp` is unix seconds; `tid` is the provider's unique id for this check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from typing import Protocol

from evoucher.domain.errors import Forbidden, Invalid

# Ticket ids are stored to make each ticket single use; longer ones are not a provider's.
MAX_TICKET_ID = 64
# A face check vouches for minutes; a ticket claiming to last longer than this is not accepted.
MAX_TICKET_LIFETIME_SECONDS = 24 * 3600


@dataclass(frozen=True)
class VerifiedPerson:
    """What the provider vouches for: this openid's user is the holder of this ID number and name."""

    ticket_id: str
    certno: str
    psn_name: str
    openid: str
    expires_at: int  # unix seconds


class IdentityVerifier(Protocol):
    """The port: a ticket from the provider in, the verified person out (or a refusal)."""

    def verify(self, ticket: str, now: int) -> VerifiedPerson: ...


def required(ticket: str, what: str) -> str:
    if not ticket.strip():
        raise Invalid(
            "identity_ticket_required",
            f"{what} needs identity_ticket: do the face check in the app first, then send the ticket it returns",
        )
    return ticket.strip()


def same_person(certno_a: str, name_a: str, certno_b: str, name_b: str) -> bool:
    return certno_a.strip().upper() == certno_b.strip().upper() and name_a.strip() == name_b.strip()


def check_presented(verified: VerifiedPerson, openid: str, certno: str, psn_name: str, whom: str) -> None:
    """The ticket was issued to this account and names the person the request names."""
    if not hmac.compare_digest(verified.openid.encode(), openid.encode()):
        raise Forbidden(
            "identity_ticket", "this identity check was done on another WeChat account; do the face check on this phone"
        )
    if not same_person(verified.certno, verified.psn_name, certno, psn_name):
        raise Invalid("identity_ticket", f"the identity check names someone else; do the face check as {whom}")


# --- tickets signed with a shared key ------------------------------------------------------


def mint(secret: str, *, certno: str, psn_name: str, openid: str, now: int, ttl_seconds: int) -> str:
    claims = {
        "tid": secrets.token_hex(16),
        "certno": certno.strip().upper(),
        "psn_name": psn_name.strip(),
        "openid": openid,
        "exp": now + ttl_seconds,
    }
    body = (
        base64.urlsafe_b64encode(json.dumps(claims, ensure_ascii=False, sort_keys=True).encode()).decode().rstrip("=")
    )
    return f"{body}.{_sign(secret, body)}"


def read(secret: str, ticket: str, now: int) -> VerifiedPerson:
    """The person a genuine, unexpired ticket names; otherwise a refusal the person can act on."""
    again = "do the face check again"
    body, _, signature = ticket.strip().partition(".")
    if not body or not signature or not hmac.compare_digest(signature.lower().encode(), _sign(secret, body).encode()):
        raise Invalid("identity_ticket", f"identity_ticket was not issued by the identity provider; {again}")
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError):
        raise Invalid("identity_ticket", f"identity_ticket is damaged; {again}") from None
    fields = ("tid", "certno", "psn_name", "openid")
    if (
        not isinstance(claims, dict)
        or not all(isinstance(claims.get(f), str) and claims[f] for f in fields)
        or not isinstance(claims.get("exp"), int)
        or len(claims["tid"]) > MAX_TICKET_ID
    ):
        raise Invalid("identity_ticket", f"identity_ticket is damaged; {again}")
    if claims["exp"] - now > MAX_TICKET_LIFETIME_SECONDS:
        raise Invalid("identity_ticket", f"identity_ticket claims to be valid for more than a day; {again}")
    if now >= claims["exp"]:
        raise Invalid("identity_ticket", f"identity_ticket has expired (a check is valid for minutes); {again}")
    return VerifiedPerson(claims["tid"], claims["certno"], claims["psn_name"], claims["openid"], claims["exp"])


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
