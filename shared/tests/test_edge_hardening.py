"""The edge against a hostile caller: body limits per route, bounded metric labels, every refusal
logged and counted, and credentials in addresses masked in the logs."""

import io
import json
import logging

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient
from starlette.datastructures import Headers

from medshared import edge, logs
from medshared.db import make_engine, new_metadata
from medshared.limits import MAX_BODY_BYTES
from medshared.outbox import outbox_table
from medshared.runtime import build_runtime
from medshared.settings import ServiceSettings

metadata = new_metadata()
outbox = outbox_table(metadata)
NATIONAL = "/fsi/api/rsfComIfsService/callService"
OFFERED = {"1101", "2207", "2203A"}
IMPORTS = "/admin/v1/imports"
UPLOADER = "desk-token"


def make_app(database_url: str) -> FastAPI:
    engine = make_engine(database_url)
    metadata.create_all(engine)
    settings = ServiceSettings(database_url=database_url, relay_enabled=False)
    runtime = build_runtime(settings, service="toy", outbox=outbox, publishes=[], engine=engine)
    app = FastAPI()
    app.state.runtime = runtime
    edge.install(
        app,
        runtime,
        offered_infnos=OFFERED,
        upload_paths=[IMPORTS],
        may_upload=lambda scope: Headers(scope=scope).get("x-operator-token") == UPLOADER,
    )

    @app.post("/people")
    async def people(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.post(IMPORTS + "/people")
    async def import_people(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    @app.get("/people")
    def find(q: str = "") -> dict[str, str]:
        logging.getLogger("httpx").info(
            'HTTP Request: GET http://127.0.0.1:8009/sns/jscode2session?appid=wx&secret=s3cr3t&js_code=c0de "HTTP/1.1 200 OK"'
        )
        return {}

    @app.post(NATIONAL)
    def call(body: dict) -> dict:
        return {"infcode": 0, "output": {}}

    @app.post(NATIONAL + "/file")
    def download(body: dict) -> Response:  # a 9102 answers the file itself
        return Response(b"PK\x03\x04" + bytes(range(256)) * 2000, media_type="application/octet-stream")

    return app


@pytest.fixture
def client(tmp_path):
    with TestClient(make_app(f"sqlite:///{tmp_path}/toy.db")) as c:
        yield c


@pytest.fixture
def log_lines():
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    logs.configure("toy")
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)
    yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    root.handlers[:], level = saved
    root.setLevel(level)


def metric_lines(client, name: str) -> list[str]:
    return [line for line in client.get("/metrics").text.splitlines() if line.startswith(name + "{")]


OVER_LIMIT = b"a,b\n" * (MAX_BODY_BYTES // 4 + 1)


@pytest.mark.parametrize("content_type", ["text/csv", "multipart/form-data; boundary=x", "application/octet-stream"])
@pytest.mark.parametrize("path", ["/people", NATIONAL])
def test_a_body_over_one_mebibyte_is_refused_off_the_upload_route_whatever_its_content_type(client, path, content_type):
    answer = client.post(path, content=OVER_LIMIT, headers={"content-type": content_type, "x-operator-token": UPLOADER})
    if path == NATIONAL:
        assert answer.json()["infcode"] == -1 and str(MAX_BODY_BYTES) in answer.json()["err_msg"]
    else:
        assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"


def test_the_upload_route_takes_a_large_file_only_from_a_caller_allowed_to_upload(client):
    csv = {"content-type": "text/csv"}
    assert client.post(IMPORTS + "/people", content=OVER_LIMIT, headers=csv).status_code == 413
    allowed = client.post(IMPORTS + "/people", content=OVER_LIMIT, headers={**csv, "x-operator-token": UPLOADER})
    assert allowed.status_code == 200 and allowed.json() == {"received": len(OVER_LIMIT)}


def test_an_infno_the_door_does_not_offer_is_counted_as_unknown_and_adds_no_label_series(client):
    for infno in ("2207", "2203A", "9999", "0000", "1234", "2207 "):
        client.post(NATIONAL, json={"infno": infno})
    labels = {line.split('infno="')[1].split('"')[0] for line in metric_lines(client, "national_calls_total")}
    assert labels == {"2207", "2203A", "unknown"}
    assert 'national_calls_total{infno="unknown",result="ok"} 4.0' in metric_lines(client, "national_calls_total")
    durations = {
        line.split('infno="')[1].split('"')[0] for line in metric_lines(client, "national_call_duration_seconds_count")
    }
    assert durations == {"2207", "2203A", "unknown"}


def test_a_file_answer_counts_as_answered_and_a_large_upload_keeps_its_infno_label(client):
    assert client.post(NATIONAL + "/file", json={"infno": "2207"}).headers["content-type"] == "application/octet-stream"
    client.post(NATIONAL, json={"infno": "2203A", "input": {"fsUploadIn": {"in": "QUJD" * 100_000}}})
    counted = metric_lines(client, "national_calls_total")
    assert 'national_calls_total{infno="2207",result="ok"} 1.0' in counted
    assert 'national_calls_total{infno="2203A",result="ok"} 1.0' in counted


def test_a_hundred_thousand_deep_body_gets_its_refusal_an_access_log_line_and_a_metric(log_lines, client):
    deep = b'{"infno": "1101", "input": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = client.post(NATIONAL, content=deep, headers={"content-type": "application/json", "x-request-id": "deep-1"})
    assert answer.json()["infcode"] == -1 and "nested" in answer.json()["err_msg"]
    access = [line for line in log_lines() if line["logger"] == "access" and line.get("request_id") == "deep-1"]
    assert len(access) == 1 and access[0]["status"] == 200 and access[0]["result"] == "refused"
    assert 'national_calls_total{infno="unknown",result="refused"} 1.0' in metric_lines(client, "national_calls_total")


def test_a_token_sent_in_the_query_string_is_masked_in_the_access_log(log_lines, client):
    query = "ecToken=ec-1234567890&access_token=at-42&x-tif-signature=abcdef&password=hunter2&client_secret=cs&page=2"
    client.get(f"/people?{query}", headers={"x-request-id": "tok-1"})
    lines = [line for line in log_lines() if line.get("request_id") == "tok-1"]
    access = next(line for line in lines if line["logger"] == "access")
    assert access["query"] == {
        "ecToken": "***",
        "access_token": "***",
        "x-tif-signature": "***",
        "password": "***",
        "client_secret": "***",
        "page": "2",
    }
    text = json.dumps(lines)
    for secret in ("ec-1234567890", "at-42", "abcdef", "hunter2", "s3cr3t", "c0de"):
        assert secret not in text
    outgoing = next(line for line in lines if line["logger"] == "httpx")
    assert "appid=wx&secret=***&js_code=***" in outgoing["msg"]


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("GET /a?token=t1&b=2", "GET /a?token=***&b=2"),
        ("http://h/x?ECTOKEN=e&signature=s", "http://h/x?ECTOKEN=***&signature=***"),
        ("http://h/x?psw=1&passwd=p&apiKey=k", "http://h/x?psw=1&passwd=***&apiKey=***"),
        ("no query token=plain words", "no query token=plain words"),
        ("http://h/x?token=", "http://h/x?token="),
    ],
)
def test_credentials_in_any_logged_address_are_masked_and_other_parameters_kept(text, masked):
    assert logs.mask_text(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("certno=540102198005010110", "certno=540102********0110"),
        ("身份证54010219750312022X。", "身份证540102********022X。"),
        ("voucher_id=f623ff6bad465656977019752657f1db", "voucher_id=f623ff6bad465656977019752657f1db"),
        ("msgid H54010000001202612021012000001", "msgid H54010000001202612021012000001"),
    ],
)
def test_an_id_number_is_masked_where_it_stands_alone_and_hex_ids_keep_their_digits(text, masked):
    assert logs.mask_text(text) == masked
