"""A mini-program or HIS developer builds an e-voucher client from the OpenAPI alone: every answer typed,
the phone session, operator, internal and gateway credentials as security schemes, the ec.query and
mobile-payment bodies and the HIS callback described, and real answers matching the document."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from evoucher.config import Settings
from evoucher.main import create_app
from medshared import jsonutil
from medshared.openapi import answer_schema, operations, untyped_routes
from tests.api.test_mobile_payment import national, order_data, upload_and_authorise
from tests.conftest import TASHI, activate, ec_query, show_code
from tests.doubles import EdgeState

DOOR = "/fsi/api/rsfComIfsService/callService"
EC_QUERY = "/fsi/api/hsecfc/localQrCodeQuery"
GATEWAY = {"GatewayPaasid": [], "GatewayTimestamp": [], "GatewayNonce": [], "GatewaySignature": []}


def conforms(document: dict[str, Any], schema: dict[str, Any], answer: Any) -> list[str]:
    validator = Draft202012Validator({**schema, "components": document["components"]})
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer)]


def answer_of(document: dict[str, Any], method: str, path: str, status: int, answer: Any) -> list[str]:
    return conforms(document, answer_schema(document, method, path, status), answer)


@pytest.fixture
def edge_url(edge_server: tuple[str, EdgeState]) -> str:
    return edge_server[0]


def test_every_route_is_typed_and_declares_its_security_and_errors(app_settings: Settings) -> None:
    assert untyped_routes(create_app(app_settings)) == []


def test_each_surface_names_its_credential(app_settings: Settings) -> None:
    document = create_app(app_settings).openapi()
    schemes = document["components"]["securitySchemes"]
    assert (schemes["PhoneSession"]["type"], schemes["PhoneSession"]["scheme"]) == ("http", "bearer")
    assert schemes["OperatorToken"]["name"] == "x-operator-token"
    assert schemes["InternalToken"]["name"] == "x-internal-token"
    for method, path, operation in operations(document):
        if path == "/mobile/v1/sessions":
            assert operation["security"] == [], "logging in needs no credential"
        elif path.startswith(("/mobile/v1/", "/dev/v1/")):
            assert operation["security"] == [{"PhoneSession": []}], (method, path)
            assert "401" in operation["responses"], (method, path)
        elif path.startswith("/admin/v1/"):
            assert operation["security"] == [{"OperatorToken": []}], (method, path)
        elif path.startswith("/internal/v1/"):
            assert operation["security"] == [{"InternalToken": []}], (method, path)
        elif path.startswith("/fsi/"):
            assert operation["security"] == [GATEWAY], (method, path)
            assert operation["x-refused-in-body"], (method, path)


def test_the_institution_doors_describe_their_bodies_and_the_callback(app_settings: Settings) -> None:
    document = create_app(app_settings).openapi()
    ec = document["paths"][EC_QUERY]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert ec["required"] == ["orgId", "transType", "data"]
    assert {"qrCode", "businessType", "operatorId", "operatorName"} <= set(ec["properties"]["data"]["required"])
    door = document["paths"][DOOR]["post"]
    envelope = door["requestBody"]["content"]["application/json"]["schema"]
    inputs = {option["title"]: option["properties"]["data"] for option in envelope["properties"]["input"]["anyOf"]}
    assert set(inputs) == {"6201 input", "6202 input", "6203 / 6301 input"}
    assert {"medOrgOrd", "medfeeSumamt", "callbackUrl", "feedetailList"} <= set(inputs["6201 input"]["required"])
    assert inputs["6202 input"]["required"] == ["payOrdId", "payToken", "payAuthNo"]
    [callback] = door["callbacks"]["his_callback"].values()
    body = callback["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/HisCallback"}
    assert {"callType", "orgCode", "ecCode", "payOrdId", "ordStas"} <= set(
        document["components"]["schemas"]["HisCallback"]["properties"]
    )


def test_phone_answers_a_decode_and_a_whole_payment_match_the_document(
    client: TestClient, edge: EdgeState, edge_url: str
) -> None:
    document = client.app.openapi()  # type: ignore[attr-defined]
    login = client.post("/mobile/v1/sessions", json={"code": "code-openapi"})
    assert answer_of(document, "POST", "/mobile/v1/sessions", 201, login.json()) == []
    headers = activate(client, TASHI, "openapi")
    for path in ("/mobile/v1/voucher", "/mobile/v1/family", "/mobile/v1/usage", "/mobile/v1/settlements"):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.text)
        assert answer_of(document, "GET", path, 200, answer.json()) == [], path
    code = client.post("/mobile/v1/qrcodes", json={}, headers=headers)
    assert answer_of(document, "POST", "/mobile/v1/qrcodes", 201, code.json()) == []
    decoded = ec_query(client, "H54010000001", show_code(client, headers))
    assert decoded["code"] == 0
    assert answer_of(document, "POST", EC_QUERY, 200, decoded) == []
    refused = ec_query(client, "H54010000001", "not-a-code")
    assert (refused["code"], answer_of(document, "POST", EC_QUERY, 200, refused)) == (-1, [])

    order = upload_and_authorise(client, edge_url, "ORD-OPENAPI")
    placed = national(client, "6202", order)
    queried = national(client, "6301", {"payOrdId": order["payOrdId"], "payToken": order["payToken"]})
    for answer in (placed, queried):
        assert answer["infcode"] == 0, answer["err_msg"]
        # As the HIS reads it off the wire: amounts are JSON numbers.
        assert answer_of(document, "POST", DOOR, 200, jsonutil.loads(jsonutil.dumps(answer))) == []
    assert queried["output"]["callbackStas"] == "delivered"
    callback = document["components"]["schemas"]["HisCallback"]
    assert conforms(document, callback, jsonutil.loads(edge.callbacks[-1][0])) == []
    upload = document["paths"][DOOR]["post"]["requestBody"]["content"]["application/json"]["schema"]
    sent = jsonutil.loads(jsonutil.dumps({"input": {"data": order_data(edge_url, "ORD-SENT")}}))
    assert conforms(document, upload["properties"]["input"], sent["input"]) == []
