"""The one httpx client settlement calls other services with: explicit timeouts, trace headers."""

from __future__ import annotations

import httpx

from medshared import tracing


def make_http(timeout_seconds: float, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 2.0)),
        transport=transport,
        event_hooks=tracing.HTTPX_EVENT_HOOKS,
    )
