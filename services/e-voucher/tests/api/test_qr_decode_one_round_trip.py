"""The decode's claim reads the voucher and its holder with it: every outcome stays as before."""

from __future__ import annotations

from fastapi.testclient import TestClient

from medshared.national import gateway_headers
from tests.conftest import TASHI, activate, ec_query, show_code

EC_QUERY = "/fsi/api/hsecfc/localQrCodeQuery"


def _body(org: str, code: str) -> dict[str, object]:
    data = {"qrCode": code, "businessType": "01101", "operatorId": "op01", "operatorName": "收费员"}
    return {"orgId": org, "transType": "ec.query", "data": data}


def test_a_decode_answers_the_holders_identity_and_an_ectoken_of_their_pool(client: TestClient) -> None:
    headers = activate(client, TASHI, "tashi")
    voucher_id = client.get("/mobile/v1/voucher", headers=headers).json()["voucher_id"]
    answer = ec_query(client, "H54010000001", show_code(client, headers))
    assert answer["code"] == 0, answer
    data = answer["data"]
    assert {k: data[k] for k in ("idNo", "userName", "insuOrg", "ecIndexNo", "gender", "birthday", "nationality")} == {
        "idNo": TASHI["certno"],
        "userName": TASHI["psn_name"],
        "insuOrg": "540100",
        "ecIndexNo": voucher_id,
        "gender": "1",
        "birthday": "1980.05.01",
        "nationality": "01",
    }
    assert data["ecToken"].startswith("540100ec") and len(data["ecToken"]) == 40


def test_a_code_of_a_voucher_frozen_after_showing_it_is_refused_and_stays_unused(client: TestClient) -> None:
    headers = activate(client, TASHI, "tashi")
    code = show_code(client, headers)
    assert client.post("/mobile/v1/voucher/freeze", json={}, headers=headers).json()["status"] == "frozen"
    refused = ec_query(client, "H54010000001", code)
    assert refused["code"] == -1
    assert refused["message"] == "this voucher is frozen; the patient cannot use it now"
    assert client.post("/mobile/v1/voucher/unfreeze", json={}, headers=headers).json()["status"] == "active"
    # The refusal claimed nothing: the same code decodes once, then never again.
    assert ec_query(client, "H54010000001", code)["code"] == 0
    assert "already been scanned" in ec_query(client, "H54010000001", code)["message"]


def test_the_nonce_of_a_refused_decode_is_spent(client: TestClient) -> None:
    code = show_code(client, activate(client, TASHI, "tashi"))
    assert ec_query(client, "H54010000001", code)["code"] == 0
    signed = gateway_headers("H54010000001", "demo-ec-H54010000001")
    used = client.post(EC_QUERY, json=_body("H54010000001", code), headers=signed).json()
    assert "already been scanned" in used["message"]
    replayed = client.post(EC_QUERY, json=_body("H54010000001", code), headers=signed).json()
    assert replayed["message"] == "x-tif-nonce was already used: sign every request, retries too, with a new nonce"
