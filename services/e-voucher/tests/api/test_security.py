"""Who may call: spent gateway nonces, rate limits, operator roles and their audit trail, masked logs, secrets."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from evoucher.config import Settings
from evoucher.demo import load_demo
from evoucher.main import create_app
from evoucher.usecases import vouchers
from medshared import logs
from medshared.db import upgrade
from medshared.national import gateway_headers
from tests.conftest import (
    ALEMBIC_INI,
    TASHI,
    Clock,
    activate,
    activation_body,
    ec_query,
    enroll,
    login,
    make_settings,
    show_code,
)

DESK = {"x-operator-token": "dev-desk-token"}
AUDIT = {"x-operator-token": "dev-audit-token"}
REVIEW = {"x-operator-token": "dev-review-token"}


def query_body(org: str, qr_code: str) -> dict[str, Any]:
    data = {"qrCode": qr_code, "businessType": "01101", "operatorId": "op01", "operatorName": "收费员"}
    return {"orgId": org, "transType": "ec.query", "data": data}


def test_a_replayed_gateway_signature_is_refused_and_issues_no_ec_token(client: TestClient) -> None:
    code = show_code(client, activate(client, TASHI, "tashi"))
    headers = gateway_headers("H54010000001", "demo-ec-H54010000001")
    first = client.post("/fsi/api/hsecfc/localQrCodeQuery", json=query_body("H54010000001", code), headers=headers)
    assert first.json()["code"] == 0, first.json()
    replayed = client.post("/fsi/api/hsecfc/localQrCodeQuery", json=query_body("H54010000001", code), headers=headers)
    assert replayed.json() == {
        "orgId": "H54010000001",
        "code": -1,
        "message": "x-tif-nonce was already used: sign every request, retries too, with a new nonce",
        "data": None,
    }


@pytest.fixture
def strict(tmp_path: Path, wechat_stub: str, edge_server: tuple[str, Any], clock: Clock) -> Iterator[TestClient]:
    # Rate limits live in the process, whatever the database: SQLite alone keeps this quick.
    url = f"sqlite:///{tmp_path / 'strict.db'}"
    upgrade(ALEMBIC_INI, url)
    settings = make_settings(
        url,
        wechat_stub,
        edge_server[0],
        institution_rate_per_second=0.01,
        institution_rate_burst=2,
        mobile_rate_per_second=0.01,
        mobile_rate_burst=4,
    )
    app = create_app(settings)
    app.state.clock = clock
    load_demo(app.state.runtime)
    with TestClient(app) as c:
        enroll(c, TASHI, "540100")
        yield c


def test_an_institution_over_its_rate_gets_a_clear_refusal_while_another_is_served(strict: TestClient) -> None:
    me = login(strict, "tashi")
    strict.post("/mobile/v1/voucher/activation", json=activation_body(strict, me, TASHI), headers=me)
    codes = [show_code(strict, me) for _ in range(3)]
    assert [ec_query(strict, "H54010000001", c)["code"] for c in codes[:2]] == [0, 0]
    refused = ec_query(strict, "H54010000001", codes[2])
    assert refused["code"] == -1 and "too many requests from H54010000001" in refused["message"]
    assert ec_query(strict, "H54010000002", codes[2])["code"] == 0


def test_a_phone_over_its_rate_gets_429_while_another_openid_is_served(strict: TestClient) -> None:
    busy, calm = login(strict, "busy"), login(strict, "calm")
    assert [strict.get("/mobile/v1/voucher", headers=busy).status_code for _ in range(4)] == [404] * 4
    refused = strict.get("/mobile/v1/voucher", headers=busy)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    assert strict.get("/mobile/v1/voucher", headers=calm).status_code == 404


@pytest.fixture
def door(tmp_path: Path, wechat_stub: str, edge_server: tuple[str, Any], clock: Clock) -> Iterator[Any]:
    url = f"sqlite:///{tmp_path / 'door.db'}"
    upgrade(ALEMBIC_INI, url)
    settings = make_settings(
        url, wechat_stub, edge_server[0], session_ip_rate_per_second=0.01, session_ip_rate_burst=7,
        session_account_rate_per_second=0.01, session_account_rate_burst=3,
    )  # fmt: skip
    app = create_app(settings)
    app.state.clock = clock
    with TestClient(app) as c:
        yield app, c


def test_logging_in_over_and_over_gets_429_with_retry_after_per_account_and_per_address(door: Any) -> None:
    app, phone = door
    codes = [phone.post("/mobile/v1/sessions", json={"code": "code-tashi"}).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    refused = phone.post("/mobile/v1/sessions", json={"code": "code-tashi"})
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert int(refused.headers["retry-after"]) >= 1 and refused.json()["code"] == "rate_limited"
    # Other accounts from this address share its limit of 7 (5 spent above): two more, then it waits.
    assert [phone.post("/mobile/v1/sessions", json={"code": f"code-{n}"}).status_code for n in "abc"] == [201, 201, 429]
    bad_codes = [phone.post("/mobile/v1/sessions", json={"code": f"guess-{n}"}).status_code for n in range(2)]
    assert bad_codes == [429, 429]
    elsewhere = TestClient(app, client=("203.0.113.9", 50000))
    assert elsewhere.post("/mobile/v1/sessions", json={"code": "code-calm"}).status_code == 201


def test_only_the_desk_changes_a_voucher_and_the_audit_role_only_reads(client: TestClient) -> None:
    headers = activate(client, TASHI, "tashi")
    voucher_id = client.get("/mobile/v1/voucher", headers=headers).json()["voucher_id"]
    freeze = f"/admin/v1/vouchers/{voucher_id}/freeze"
    attempts = [
        client.post(freeze, json={"reason": "asked by phone"}, headers=who).status_code
        for who in ({}, {"x-operator-token": "guessed"}, REVIEW, AUDIT)
    ]
    assert attempts == [401, 401, 403, 403]
    assert client.get("/mobile/v1/voucher", headers=headers).json()["status"] == "active"
    assert client.get("/admin/v1/figures", headers=AUDIT).status_code == 200
    assert client.get("/admin/v1/figures", headers=REVIEW).status_code == 403
    assert client.post(freeze, json={"reason": "asked by phone"}, headers=DESK).json()["status"] == "frozen"
    trail = client.get("/admin/v1/audit", headers=AUDIT).json()
    assert [(a["operator"], a["role"], a["target"], a["outcome"]) for a in trail][:3] == [
        ("dev-desk", "enrollment_desk", f"voucher_id={voucher_id},command=freeze", "done"),
        ("dev-audit", "-", f"voucher_id={voucher_id},command=freeze", "denied"),
        ("dev-review", "-", f"voucher_id={voucher_id},command=freeze", "denied"),
    ]
    assert client.get("/admin/v1/audit", headers=DESK).status_code == 403


def test_a_desk_change_the_records_refuse_is_answered_as_a_problem_and_kept_in_the_trail_with_its_code(
    client: TestClient,
) -> None:
    refused = client.post("/admin/v1/vouchers/nosuchvoucher/freeze", json={"reason": "asked by phone"}, headers=DESK)
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert (refused.json()["code"], refused.json()["detail"]) == ("no_voucher", "no voucher nosuchvoucher")
    [latest] = client.get("/admin/v1/audit", headers=AUDIT).json()[:1]
    assert (latest["operator"], latest["target"], latest["outcome"]) == (
        "dev-desk", "voucher_id=nosuchvoucher,command=freeze", "refused 404 no_voucher",
    )  # fmt: skip


@pytest.fixture
def printed() -> Iterator[io.StringIO]:
    """What the service prints to its log stream, configured as in production."""
    root = logging.getLogger()
    handlers_before, level = root.handlers[:], root.level
    logs.configure("e-voucher", level=logging.DEBUG)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    yield stream
    root.handlers[:] = handlers_before
    root.setLevel(level)


def test_a_certno_sent_at_activation_is_masked_in_the_logs(
    client: TestClient, printed: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_units: object, _openid: str, _psn_name: str, certno: str, **_: object) -> object:
        raise RuntimeError(f"activation of {certno} failed")

    me = login(client, "tashi")
    monkeypatch.setattr(vouchers, "activate", broken)
    caller = TestClient(client.app, raise_server_exceptions=False)
    answer = caller.post(
        "/mobile/v1/voucher/activation", json={"psn_name": "扎西", "certno": TASHI["certno"]}, headers=me
    )
    assert answer.status_code == 500
    assert "540102********0110" in printed.getvalue()
    assert TASHI["certno"] not in printed.getvalue()


def test_outside_development_the_service_refuses_every_development_secret() -> None:
    with pytest.raises(ValueError) as refused:
        Settings(environment="production")
    for name in (
        "EVOUCHER_WECHAT_SECRET",
        "EVOUCHER_MOBILE_SESSION_SECRET",
        "EVOUCHER_QR_SIGNING_SECRET",
        "EVOUCHER_INTERNAL_TOKEN",
        "EVOUCHER_MOBILE_PAY_TOKEN",
        "EVOUCHER_OPERATOR_TOKENS[dev-desk]",
    ):
        assert name in str(refused.value)
