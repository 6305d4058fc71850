"""An integrator builds a settlement client from the OpenAPI alone: every answer typed, the national door's
envelope in and out, the x-tif headers and the operator token as security schemes, and real answers
matching what the document declares."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from support import AUDIT, CLEARING, POLICY, His

from medshared import jsonutil
from medshared.openapi import answer_schema, operations, untyped_routes
from medshared.security import Role
from settlement.config import Settings
from settlement.main import create_app

DOOR = "/fsi/api/rsfComIfsService/callService"
GATEWAY = {"GatewayPaasid": [], "GatewayTimestamp": [], "GatewayNonce": [], "GatewaySignature": []}


def app() -> Any:
    return create_app(Settings(database_url="sqlite://", kafka_bootstrap_servers="", environment="test"))


def conforms(document: dict[str, Any], method: str, path: str, status: int, answer: Any, media: str = "") -> list[str]:
    validator = Draft202012Validator(answer_schema(document, method, path, status, media))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer)]


def test_every_route_is_typed_and_declares_its_security_and_errors() -> None:
    assert untyped_routes(app()) == []


def test_the_door_declares_the_envelope_in_and_out_and_the_four_gateway_headers() -> None:
    document = app().openapi()
    schemes = document["components"]["securitySchemes"]
    assert {name: schemes[name]["name"] for name in GATEWAY} == {
        "GatewayPaasid": "x-tif-paasid",
        "GatewayTimestamp": "x-tif-timestamp",
        "GatewayNonce": "x-tif-nonce",
        "GatewaySignature": "x-tif-signature",
    }
    door = document["paths"][DOOR]["post"]
    assert door["security"] == [GATEWAY]
    body = door["requestBody"]["content"]
    envelope = body["application/json"]["schema"]
    assert {"infno", "msgid", "mdtrtarea_admvs", "fixmedins_code", "inf_time"} <= set(envelope["required"])
    assert "input" in envelope["properties"]
    assert set(body["multipart/form-data"]["schema"]["properties"]) == {"jsonStr", "file"}
    answers = door["responses"]
    assert answers["200"]["content"]["application/octet-stream"]["schema"] == {"type": "string", "format": "binary"}
    for status in ("200", "401", "403", "429"):
        assert answers[status]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/NationalAnswer"
        }
    # Institutions' own supervision routes are signed the same way.
    for method, path, operation in operations(document):
        if path.startswith("/institution/v1/"):
            assert operation["security"] == [GATEWAY], (method, path)
        if path.startswith("/admin/v1/"):
            assert operation["security"] == [{"OperatorToken": []}], (method, path)
            assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_a_national_answer_and_a_refused_signature_match_the_envelope_schema(lhasa: His) -> None:
    document = lhasa.client.app.openapi()  # type: ignore[attr-defined]
    signed_in = lhasa.client.post(DOOR, content=jsonutil.dumps(lhasa.envelope("1101", {"data": {}})))
    assert signed_in.status_code == 401
    assert signed_in.json()["infcode"] == -1
    assert conforms(document, "POST", DOOR, 401, signed_in.json()) == []
    answer = lhasa.call("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}})
    assert answer["infcode"] == 0
    assert conforms(document, "POST", DOOR, 200, jsonutil.loads(jsonutil.dumps(answer))) == []


def test_every_operator_read_answers_what_its_schema_declares(client: TestClient) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    month = f"{dt.date.today():%Y-%m}"
    reads = [
        ("/admin/v1/catalogues", POLICY, {}),
        ("/admin/v1/policies", POLICY, {}),
        ("/admin/v1/national-catalogues", POLICY, {}),
        ("/admin/v1/national-catalogues/releases", POLICY, {}),
        ("/admin/v1/dictionaries", POLICY, {}),
        ("/admin/v1/setllist-qc-rules", POLICY, {}),
        ("/admin/v1/statements", CLEARING, {}),
        ("/admin/v1/statements/preview", CLEARING, {"fixmedins_code": "H54010000001", "month": month}),
        ("/admin/v1/audit", AUDIT, {}),
    ]
    for path, token, params in reads:
        answer = client.get(path, headers=token, params=params)
        assert answer.status_code == 200, (path, answer.text)
        assert conforms(document, "GET", path, 200, answer.json()) == [], path
    policies = client.get("/admin/v1/policies", headers=POLICY).json()
    assert policies and all(p["kind"] in ("region", "assistance") for p in policies)
    # One version of each kind read back, validated against the rules' own schemas.
    [qc] = client.get("/admin/v1/setllist-qc-rules", headers=POLICY).json()[-1:]
    rules = client.get(f"/admin/v1/setllist-qc-rules/{qc['version']}", headers=POLICY)
    assert conforms(document, "GET", "/admin/v1/setllist-qc-rules/{version}", 200, rules.json()) == []
    assert len(rules.json()["rules"]) == qc["rules"]
    [dictionary] = client.get("/admin/v1/dictionaries", headers=POLICY).json()[-1:]
    read = client.get(f"/admin/v1/dictionaries/{dictionary['version']}", headers=POLICY)
    assert conforms(document, "GET", "/admin/v1/dictionaries/{version}", 200, read.json()) == []
    # A refusal is problem details, as declared.
    denied = client.get("/admin/v1/statements", headers=POLICY)
    assert denied.status_code == 403
    assert denied.headers["content-type"] == "application/problem+json"
    assert conforms(document, "GET", "/admin/v1/statements", 403, denied.json(), "application/problem+json") == []
    assert Role.CLEARING in denied.json()["detail"]
