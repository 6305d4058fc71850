"""An integrator builds an enrollment client from the OpenAPI alone: every answer typed, every
operator route naming its token and its 401/403, and real answers matching what it declares."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from enrollment.main import create_app
from medshared.openapi import answer_schema, operations, untyped_routes
from tests.conftest import settings_for

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}


def spec() -> dict[str, Any]:
    return create_app(settings_for("sqlite://")).openapi()


def conforms(document: dict[str, Any], method: str, path: str, status: int, answer: Any) -> list[str]:
    validator = Draft202012Validator(answer_schema(document, method, path, status))
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(answer)]


def test_every_route_is_typed_and_declares_its_security_and_errors() -> None:
    assert untyped_routes(create_app(settings_for("sqlite://"))) == []


def test_every_operator_route_names_the_operator_token_and_answers_401_and_403_as_problem_details() -> None:
    document = spec()
    scheme = document["components"]["securitySchemes"]["OperatorToken"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "x-operator-token")
    admin = [(m, p, op) for m, p, op in operations(document) if p.startswith("/admin/v1/")]
    assert len(admin) >= 25
    for method, path, operation in admin:
        assert operation["security"] == [{"OperatorToken": []}], (method, path)
        assert operation["responses"]["401"]["content"] == PROBLEM, (method, path)
        assert operation["responses"]["403"]["content"] == PROBLEM, (method, path)
    # A field to fix answers problem details, not FastAPI's own validation shape.
    assert document["paths"]["/admin/v1/people"]["post"]["responses"]["422"]["content"] == PROBLEM
    assert "HTTPValidationError" not in document["components"]["schemas"]


def test_a_person_an_employer_and_a_refusal_match_the_declared_schemas(demo_client: TestClient) -> None:
    document = demo_client.app.openapi()  # type: ignore[attr-defined]
    people = demo_client.get("/admin/v1/people", params={"certno": "540102198005010110"})
    assert people.status_code == 200
    assert conforms(document, "GET", "/admin/v1/people", 200, people.json()) == []
    zhaxi = people.json()["items"][0]
    # The answer is the typed record with every field the snapshot carries, amounts as text.
    assert set(zhaxi) == set(document["components"]["schemas"]["PersonDetail"]["properties"])
    assert zhaxi["contributions"][0]["total"] == "320.00"
    employers = demo_client.get("/admin/v1/employers")
    assert conforms(document, "GET", "/admin/v1/employers", 200, employers.json()) == []
    refused = demo_client.get("/admin/v1/people/nobody", headers={"x-operator-token": "not-a-token"})
    assert refused.status_code == 401
    assert conforms(document, "GET", "/admin/v1/people/{psn_no}", 401, refused.json()) == []
