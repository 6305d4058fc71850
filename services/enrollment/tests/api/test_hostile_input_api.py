"""Input an attacker or a slip of the keyboard sends: out-of-range money and oversized bodies."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import AUDIT_TOKEN, TOKEN

ZHAXI = "54010000000000000001"
EMPLOYEE = "54010000000000000004"
SIXTY_ONE_DIGITS = int("9" * 61)
POLICY = {"insuplc_admdvs": "540100", "insutype": "390", "year": 2027}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/admin/v1/contributions/employee", {"psn_no": EMPLOYEE, "month": "2026-03", "base": "1e400"}, "base"),
        (
            "/admin/v1/contributions/employee",
            {"psn_no": EMPLOYEE, "month": "2026-03", "base": SIXTY_ONE_DIGITS},
            "base",
        ),
        ("/admin/v1/contributions/employee", {"psn_no": EMPLOYEE, "month": "2026-03", "base": "1" + "0" * 60}, "base"),
        (
            "/admin/v1/contributions/employee",
            {"psn_no": EMPLOYEE, "month": "2026-03", "base": "100000000000000.00"},
            "base",
        ),
        ("/admin/v1/contributions/employee", {"psn_no": EMPLOYEE, "month": "2026-03", "base": "8000.001"}, "base"),
        ("/admin/v1/contributions/employee", {"psn_no": EMPLOYEE, "month": "2026-03", "base": "1e-400"}, "base"),
        (
            "/admin/v1/account-credits",
            {"psn_no": ZHAXI, "kind": "refund", "credited_on": "2026-03-01", "amount": "1e400"},
            "amount",
        ),
        (
            "/admin/v1/account-credits",
            {"psn_no": ZHAXI, "kind": "refund", "credited_on": "2026-03-01", "amount": SIXTY_ONE_DIGITS},
            "amount",
        ),
        ("/admin/v1/contribution-policies", {**POLICY, "tiers": {"320": "1e400"}}, "320"),
        (
            "/admin/v1/contribution-policies",
            {**POLICY, "retiree_monthly_credit": SIXTY_ONE_DIGITS},
            "retiree_monthly_credit",
        ),
        ("/admin/v1/contribution-policies", {**POLICY, "employer_rate": "1e400"}, "employer_rate"),
        ("/admin/v1/contribution-policies", {**POLICY, "employee_rate": "2"}, "employee_rate"),
        ("/admin/v1/contribution-policies", {**POLICY, "assistance_share": "-0.1"}, "assistance_share"),
    ],
)
def test_money_beyond_the_national_n16_2_or_a_rate_beyond_one_is_a_422_naming_the_field(
    demo_client: TestClient, path: str, body: dict[str, object], field: str
) -> None:
    answer = demo_client.post(path, json=body)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"].split(".")[-1] for e in problem["errors"]}
    assert any(word in problem["errors"][0]["message"] for word in ("14 digits", "two decimals", "between 0 and 1"))


def test_the_largest_n16_2_amount_is_still_accepted(demo_client: TestClient) -> None:
    answer = demo_client.post(
        "/admin/v1/account-credits",
        json={"psn_no": EMPLOYEE, "kind": "refund", "credited_on": "2026-03-01", "amount": "99999999999999.99"},
    )
    assert answer.status_code == 201, answer.text


OVER_ONE_MIB = b"x" * (1024 * 1024 + 1)
CSV_HEADER = b"psn_cert_type,certno,psn_name,gend,brdy,naty,insuplc_admdvs,insutype,psn_type,tier,begndate\n"


def test_a_csv_body_over_one_mebibyte_is_refused_on_every_route_but_the_import(client: TestClient) -> None:
    for headers in ({"x-operator-token": TOKEN}, {"x-operator-token": ""}):
        answer = client.post("/admin/v1/people", content=OVER_ONE_MIB, headers={**headers, "content-type": "text/csv"})
        assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"


@pytest.mark.parametrize(("token", "allowed"), [(TOKEN, True), (AUDIT_TOKEN, False), ("unknown", False), ("", False)])
def test_the_import_takes_a_file_over_one_mebibyte_only_from_a_desk_operator(
    client: TestClient, token: str, allowed: bool
) -> None:
    # The extra part pads the form past 1 MiB; the import reads only its `file` part.
    files = {
        "file": ("people.csv", CSV_HEADER, "text/csv"),
        "padding": ("pad.bin", OVER_ONE_MIB, "application/octet-stream"),
    }
    answer = client.post("/admin/v1/imports", files=files, headers={"x-operator-token": token})
    if allowed:
        assert answer.status_code == 200 and answer.json()["received"] == 0, answer.text
    else:
        assert answer.status_code == 413 and answer.json()["code"] == "body_too_large"
