"""Activation and family binding need an identity check from a provider, and a verified person can reclaim a voucher."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from evoucher.config import Settings
from evoucher.db import mobile_session, outbox
from evoucher.demo import load_demo
from evoucher.main import create_app, identity_verifier
from medshared.db import upgrade
from medshared.events import Event
from tests.conftest import (
    ALEMBIC_INI,
    DROLMA,
    TASHI,
    Clock,
    activate,
    activation_body,
    ec_query,
    enroll,
    face_check,
    login,
    make_settings,
    request_family,
    show_code,
)

INTERNAL = {"x-internal-token": "dev-internal-token"}
ACTIVATION = "/mobile/v1/voucher/activation"


def _tamper(ticket: str) -> str:
    body, _, signature = ticket.partition(".")
    return f"{body}.{'0' if signature[0] != '0' else '1'}{signature[1:]}"


def test_a_stranger_who_knows_only_a_name_and_id_number_cannot_activate_their_voucher(client: TestClient) -> None:
    stranger = login(client, "stranger")
    named = {"psn_name": TASHI["psn_name"], "certno": TASHI["certno"]}

    without = client.post(ACTIVATION, json=named, headers=stranger)
    assert without.status_code == 422, without.text
    assert without.json()["code"] == "identity_ticket_required"
    assert "identity_ticket" in without.json()["detail"]

    # A ticket Tashi's own phone obtained does not work from the stranger's account ...
    tashi = login(client, "tashi")
    tashis_ticket = face_check(client, tashi, TASHI)
    stolen = client.post(ACTIVATION, json={**named, "identity_ticket": tashis_ticket}, headers=stranger)
    assert stolen.status_code == 403 and stolen.json()["code"] == "identity_ticket"
    # ... nor one naming somebody else, nor one that was altered.
    own = face_check(client, stranger, DROLMA)
    assert (
        client.post(ACTIVATION, json={**named, "identity_ticket": own}, headers=stranger).json()["code"]
        == "identity_ticket"
    )
    forged = client.post(
        ACTIVATION, json={**named, "identity_ticket": _tamper(face_check(client, stranger, TASHI))}, headers=stranger
    )
    assert forged.status_code == 422 and forged.json()["code"] == "identity_ticket"

    assert client.get("/mobile/v1/voucher", headers=stranger).status_code == 404
    assert client.post(ACTIVATION, json={**named, "identity_ticket": tashis_ticket}, headers=tashi).status_code == 201


def test_an_identity_ticket_serves_once_and_not_after_it_expires(client: TestClient, clock: Clock) -> None:
    tashi = login(client, "tashi")
    body = activation_body(client, tashi, TASHI)
    assert client.post(ACTIVATION, json=body, headers=tashi).status_code == 201
    assert client.post("/mobile/v1/voucher/revoke", json={"reason": "new phone"}, headers=tashi).status_code == 200

    again = client.post(ACTIVATION, json=body, headers=tashi)
    assert again.status_code == 422 and "already used" in again.json()["detail"]

    late = activation_body(client, tashi, TASHI)
    clock.advance(301)
    expired = client.post(ACTIVATION, json=late, headers=tashi)
    assert expired.status_code == 422 and "expired" in expired.json()["detail"]
    assert client.get("/mobile/v1/voucher", headers=tashi).status_code == 404


def test_a_verified_person_reclaims_a_voucher_bound_to_a_strangers_account(client: TestClient) -> None:
    # How a takeover left it: the voucher is bound to the stranger's account, who shows codes with it.
    stranger = activate(client, TASHI, "stranger")
    taken = client.get("/mobile/v1/voucher", headers=stranger).json()
    unused_code = show_code(client, stranger)
    decoded = ec_query(client, "H54010000001", show_code(client, stranger))
    assert decoded["code"] == 0
    ec_token = decoded["data"]["ecToken"]

    tashi = login(client, "tashi")
    reclaimed = client.post(ACTIVATION, json=activation_body(client, tashi, TASHI), headers=tashi)
    assert reclaimed.status_code == 201, reclaimed.text
    assert reclaimed.json()["psn_no"] == TASHI["psn_no"] and reclaimed.json()["voucher_id"] != taken["voucher_id"]

    # The old binding has ended: its session, its code and its ecToken no longer work.
    assert client.get("/mobile/v1/voucher", headers=stranger).status_code == 401
    assert ec_query(client, "H54010000001", unused_code)["code"] == -1
    resolved = client.post(
        "/internal/v1/ectokens/resolve", json={"ecToken": ec_token, "fixmedins_code": "H54010000001"}, headers=INTERNAL
    )
    assert resolved.status_code == 404
    with client.app.state.runtime.unit_of_work() as session:
        assert (
            session.execute(select(mobile_session).where(mobile_session.c.openid == "openid-stranger")).first() is None
        )
        events = [
            (row.event_type, Event.from_json(row.body).payload)
            for row in session.execute(select(outbox).order_by(outbox.c.id)).all()
            if row.event_type in ("VoucherRevoked", "VoucherActivated")
        ]
    (revoked_type, revoked), (activated_type, activated) = events[-2:]
    assert revoked_type == "VoucherRevoked" and activated_type == "VoucherActivated"
    assert revoked["voucher"]["voucher_id"] == taken["voucher_id"] and revoked["voucher"]["status"] == "revoked"
    assert revoked["reason"] == "reclaimed" and revoked["replaced_by"] == reclaimed.json()["voucher_id"]
    assert activated["reclaimed_from"] == taken["voucher_id"]


def test_family_binding_needs_the_guardians_own_identity_check(client: TestClient) -> None:
    tashi = activate(client, TASHI, "tashi")
    activate(client, DROLMA, "drolma")
    body = {"psn_name": DROLMA["psn_name"], "certno": DROLMA["certno"], "relation": "child"}
    assert client.post("/mobile/v1/family", json=body, headers=tashi).json()["code"] == "identity_ticket_required"
    someone_else = client.post(
        "/mobile/v1/family", json={**body, "identity_ticket": face_check(client, tashi, DROLMA)}, headers=tashi
    )
    assert someone_else.status_code == 422 and someone_else.json()["code"] == "identity_ticket"
    assert request_family(client, tashi, TASHI, DROLMA).status_code == 201


@pytest.fixture
def guarded(tmp_path: Path, wechat_stub: str, edge_server: tuple[str, Any], clock: Clock) -> Iterator[TestClient]:
    # Rate limits live in the process, whatever the database: SQLite alone keeps this quick.
    url = f"sqlite:///{tmp_path / 'guarded.db'}"
    upgrade(ALEMBIC_INI, url)
    app = create_app(
        make_settings(url, wechat_stub, edge_server[0], identity_rate_per_second=0.001, identity_rate_burst=3)
    )
    app.state.clock = clock
    load_demo(app.state.runtime)
    with TestClient(app) as c:
        enroll(c, TASHI, "540100")
        enroll(c, DROLMA, "540100")
        yield c


def test_a_wrong_name_and_an_unknown_person_get_one_answer_and_guessing_is_limited(guarded: TestClient) -> None:
    me = login(guarded, "guesser")
    wrong_name = {"psn_name": "扎西次仁", "certno": TASHI["certno"]}
    unknown = {"psn_name": "扎西", "certno": "540102199901010000"}
    answers = [
        guarded.post(ACTIVATION, json={**who, "identity_ticket": face_check(guarded, me, who)}, headers=me)
        for who in (wrong_name, unknown)
    ]
    assert [a.status_code for a in answers] == [422, 422]
    assert answers[0].json() == answers[1].json()

    # The third try is the last of the burst; the fourth waits, even with the right name.
    guarded.post(ACTIVATION, json={**unknown, "identity_ticket": face_check(guarded, me, unknown)}, headers=me)
    right = guarded.post(ACTIVATION, json=activation_body(guarded, me, TASHI), headers=me)
    assert right.status_code == 429, right.text
    assert right.headers["retry-after"].isdigit() and right.json()["code"] == "rate_limited"


def test_a_family_member_asked_for_by_a_wrong_name_or_unknown_id_gets_one_answer(guarded: TestClient) -> None:
    tashi = login(guarded, "tashi")
    assert guarded.post(ACTIVATION, json=activation_body(guarded, tashi, TASHI), headers=tashi).status_code == 201
    wrong_name = request_family(guarded, tashi, TASHI, {"psn_name": "卓玛拉", "certno": DROLMA["certno"]})
    unknown = request_family(guarded, tashi, TASHI, {"psn_name": "卓玛", "certno": "540102201003049999"})
    assert (wrong_name.status_code, unknown.status_code) == (422, 422)
    assert wrong_name.json() == unknown.json()
    limited = request_family(guarded, tashi, TASHI, DROLMA)
    assert limited.status_code == 429 and "retry-after" in limited.headers


def _production(**overrides: Any) -> Settings:
    secrets = {
        "wechat_secret": "prod-wechat", "mobile_session_secret": "prod-session", "qr_signing_secret": "prod-qr",
        "internal_token": "prod-internal", "mobile_pay_token": "prod-pay", "identity_ticket_secret": "prod-face-check-key",
        "operator_tokens": {"prod-desk-token": {"operator": "desk-01", "roles": ["enrollment_desk"]}},
    }  # fmt: skip
    return Settings(
        environment="production", database_url="sqlite://", kafka_bootstrap_servers="", **{**secrets, **overrides}
    )


def test_production_refuses_to_start_without_a_configured_identity_provider() -> None:
    for provider in ("stub", ""):
        with pytest.raises(ValueError, match="identity"):
            create_app(_production(identity_provider=provider))
    verifier = identity_verifier(_production(identity_provider="signed"))
    assert type(verifier).__name__ == "SignedTicketVerifier"
