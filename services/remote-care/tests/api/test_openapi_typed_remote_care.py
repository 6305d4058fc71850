"""Remote-care's OpenAPI documents every route: typed answers and bodies, the problem details each
may answer, and who may call it; /partner/v1 declares its four signing headers as one requirement."""

from __future__ import annotations

from typing import Any

import pytest

from medshared.openapi import operations, untyped_routes

PARTNER_HEADERS = {
    "PartnerKey": "x-partner-key",
    "PartnerTimestamp": "x-partner-timestamp",
    "PartnerNonce": "x-partner-nonce",
    "PartnerSignature": "x-partner-signature",
}


@pytest.fixture
def spec(client) -> dict[str, Any]:
    return dict(client.get("/openapi.json").json())


def _schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return dict(spec["components"]["schemas"][name])


def test_every_remote_care_route_is_typed_with_its_errors_and_security(client) -> None:
    assert untyped_routes(client.app) == []


def test_every_partner_operation_requires_the_four_signing_headers_together(spec) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert {name: (s["type"], s["in"], s["name"]) for name, s in schemes.items() if name in PARTNER_HEADERS} == {
        name: ("apiKey", "header", header) for name, header in PARTNER_HEADERS.items()
    }
    assert "HMAC-SHA256" in schemes["PartnerSignature"]["description"]
    partner = [(m, p, op) for m, p, op in operations(spec) if p.startswith("/partner/v1")]
    assert len(partner) == 16
    for method, path, operation in partner:
        assert operation["security"] == [{key: [] for key in PARTNER_HEADERS}], (method, path)
        for status in ("401", "403", "422", "429"):
            answer = operation["responses"][status]["content"]
            assert list(answer) == ["application/problem+json"], (method, path, status)


@pytest.mark.parametrize(
    "prefix, scheme",
    [("/mobile/v1", "RemoteCareSession"), ("/internal/v1", "InternalToken"), ("/admin/v1", "OperatorToken")],
)
def test_the_other_surfaces_declare_the_credential_they_check(spec, prefix, scheme) -> None:
    ops = [(p, op) for _, p, op in operations(spec) if p.startswith(prefix)]
    assert ops
    for path, operation in ops:
        assert {name for requirement in operation["security"] for name in requirement} == {scheme}, path
        assert "401" in operation["responses"], path


def test_statements_previews_and_province_statements_publish_their_fields(spec) -> None:
    statement = _schema(spec, "Statement")
    preview = _schema(spec, "StatementPreview")
    province = _schema(spec, "ProvinceStatement")
    confirm = spec["paths"]["/partner/v1/statements/{statement_id}/confirm"]["post"]["responses"]

    assert {"statement_id", "owed_amt", "status", "dispute_reason", "by_clr_type"} <= set(statement["properties"])
    assert statement["properties"]["owed_amt"]["type"] == "string"
    assert statement["properties"]["status"]["enum"] == ["issued", "confirmed", "disputed", "reissued"]
    assert "statement_id" not in preview["properties"] and preview["properties"]["preview"]["const"] is True
    assert province["properties"]["lines"]["items"]["$ref"].endswith("/ProvinceLine")
    assert set(confirm) == {"200", "401", "403", "404", "409", "422", "429"}
    assert confirm["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Statement")


def test_an_answer_that_grows_an_undocumented_field_fails_instead_of_reaching_callers() -> None:
    from pydantic import ValidationError

    from remote_care.api.models import Line

    line = {
        "setl_id": "S1",
        "clr_type": "21",
        "psn_no": "P",
        "mdtrt_id": "M",
        "fixmedins_code": "H",
        "setl_time": "2026-11-15 10:12:03",
        "setl_cnt": 1,
        "reversed": False,
        "medfee_sumamt": "1.00",
        "fund_pay_sumamt": "1.00",
        "acct_pay": "0.00",
        "owed_amt": "1.00",
    }
    assert Line.model_validate(line).owed_amt == Line.model_validate(line).fund_pay_sumamt
    with pytest.raises(ValidationError, match="certno"):
        Line.model_validate({**line, "certno": "430602197007070923"})
