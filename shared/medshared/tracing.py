"""Trace context: the W3C traceparent and the request id a request or an event carries.

One request, and every event it causes, shares a trace: HTTP calls forward the headers
(`HTTPX_EVENT_HOOKS`), staged events store them (`outbox_headers`) and the relay sends them as
Kafka headers, where the consumer continues the trace. Logging adds the ids to every record.
Kept apart from observability (metrics, the edge middleware) so the outbox can use it without
an import cycle.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

REQUEST_ID_HEADER = "x-request-id"
TRACEPARENT_HEADER = "traceparent"
_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


@dataclass(frozen=True)
class TraceContext:
    trace_id: str
    span_id: str
    sampled: bool = True

    @property
    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"

    def child(self) -> TraceContext:
        return TraceContext(self.trace_id, secrets.token_hex(8), self.sampled)


def parse_traceparent(value: str | None) -> TraceContext | None:
    """The caller's span, or None when the header is absent or not valid W3C (then a new trace starts)."""
    match = _TRACEPARENT.match((value or "").strip())
    if not match:
        return None
    version, trace_id, span_id, flags = match.groups()
    if version == "ff" or trace_id == "0" * 32 or span_id == "0" * 16:
        return None
    return TraceContext(trace_id, span_id, bool(int(flags, 16) & 1))


def new_trace() -> TraceContext:
    return TraceContext(secrets.token_hex(16), secrets.token_hex(8))


_trace: ContextVar[TraceContext | None] = ContextVar("trace", default=None)
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_trace() -> TraceContext | None:
    return _trace.get()


def current_request_id() -> str | None:
    return _request_id.get()


@contextmanager
def continue_trace(traceparent: str | None, request_id: str | None = None) -> Iterator[TraceContext]:
    """Run the block as a new span under `traceparent` (or as the root of a new trace)."""
    parent = parse_traceparent(traceparent)
    span = parent.child() if parent else new_trace()
    trace_token = _trace.set(span)
    request_token = _request_id.set(request_id)
    try:
        yield span
    finally:
        _request_id.reset(request_token)
        _trace.reset(trace_token)


def propagation_headers() -> dict[str, str]:
    """What an outgoing call or a staged event carries so the next service continues this trace."""
    headers: dict[str, str] = {}
    span = _trace.get()
    if span is not None:
        headers[TRACEPARENT_HEADER] = span.traceparent
    request_id = _request_id.get()
    if request_id:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


def inject_headers(request: Any) -> None:
    """httpx request hook: `httpx.Client(event_hooks=HTTPX_EVENT_HOOKS)`."""
    for name, value in propagation_headers().items():
        request.headers.setdefault(name, value)


HTTPX_EVENT_HOOKS: dict[str, list[Any]] = {"request": [inject_headers]}


class LogContextFilter(logging.Filter):
    """Adds the request id and trace ids to every record logged while a request or event is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        context: dict[str, object] = {}
        request_id = _request_id.get()
        if request_id:
            context["request_id"] = request_id
        span = _trace.get()
        if span is not None:
            context["trace_id"] = span.trace_id
            context["span_id"] = span.span_id
        if context:
            record.fields = {**context, **getattr(record, "fields", {})}
        return True


def install_log_context() -> None:
    """Put the filter on the root handlers (logs.configure runs first); idempotent."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, LogContextFilter) for f in handler.filters):
            handler.addFilter(LogContextFilter())


def outbox_headers() -> str | None:
    """The headers an event staged now travels with (JSON), or None outside any request or event."""
    headers = propagation_headers()
    return json.dumps(headers) if headers else None


def kafka_headers(stored: str | None) -> list[tuple[str, bytes]]:
    if not stored:
        return []
    return [(name, str(value).encode()) for name, value in json.loads(stored).items()]


def header_value(headers: list[tuple[str, bytes]] | None, name: str) -> str | None:
    for key, value in headers or []:
        if key == name and value is not None:
            return value.decode(errors="replace")
    return None
