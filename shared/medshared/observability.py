"""Request ids, W3C trace context and Prometheus metrics for every service.

Trace context is a small W3C `traceparent` implementation rather than the OpenTelemetry
SDK: the platform only needs the ids to travel (HTTP in, httpx out, Kafka headers through
the outbox) and to appear in every log line; no spans are exported, so an SDK, its
exporters and per-library instrumentations would add weight and no function. Any
OpenTelemetry collector in front of or behind the services reads the same header.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable, Container, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medshared.logs import MASK, is_secret_key, mask_name, mask_text
from medshared.openapi import PUBLIC, text_response
from medshared.tracing import (
    REQUEST_ID_HEADER,
    TRACEPARENT_HEADER,
    _request_id,
    _trace,
    install_log_context,
    new_trace,
    parse_traceparent,
)

if TYPE_CHECKING:
    from medshared.runtime import Runtime

log = logging.getLogger("access")

# National calls carry their infno in the body; every HIS-facing endpoint lives under this prefix.
NATIONAL_PREFIX = "/fsi/api/"
_NATIONAL_BODY_LIMIT = 256 * 1024

# A caller's request id is echoed into logs, so only a plain token is trusted.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
UNKNOWN_INFNO = "unknown"
# The transactions a service's national door answers: a set, or a callable read on each call (so a
# door that learns a transaction later is labelled from then on). None labels every call "unknown".
OfferedInfnos = Container[str] | Callable[[], Container[str]] | None


class RuntimeCollector(Collector):
    """Read at scrape time: the outbox backlog and what the consumers have applied and still lag."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    def collect(self) -> Iterator[Any]:
        runtime = self._runtime
        if runtime.outbox is not None:
            backlog = GaugeMetricFamily("outbox_backlog", "Outbox rows committed but not yet published")
            try:
                with runtime.engine.connect() as conn:
                    query = (
                        select(func.count()).select_from(runtime.outbox).where(runtime.outbox.c.published_at.is_(None))
                    )
                    backlog.add_metric([], conn.execute(query).scalar_one())
                yield backlog
            except Exception as exc:
                log.warning("metrics: outbox backlog unavailable: %s", exc.__class__.__name__)
        applied = CounterMetricFamily("events_applied", "Events applied by this service's consumers", labels=["topic"])
        lag = GaugeMetricFamily("consumer_lag", "Messages on the broker not yet applied, per topic", labels=["topic"])
        for consumer in runtime.consumers:
            for topic, count in sorted(consumer.applied_by_topic.items()):
                applied.add_metric([topic], count)
            for topic, behind in sorted(consumer.lag.items()):
                lag.add_metric([topic], behind)
        yield applied
        yield lag


class Metrics:
    """One registry per app, so several apps in one test process never clash."""

    def __init__(self, runtime: Runtime) -> None:
        self.registry = CollectorRegistry()
        self.http = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency per route",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.national = Histogram(
            "national_call_duration_seconds",
            "National interface latency per infno",
            ["infno"],
            registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
        )
        self.national_calls = Counter(
            "national_calls",
            "National interface calls by infno and result (ok: infcode 0, refused: infcode -1, error: no envelope)",
            ["infno", "result"],
            registry=self.registry,
        )
        self.registry.register(RuntimeCollector(runtime))

    def render(self) -> bytes:
        return generate_latest(self.registry)


_FILE_ANSWER = b'{"infcode": 0}'  # what a file answer (9102) counts as
# The infno of a body kept only in part (a large 9101 upload): the envelope's first field that names it.
_INFNO_FIELD = re.compile(rb'"infno"\s*:\s*"?([0-9A-Za-z]{1,8})"?')


def _infno(body: bytes, offered: OfferedInfnos) -> str:
    """The call's infno when the door offers it, else "unknown": the caller never mints a label series."""
    if offered is None:
        return UNKNOWN_INFNO
    try:
        value = json.loads(body).get("infno")
    except (ValueError, AttributeError, RecursionError):
        found = _INFNO_FIELD.search(body) if len(body) >= _NATIONAL_BODY_LIMIT else None
        if found is None:
            return UNKNOWN_INFNO
        value = found.group(1).decode()
    known = offered() if callable(offered) else offered
    return value if isinstance(value, str) and value in known else UNKNOWN_INFNO


def _national_result(status: int, body: bytes) -> str:
    try:
        infcode = json.loads(body).get("infcode")
    except (ValueError, AttributeError, RecursionError):
        return "error"
    if status >= 400 or infcode is None:
        return "error"
    return "ok" if str(infcode) == "0" else "refused"


def _masked_query(query_string: bytes) -> dict[str, str]:
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return {key: _masked_parameter(key, value) for key, value in pairs}


def _masked_parameter(key: str, value: str) -> str:
    if is_secret_key(key):
        return MASK if value else value
    return mask_name(value) if key.lower().endswith("name") else mask_text(value)


class EdgeMiddleware:
    """Request id and trace context for the whole request, one access log line, HTTP and national metrics."""

    def __init__(self, app: ASGIApp, metrics: Metrics, offered_infnos: OfferedInfnos = None) -> None:
        self.app = app
        self.metrics = metrics
        self.offered_infnos = offered_infnos

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        offered = headers.get(REQUEST_ID_HEADER, "")
        request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        national = scope["method"] == "POST" and scope["path"].startswith(NATIONAL_PREFIX)
        request_body = bytearray()
        response_body = bytearray()
        status = 500
        file_answer = False  # a 9102 answers the file itself, not the envelope

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) < _NATIONAL_BODY_LIMIT:
                request_body.extend(message.get("body", b""))
            return message

        parent = parse_traceparent(headers.get(TRACEPARENT_HEADER))
        span = parent.child() if parent else new_trace()
        trace_token = _trace.set(span)
        request_token = _request_id.set(request_id)

        async def send_with_ids(message: Message) -> None:
            nonlocal status, file_answer
            if message["type"] == "http.response.start":
                status = message["status"]
                raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                file_answer = (b"content-type", b"application/octet-stream") in raw
                raw.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                raw.append((TRACEPARENT_HEADER.encode(), span.traceparent.encode()))
                message = {**message, "headers": raw}
            elif (
                national
                and not file_answer
                and message["type"] == "http.response.body"
                and len(response_body) < _NATIONAL_BODY_LIMIT
            ):
                response_body.extend(message.get("body", b""))
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive_and_keep if national else receive, send_with_ids)
        finally:
            seconds = time.perf_counter() - started
            try:
                answer = _FILE_ANSWER if file_answer else bytes(response_body)
                self._record(scope, status, seconds, national, bytes(request_body), answer)
            except Exception as exc:
                log.warning("access log for %s %s failed: %s", scope["method"], scope["path"], exc.__class__.__name__)
        # Reset only on success: an unhandled error is logged by the outermost handler, after this
        # middleware, and that line needs the ids too. Each request runs in its own task's context.
        _request_id.reset(request_token)
        _trace.reset(trace_token)

    def _record(
        self, scope: Scope, status: int, seconds: float, national: bool, request: bytes, response: bytes
    ) -> None:
        route = getattr(scope.get("route"), "path", None) or "unmatched"
        self.metrics.http.labels(scope["method"], route, str(status)).observe(seconds)
        fields: dict[str, object] = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round(seconds * 1000, 1),
        }
        if scope.get("query_string"):
            fields["query"] = _masked_query(scope["query_string"])
        if national:
            infno = _infno(request, self.offered_infnos)
            result = _national_result(status, response)
            self.metrics.national.labels(infno).observe(seconds)
            self.metrics.national_calls.labels(infno, result).inc()
            fields.update(infno=infno, result=result)
        log.info("%s %s %s", scope["method"], scope["path"], status, extra={"fields": fields})


def install(app: FastAPI, runtime: Runtime, *, offered_infnos: OfferedInfnos = None) -> None:
    """Middleware for ids, traces and metrics; `GET /metrics` in the Prometheus text format.

    `offered_infnos`: the transactions the service's national door answers; only those become
    infno labels, every other infno is counted as "unknown".
    """
    metrics = Metrics(runtime)
    app.state.metrics = metrics
    app.add_middleware(EdgeMiddleware, metrics=metrics, offered_infnos=offered_infnos)
    install_log_context()

    @app.get(
        "/metrics",
        tags=["operations"],
        response_class=Response,
        openapi_extra=PUBLIC,
        responses={200: text_response(CONTENT_TYPE_LATEST, "the Prometheus text exposition format")},
    )
    def prometheus_metrics() -> Response:
        """Prometheus metrics: HTTP and national latency, settlements, outbox backlog, consumer lag."""
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
