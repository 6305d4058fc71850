"""Operations at the edge: readiness, request ids, trace context over HTTP and Kafka, metrics, masked logs."""

import io
import json
import logging
import time
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from medshared import broker, edge, logs, tracing
from medshared.db import make_engine, new_metadata
from medshared.events import Event
from medshared.inbox import InboxConsumer
from medshared.outbox import OutboxRelay, inbox_table, outbox_table, stage
from medshared.runtime import build_runtime
from medshared.settings import ServiceSettings

metadata = new_metadata()
outbox = outbox_table(metadata)
inbox = inbox_table(metadata)

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_TRACEPARENT = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"


@pytest.mark.parametrize(
    ("header", "continued"),
    [
        (CALLER_TRACEPARENT, True),
        (f"  {CALLER_TRACEPARENT} ", True),
        (f"ff-{CALLER_TRACE}-00f067aa0ba902b7-01", False),  # version ff is forbidden
        ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", False),
        (f"00-{CALLER_TRACE}-0000000000000000-01", False),
        (f"00-{CALLER_TRACE.upper()}-00f067aa0ba902b7-01", False),  # W3C ids are lowercase hex
        ("not a traceparent", False),
        (None, False),
    ],
)
def test_a_valid_w3c_traceparent_is_continued_and_anything_else_starts_a_new_trace(header, continued):
    with tracing.continue_trace(header) as span:
        assert (span.trace_id == CALLER_TRACE) is continued
        assert span.span_id != "00f067aa0ba902b7"
        assert tracing.propagation_headers()["traceparent"] == span.traceparent
    assert tracing.current_trace() is None


def test_outside_any_request_nothing_is_propagated():
    assert tracing.propagation_headers() == {}
    assert tracing.outbox_headers() is None


def make_app(database_url: str, bootstrap: str = "") -> FastAPI:
    engine = make_engine(database_url)
    metadata.create_all(engine)
    settings = ServiceSettings(database_url=database_url, kafka_bootstrap_servers=bootstrap, relay_enabled=False)
    runtime = build_runtime(settings, service="toy", outbox=outbox, publishes=["toy.events.v1"], engine=engine)
    app = FastAPI()
    app.state.runtime = runtime
    edge.install(app, runtime, offered_infnos={"2207", "2201"})

    @app.get("/people")
    def people(certno: str = "") -> dict[str, str]:
        logging.getLogger("toy").warning("looked up %s", certno)
        return {"certno": certno}

    @app.post("/events")
    def stage_one() -> dict[str, str]:
        with runtime.unit_of_work() as session:
            stage(session, outbox, "toy.events.v1", Event("PersonRegistered", "P1", {}, "toy"))
        return {}

    @app.post("/fsi/api/rsfComIfsService/callService")
    def call(body: dict) -> dict:
        return {"infcode": 0 if body.get("infno") == "2207" else -1, "output": {}}

    return app


@pytest.fixture
def client(tmp_path):
    with TestClient(make_app(f"sqlite:///{tmp_path}/toy.db")) as c:
        yield c


@pytest.fixture
def log_lines():
    """The services' real JSON log configuration, read back line by line."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.configure("toy")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)

    def read() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield read
    root.handlers[:], level = saved
    root.setLevel(level)


def test_readiness_answers_ready_when_the_database_answers_and_no_broker_is_configured(client):
    answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready", "service": "toy", "database": "ok", "broker": "not configured"}


def test_readiness_is_a_503_problem_naming_the_broker_when_the_broker_is_unreachable(tmp_path):
    silent = f"127.0.0.1:{broker.free_port()}"
    with TestClient(make_app(f"sqlite:///{tmp_path}/toy.db", bootstrap=silent)) as c:
        answer = c.get("/readyz")
        assert c.get("/healthz").status_code == 200
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "broker_unreachable"
    assert silent in answer.json()["detail"]


def test_readiness_is_a_503_problem_when_the_database_is_unreachable(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/toy.db")
    (tmp_path / "toy.db").unlink()
    (tmp_path / "toy.db").mkdir()  # a directory where the database file was: no connection opens
    app.state.runtime.engine.dispose()
    with TestClient(app) as c:
        answer = c.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["code"] == "database_unreachable"


def test_a_request_id_sent_by_the_caller_is_echoed_and_one_is_made_up_when_missing_or_malformed(client):
    assert client.get("/healthz", headers={"x-request-id": "his-42.a"}).headers["x-request-id"] == "his-42.a"
    made_up = client.get("/healthz").headers["x-request-id"]
    assert len(made_up) == 32
    forged = client.get("/healthz", headers={"x-request-id": 'x" level=ERROR'}).headers["x-request-id"]
    assert forged != 'x" level=ERROR' and len(forged) == 32


def test_the_response_continues_the_callers_trace_with_a_span_of_its_own(client):
    answer = client.get("/healthz", headers={"traceparent": CALLER_TRACEPARENT})
    version, trace_id, span_id, flags = answer.headers["traceparent"].split("-")
    assert (version, trace_id, flags) == ("00", CALLER_TRACE, "01")
    assert span_id != "00f067aa0ba902b7"


def test_every_log_line_of_a_request_carries_its_request_id_and_trace(log_lines, client):
    client.get(
        "/people",
        params={"certno": "540102198005010110"},
        headers={"x-request-id": "req-1", "traceparent": CALLER_TRACEPARENT},
    )
    lines = [line for line in log_lines() if line.get("request_id") == "req-1"]
    assert {line["logger"] for line in lines} == {"toy", "access"}
    assert {line["trace_id"] for line in lines} == {CALLER_TRACE}


def test_id_numbers_and_names_from_a_real_request_are_masked_in_the_logs(log_lines, client):
    client.get(
        "/people", params={"certno": "540102198005010110", "psn_name": "扎西顿珠"}, headers={"x-request-id": "req-2"}
    )
    lines = [line for line in log_lines() if line.get("request_id") == "req-2"]
    text = json.dumps(lines, ensure_ascii=False)
    access = next(line for line in lines if line["logger"] == "access")
    assert access["query"] == {"certno": "540102********0110", "psn_name": "扎***"}
    assert access["status"] == 200 and access["path"] == "/people"
    assert "540102198005010110" not in text and "扎西顿珠" not in text
    assert "540102********0110" in next(line["msg"] for line in lines if line["logger"] == "toy")


def metric(client, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(f"{name}{{{wanted}}} ") or (not labels and line.startswith(f"{name} ")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_national_calls_by_infno_and_result_and_time_them(client):
    for infno in ("2207", "2207", "2201"):
        client.post("/fsi/api/rsfComIfsService/callService", json={"infno": infno})
    client.post("/fsi/api/rsfComIfsService/callService", json={"infno": "<script>"})
    assert metric(client, "national_calls_total", infno="2207", result="ok") == 2
    assert metric(client, "national_calls_total", infno="2201", result="refused") == 1
    assert metric(client, "national_calls_total", infno="unknown", result="refused") == 1
    assert metric(client, "national_call_duration_seconds_count", infno="2207") == 2


def test_metrics_time_http_requests_per_route_template_not_per_url(client):
    client.get("/people?certno=1")
    client.get("/people?certno=2")
    client.get("/nowhere/540102198005010110")
    text = client.get("/metrics").text
    assert 'http_request_duration_seconds_count{method="GET",route="/people",status="200"} 2.0' in text
    assert 'route="unmatched",status="404"' in text
    assert "540102198005010110" not in text


def test_the_outbox_backlog_counts_events_not_yet_published(client):
    assert metric(client, "outbox_backlog") == 0
    client.post("/events")
    client.post("/events")
    assert metric(client, "outbox_backlog") == 2


def test_an_event_staged_by_a_request_remembers_that_requests_trace(client):
    answer = client.post("/events", headers={"x-request-id": "req-3", "traceparent": CALLER_TRACEPARENT})
    with client.app.state.runtime.factory() as session:
        stored = json.loads(session.execute(select(outbox.c.headers)).scalar_one())
    assert stored == {"traceparent": answer.headers["traceparent"], "x-request-id": "req-3"}


def test_a_consumer_continues_the_trace_of_the_request_that_staged_the_event(database_url, kafka_bootstrap):
    topic = f"test.{uuid.uuid4().hex[:8]}.v1"
    app = make_app(database_url, bootstrap=kafka_bootstrap)
    runtime = app.state.runtime
    seen: list[tuple[str | None, str | None]] = []

    def handle(session, event):
        span = tracing.current_trace()
        seen.append((span.trace_id if span else None, tracing.current_request_id()))

    with tracing.continue_trace(CALLER_TRACEPARENT, "req-4"), runtime.unit_of_work() as session:
        stage(session, outbox, topic, Event("PersonRegistered", "P1", {}, "toy"))
    assert OutboxRelay(runtime.factory, outbox, kafka_bootstrap, [topic]).publish_pending() == 1
    consumer = InboxConsumer(runtime.factory, inbox, kafka_bootstrap, [topic], "g-" + topic, handle)
    runtime.consumers.append(consumer)
    consumer.start()
    deadline = time.monotonic() + 20
    while not (seen and consumer.lag.get(topic) == 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    consumer.stop()
    assert seen == [(CALLER_TRACE, "req-4")]
    with TestClient(app) as c:
        assert metric(c, "events_applied_total", topic=topic) == 1
        assert metric(c, "consumer_lag", topic=topic) == 0
        assert metric(c, "outbox_backlog") == 0


def test_calls_to_other_services_carry_the_trace_and_request_id_of_the_request_that_makes_them():
    import httpx

    sent: list[httpx.Headers] = []
    transport = httpx.MockTransport(lambda request: sent.append(request.headers) or httpx.Response(200))
    with httpx.Client(transport=transport, event_hooks=tracing.HTTPX_EVENT_HOOKS) as http:
        http.get("http://e-voucher/internal")
        with tracing.continue_trace(CALLER_TRACEPARENT, "req-5") as span:
            http.get("http://e-voucher/internal")
    assert "traceparent" not in sent[0]
    assert sent[1]["traceparent"] == span.traceparent and span.trace_id == CALLER_TRACE
    assert sent[1]["x-request-id"] == "req-5"
