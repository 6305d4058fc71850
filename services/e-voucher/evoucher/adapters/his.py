"""Callbacks to a hospital's HIS after a mobile-payment order reaches a final state."""

from __future__ import annotations

from typing import Any

import httpx

from evoucher.domain.tokens import callback_signature
from medshared import jsonutil

SIGNATURE_HEADER = "x-evoucher-signature"


class HisNotifier:
    def __init__(self, timeout: float) -> None:
        # No redirects: a 3xx from a registered origin must not lead the platform anywhere else.
        self._http = httpx.Client(timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)), follow_redirects=False)

    def notify(self, url: str, body: dict[str, Any], key: str) -> bool:
        """True when the HIS acknowledged with a 2xx; the caller retries otherwise."""
        raw = jsonutil.dumps(body).encode()
        try:
            response = self._http.post(
                url,
                content=raw,
                headers={"content-type": "application/json", SIGNATURE_HEADER: callback_signature(key, raw)},
            )
        except httpx.HTTPError:
            return False
        return response.is_success

    def close(self) -> None:
        self._http.close()
