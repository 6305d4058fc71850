"""The signature on callbacks to the HIS (the phone's token for other front doors is medshared.mobiletoken)."""

from __future__ import annotations

import hashlib
import hmac


def callback_signature(key: str, body: bytes) -> str:
    """Hex HMAC-SHA256 over the exact callback body, keyed with the institution's gateway token."""
    return hmac.new(key.encode(), body, hashlib.sha256).hexdigest()
