"""Bearer tokens handed to other front doors, and the signature on callbacks to the HIS."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json


def remote_care_token(secret: str, openid: str, psn_no: str, exp: int) -> str:
    """base64url(json {openid, psn_no, exp}) + '.' + hex hmac_sha256(secret, first part)."""
    claims = json.dumps({"openid": openid, "psn_no": psn_no, "exp": exp}, separators=(",", ":"), sort_keys=True)
    first = base64.urlsafe_b64encode(claims.encode()).decode().rstrip("=")
    return f"{first}.{hmac.new(secret.encode(), first.encode(), hashlib.sha256).hexdigest()}"


def callback_signature(key: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over the exact callback body, keyed with the institution's gateway token."""
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
