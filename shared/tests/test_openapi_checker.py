"""medshared.openapi: the check names each undocumented answer, body, security and error answer,
and the declared schemes document the credentials without refusing anyone."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from medshared import openapi, problems
from medshared.openapi import OPERATOR, PARTNER, PUBLIC, problem_responses, untyped_routes


class Voucher(BaseModel):
    voucher_id: str
    status: str


class Order(BaseModel):
    pay_ord_id: str
    amount: str


class Loose(BaseModel):
    lines: list[dict[str, Any]]


class Documented(BaseModel):
    output: dict[str, Any] = Field(description="the transaction's output node, one shape per infno")


class Line(BaseModel):
    amount: str


class Upload(BaseModel):
    lines: list[Line]


def _operator(x_operator_token: Annotated[str | None, Header()] = None) -> str | None:
    return x_operator_token


def tiny_app() -> FastAPI:
    app = FastAPI()
    problems.install(app)
    openapi.install(app)

    @app.get("/vouchers/{voucher_id}", dependencies=OPERATOR, responses=problem_responses(401, 403, 404))
    def typed(voucher_id: str) -> Voucher:
        return Voucher(voucher_id=voucher_id, status="active")

    @app.get("/loose", dependencies=OPERATOR, responses=problem_responses(401))
    def untyped() -> dict[str, Any]:
        return {"anything": 1}

    return app


def test_a_typed_route_passes_and_an_untyped_object_is_named() -> None:
    assert untyped_routes(tiny_app()) == ["GET /loose: 200 answer (application/json) is an untyped object"]


def test_an_empty_schema_a_list_of_untyped_items_and_an_untyped_body_are_named() -> None:
    app = FastAPI()
    openapi.install(app)

    @app.post("/raw", openapi_extra={**PUBLIC, "requestBody": {"content": {"application/json": {"schema": {}}}}})
    def raw() -> Any:
        return None

    @app.get("/rows", openapi_extra=PUBLIC)
    def rows() -> list[dict[str, Any]]:
        return []

    @app.post("/orders", openapi_extra=PUBLIC)
    def orders(body: dict[str, Any]) -> Order:
        return Order(pay_ord_id="1", amount="1.00")

    assert untyped_routes(app) == [
        "POST /raw: 200 answer (application/json) is untyped (an empty schema)",
        "POST /raw: request body (application/json) is untyped (an empty schema)",
        "GET /rows: 200 answer (application/json) is an untyped object at []",
        "POST /orders: request body (application/json) is an untyped object",
    ]


def test_an_undescribed_nested_free_form_field_is_named_and_a_described_one_is_not() -> None:
    app = FastAPI()

    @app.get("/loose", openapi_extra=PUBLIC)
    def loose() -> Loose:
        return Loose(lines=[])

    @app.get("/documented", openapi_extra=PUBLIC)
    def documented() -> Documented:
        return Documented(output={})

    assert untyped_routes(app) == ["GET /loose: 200 answer (application/json) is an untyped object at lines[]"]


def test_security_missing_undeclared_or_without_401_is_named() -> None:
    app = FastAPI()

    @app.get("/nothing-said")
    def nothing_said() -> Voucher:
        return Voucher(voucher_id="1", status="active")

    @app.get("/header-only")
    def header_only(token: Annotated[str | None, Depends(_operator)]) -> Voucher:
        return Voucher(voucher_id="1", status="active")

    @app.get("/no-401", dependencies=OPERATOR)
    def no_401() -> Voucher:
        return Voucher(voucher_id="1", status="active")

    @app.get("/public-with-token", openapi_extra=PUBLIC, responses=problem_responses(401))
    def public_with_token(token: Annotated[str | None, Depends(_operator)]) -> Voucher:
        return Voucher(voucher_id="1", status="active")

    @app.get("/ghost", openapi_extra={"security": [{"Ghost": []}]}, responses=problem_responses(401))
    def ghost() -> Voucher:
        return Voucher(voucher_id="1", status="active")

    assert untyped_routes(app) == [
        "GET /nothing-said: declares no security requirement (a public route says so: openapi_extra=PUBLIC)",
        "GET /header-only: takes x-operator-token but declares no security scheme",
        "GET /no-401: is protected but declares neither 401 nor 403",
        "GET /public-with-token: takes x-operator-token but is declared public",
        "GET /ghost: names security scheme Ghost, which components.securitySchemes does not declare",
    ]


def test_a_file_answer_needs_a_schema_and_a_binary_one_passes() -> None:
    app = FastAPI()
    openapi.install(app)

    @app.get(
        "/bare", openapi_extra=PUBLIC, response_class=Response, responses={200: {"content": {"application/zip": {}}}}
    )
    def bare() -> Response:
        return Response(b"PK", media_type="application/zip")

    @app.get(
        "/file",
        openapi_extra=PUBLIC,
        response_class=problems.JSONResponse,
        responses={200: openapi.file_response("application/octet-stream", "the file")},
    )
    def file() -> Voucher:
        return Voucher(voucher_id="1", status="active")

    assert untyped_routes(app) == ["GET /bare: 200 answer (application/zip) has no schema"]


def test_schemes_are_declared_partner_headers_are_one_requirement_and_errors_are_problem_json() -> None:
    app = FastAPI()
    problems.install(app)
    openapi.install(app)
    partner = APIRouter(prefix="/partner/v1", dependencies=PARTNER, responses=problem_responses(401, 422))

    @partner.get("/filings/{filing_id}")
    def filing(filing_id: int) -> Voucher:
        return Voucher(voucher_id=str(filing_id), status="active")

    app.include_router(partner)
    spec = app.openapi()
    schemes = spec["components"]["securitySchemes"]
    assert {s: schemes[s]["name"] for s in ("PartnerKey", "PartnerTimestamp", "PartnerNonce", "PartnerSignature")} == {
        "PartnerKey": "x-partner-key",
        "PartnerTimestamp": "x-partner-timestamp",
        "PartnerNonce": "x-partner-nonce",
        "PartnerSignature": "x-partner-signature",
    }
    operation = spec["paths"]["/partner/v1/filings/{filing_id}"]["get"]
    assert operation["security"] == [
        {"PartnerKey": [], "PartnerTimestamp": [], "PartnerNonce": [], "PartnerSignature": []}
    ]
    assert operation["responses"]["401"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
    }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert untyped_routes(app) == []


def test_fastapi_default_422_becomes_the_problem_details_the_service_answers() -> None:
    app = FastAPI()
    problems.install(app)
    openapi.install(app)

    @app.get("/vouchers/{voucher_id}", openapi_extra=PUBLIC)
    def voucher(voucher_id: int) -> Voucher:
        return Voucher(voucher_id=str(voucher_id), status="active")

    spec = app.openapi()
    answer = spec["paths"]["/vouchers/{voucher_id}"]["get"]["responses"]["422"]
    assert answer["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
    }
    assert spec["components"]["schemas"]["ProblemDetails"]["required"] == ["type", "title", "status", "detail"]
    refused = TestClient(app).get("/vouchers/not-a-number")
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "invalid_request"


def test_declared_schemes_refuse_no_one_the_route_check_does() -> None:
    app = tiny_app()
    client = TestClient(app)
    # No credential at all: the declarations let it through to the route (which here checks nothing).
    assert client.get("/vouchers/v1").json() == {"voucher_id": "v1", "status": "active"}
    assert client.get("/vouchers/v1", headers={"x-operator-token": ""}).status_code == 200


def test_json_body_inlines_the_model_with_its_nested_models() -> None:
    extra = openapi.json_body(Upload, description="the order")
    schema = extra["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["lines"]["items"]["properties"] == {"amount": {"title": "Amount", "type": "string"}}
    assert "$defs" not in schema and "$ref" not in str(schema)
