"""Dynamic QR codes: an opaque id and an expiry, signed; no personal data travels in the code.

Layout: base64url(16 random bytes + 8-byte big-endian expiry in unix seconds) + "." + hex
HMAC-SHA256 over that first part. The id points to a stored row that records whose voucher it
shows and whether it has been decoded, which is what makes a code usable once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from dataclasses import dataclass

from evoucher.domain.errors import Invalid

_ID_BYTES = 16


@dataclass(frozen=True)
class QrCode:
    qr_id: str
    expires_at: int  # unix seconds
    text: str


def mint(secret: str, now: int, ttl_seconds: int) -> QrCode:
    raw_id = secrets.token_bytes(_ID_BYTES)
    expires_at = now + ttl_seconds
    body = base64.urlsafe_b64encode(raw_id + struct.pack(">Q", expires_at)).decode().rstrip("=")
    return QrCode(qr_id=raw_id.hex(), expires_at=expires_at, text=f"{body}.{_sign(secret, body)}")


def verify(secret: str, text: str, now: int) -> str:
    """The code's id if it is genuine and unexpired; otherwise a message the clerk can act on."""
    body, _, signature = text.strip().partition(".")
    if not body or not signature or not hmac.compare_digest(signature.lower(), _sign(secret, body)):
        raise Invalid(
            "qr_forged", "this QR code was not issued by the e-voucher platform; ask the patient to refresh it"
        )
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise Invalid("qr_forged", "this QR code is damaged; ask the patient to refresh it") from None
    if len(raw) != _ID_BYTES + 8:
        raise Invalid("qr_forged", "this QR code is damaged; ask the patient to refresh it")
    (expires_at,) = struct.unpack(">Q", raw[_ID_BYTES:])
    if now >= expires_at:
        raise Invalid("qr_expired", "this QR code has expired (codes last 60 seconds); ask the patient to refresh it")
    return raw[:_ID_BYTES].hex()


def _sign(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
