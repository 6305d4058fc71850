from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from evoucher.db import outbox
from evoucher.domain.errors import Unauthenticated
from evoucher.main import create_app
from evoucher.usecases import institutions
from medshared.broker import free_port
from medshared.events import Event
from medshared.national import gateway_headers
from tests.conftest import DROLMA, TASHI, Clock, activate, activation_body, ec_query, login, request_family, show_code

INTERNAL = {"x-internal-token": "dev-internal-token"}


def test_a_login_code_becomes_a_session_and_a_bad_code_is_refused(client: TestClient) -> None:
    assert client.post("/mobile/v1/sessions", json={"code": "code-tashi"}).status_code == 201
    refused = client.post("/mobile/v1/sessions", json={"code": "garbage"})
    assert refused.status_code == 401
    assert "log in again" in refused.json()["detail"]


def test_activation_needs_the_enrolled_name_and_id_number(client: TestClient) -> None:
    headers = login(client, "tashi")
    mixed = {"psn_name": "扎西", "certno": DROLMA["certno"]}
    wrong = client.post("/mobile/v1/voucher/activation", json=activation_body(client, headers, mixed), headers=headers)
    assert wrong.status_code == 422
    assert "do not match" in wrong.json()["detail"]
    assert client.get("/mobile/v1/voucher", headers=headers).status_code == 404


def test_activation_binds_the_voucher_and_mints_a_remote_care_token(client: TestClient) -> None:
    headers = login(client, "tashi")
    response = client.post(
        "/mobile/v1/voucher/activation", json=activation_body(client, headers, TASHI), headers=headers
    )
    assert response.status_code == 201
    assert response.json()["status"] == "active"
    assert response.json()["insuplc_admdvs"] == "540100"
    again = client.post("/mobile/v1/sessions", json={"code": "code-tashi"}).json()
    assert again["voucher"]["psn_no"] == TASHI["psn_no"]
    assert again["remote_care_token"].count(".") == 1


def test_a_live_voucher_does_not_move_to_an_account_that_shows_no_identity_check(client: TestClient) -> None:
    tashi = activate(client, TASHI, "tashi")
    other = login(client, "thief")
    response = client.post(
        "/mobile/v1/voucher/activation", json={"psn_name": "扎西", "certno": TASHI["certno"]}, headers=other
    )
    assert response.status_code == 422
    assert "face check" in response.json()["detail"]
    assert client.get("/mobile/v1/voucher", headers=tashi).json()["psn_no"] == TASHI["psn_no"]


def test_a_decoded_code_returns_identity_and_an_ectoken_the_settlement_service_can_resolve(client: TestClient) -> None:
    headers = activate(client, TASHI, "tashi")
    decoded = ec_query(client, "H54010000001", show_code(client, headers))
    assert decoded["code"] == 0
    data = decoded["data"]
    assert (data["idNo"], data["userName"], data["insuOrg"]) == (TASHI["certno"], "扎西", "540100")
    resolved = client.post(
        "/internal/v1/ectokens/resolve",
        json={"ecToken": data["ecToken"], "fixmedins_code": "H54010000001"},
        headers=INTERNAL,
    )
    assert resolved.status_code == 200
    assert resolved.json()["psn_no"] == TASHI["psn_no"]
    usage = client.get("/mobile/v1/usage", headers=headers).json()
    assert [u["fixmedins_code"] for u in usage] == ["H54010000001"]


def test_a_token_decoded_by_one_hospital_is_refused_when_resolved_for_another(client: TestClient) -> None:
    headers = activate(client, TASHI, "tashi")
    token = ec_query(client, "H54010000001", show_code(client, headers))["data"]["ecToken"]
    response = client.post(
        "/internal/v1/ectokens/resolve", json={"ecToken": token, "fixmedins_code": "H54010000002"}, headers=INTERNAL
    )
    assert response.status_code == 403
    assert "another institution" in response.json()["detail"]


def test_an_ectoken_expires_after_four_hours_and_needs_the_internal_credential(
    client: TestClient, clock: Clock
) -> None:
    headers = activate(client, TASHI, "tashi")
    token = ec_query(client, "H54010000001", show_code(client, headers))["data"]["ecToken"]
    body = {"ecToken": token, "fixmedins_code": "H54010000001"}
    assert client.post("/internal/v1/ectokens/resolve", json=body).status_code == 401
    clock.advance(4 * 3600 + 1)
    assert client.post("/internal/v1/ectokens/resolve", json=body, headers=INTERNAL).status_code == 404


def test_the_same_code_decoded_twice_is_refused(client: TestClient) -> None:
    code = show_code(client, activate(client, TASHI, "tashi"))
    assert ec_query(client, "H54010000001", code)["code"] == 0
    again = ec_query(client, "H54010000001", code)
    assert again["code"] != 0
    assert "already been scanned" in again["message"]


def test_a_code_older_than_sixty_seconds_is_refused(client: TestClient, clock: Clock) -> None:
    code = show_code(client, activate(client, TASHI, "tashi"))
    clock.advance(61)
    late = ec_query(client, "H54010000001", code)
    assert late["code"] != 0
    assert "expired" in late["message"]


def test_a_tampered_or_foreign_code_is_refused(client: TestClient) -> None:
    code = show_code(client, activate(client, TASHI, "tashi"))
    body, _, signature = code.partition(".")
    tampered = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
    result = ec_query(client, "H54010000001", tampered)
    assert result["code"] != 0
    assert "not issued" in result["message"]
    assert ec_query(client, "H54010000001", "ZmFrZQ.0123abcd")["code"] != 0
    assert ec_query(client, "H54010000001", code)["code"] == 0, "the genuine code was not used up by the forgeries"


def test_decoding_needs_the_institutions_own_credential(client: TestClient) -> None:
    code = show_code(client, activate(client, TASHI, "tashi"))
    assert "signature" in ec_query(client, "H54010000001", code, token="demo-ec-H54010000002")["message"]
    body = {"orgId": "H54010000001", "transType": "ec.query", "data": {"qrCode": code, "businessType": "01101",
            "operatorId": "op", "operatorName": "op"}}  # fmt: skip
    posing = client.post(
        "/fsi/api/hsecfc/localQrCodeQuery", json=body, headers=gateway_headers("H54010000002", "demo-ec-H54010000002")
    )
    assert posing.json()["code"] != 0
    assert ec_query(client, "H54010000001", code)["code"] == 0


def test_a_frozen_voucher_shows_no_code_until_unfrozen(client: TestClient) -> None:
    headers = activate(client, TASHI, "tashi")
    assert client.post("/mobile/v1/voucher/freeze", json={}, headers=headers).json()["status"] == "frozen"
    assert client.post("/mobile/v1/qrcodes", json={}, headers=headers).status_code == 409
    assert client.post("/mobile/v1/voucher/unfreeze", json={}, headers=headers).json()["status"] == "active"
    assert ec_query(client, "H54010000001", show_code(client, headers))["code"] == 0


def test_an_operator_can_revoke_and_the_person_can_then_activate_again(client: TestClient) -> None:
    headers = activate(client, TASHI, "tashi")
    voucher_id = client.get("/mobile/v1/voucher", headers=headers).json()["voucher_id"]
    revoked = client.post(
        f"/admin/v1/vouchers/{voucher_id}/revoke",
        json={"reason": "phone lost"},
        headers={"x-operator-token": "dev-desk-token"},
    )
    assert revoked.json()["status"] == "revoked"
    assert client.get("/mobile/v1/voucher", headers=headers).status_code == 404
    activate(client, TASHI, "tashi-new-phone")


def test_someone_elses_openid_cannot_see_or_use_a_voucher(client: TestClient) -> None:
    tashi = activate(client, TASHI, "tashi")
    stranger = login(client, "stranger")
    assert client.get("/mobile/v1/voucher", headers=stranger).status_code == 404
    assert client.post("/mobile/v1/qrcodes", json={"psn_no": TASHI["psn_no"]}, headers=stranger).status_code == 404
    activate(client, DROLMA, "drolma")
    drolma = login(client, "drolma")
    assert client.post("/mobile/v1/qrcodes", json={"psn_no": TASHI["psn_no"]}, headers=drolma).status_code == 403
    assert client.post("/mobile/v1/voucher/freeze", json={}, headers=drolma).json()["psn_no"] == DROLMA["psn_no"]
    assert client.get("/mobile/v1/voucher", headers=tashi).json()["status"] == "active"


def test_a_guardian_shows_a_dependants_code_only_after_consent(client: TestClient) -> None:
    tashi = activate(client, TASHI, "tashi")
    drolma = activate(client, DROLMA, "drolma")
    binding = request_family(client, tashi, TASHI, DROLMA).json()
    assert client.post("/mobile/v1/qrcodes", json={"psn_no": DROLMA["psn_no"]}, headers=tashi).status_code == 403
    assert client.post(f"/mobile/v1/family/{binding['binding_id']}/consent", headers=tashi).status_code == 403
    assert (
        client.post(f"/mobile/v1/family/{binding['binding_id']}/consent", headers=drolma).json()["status"]
        == "consented"
    )
    decoded = ec_query(client, "H54010000001", show_code(client, tashi, DROLMA["psn_no"]))
    assert decoded["data"]["userName"] == "卓玛"
    client.post(f"/mobile/v1/family/{binding['binding_id']}/withdraw", headers=drolma)
    assert client.post("/mobile/v1/qrcodes", json={"psn_no": DROLMA["psn_no"]}, headers=tashi).status_code == 403


def test_production_refuses_an_institution_still_on_its_demo_credential(client: TestClient, clock: Clock) -> None:
    headers = gateway_headers("H54010000001", "demo-ec-H54010000001")
    units = client.app.state.units
    assert institutions.authenticate_institution(
        units, headers, "H54010000001", production=False, skew=300, now=clock()
    )
    with pytest.raises(Unauthenticated, match="demo credential"):
        institutions.authenticate_institution(units, headers, "H54010000001", production=True, skew=300, now=clock())


def test_a_gateway_request_with_a_stale_timestamp_is_refused(client: TestClient) -> None:
    code = show_code(client, activate(client, TASHI, "tashi"))
    body = {"orgId": "H54010000001", "transType": "ec.query", "data": {"qrCode": code, "businessType": "01101",
            "operatorId": "op", "operatorName": "op"}}  # fmt: skip
    stale = gateway_headers("H54010000001", "demo-ec-H54010000001", now=time.time() - 3600)
    refused = client.post("/fsi/api/hsecfc/localQrCodeQuery", json=body, headers=stale).json()
    assert "x-tif-timestamp" in refused["message"]
    assert ec_query(client, "H54010000001", code)["code"] == 0


def test_each_decode_is_published_as_a_voucher_use(client: TestClient) -> None:
    ec_query(client, "H54010000002", show_code(client, activate(client, TASHI, "tashi")))
    with client.app.state.runtime.unit_of_work() as session:
        rows = session.execute(select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)).all()
    assert [r.event_type for r in rows] == ["VoucherActivated", "VoucherUsed"]
    used = Event.from_json(rows[1].body).payload
    assert (used["psn_no"], used["fixmedins_code"]) == (TASHI["psn_no"], "H54010000002")


def test_a_session_ends_when_it_expires(client: TestClient, clock: Clock) -> None:
    headers = activate(client, TASHI, "tashi")
    clock.advance(2 * 3600 + 1)
    response = client.get("/mobile/v1/voucher", headers=headers)
    assert response.status_code == 401
    assert "log in again" in response.json()["detail"]


def test_when_wechat_does_not_answer_login_says_to_try_again(app_settings: Any, clock: Clock) -> None:
    app = create_app(app_settings.model_copy(update={"wechat_base_url": f"http://127.0.0.1:{free_port()}"}))
    with TestClient(app) as c:
        response = c.post("/mobile/v1/sessions", json={"code": "code-tashi"})
    assert response.status_code == 503
    assert "try again" in response.json()["detail"]
