"""Who may call: replayed gateway signatures, institution rate limits, operator roles, masked logs, secrets."""

from __future__ import annotations

import dataclasses
import io
import logging
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from support import ALEMBIC_INI, AUDIT, CLEARING, POLICY, His, counts, make_client, seed

from medshared import jsonutil, logs
from medshared.db import upgrade
from medshared.national import gateway_headers
from settlement.config import Settings
from settlement.demo import load_demo
from settlement.door import TRANSACTIONS

ZHAXI_CERTNO = "540102198005010110"
QUERY_ZHAXI = {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": ZHAXI_CERTNO, "psn_cert_type": "01"}}


def test_a_replayed_or_stale_gateway_signature_is_refused_and_changes_nothing(client, lhasa) -> None:
    headers = gateway_headers(lhasa.paasid, lhasa.token)
    assert lhasa.post(lhasa.envelope("1101", QUERY_ZHAXI), headers=headers)["infcode"] == 0
    before = counts(client.app)
    sign_out = lhasa.envelope("9002", {"signOut": {"sign_no": lhasa.sign_no, "opter_no": "001"}})
    replayed = lhasa.post(sign_out, headers=headers)
    assert replayed["infcode"] == -1 and "x-tif-nonce was already used" in replayed["err_msg"]
    stale = lhasa.post(sign_out, headers=gateway_headers(lhasa.paasid, lhasa.token, now=time.time() - 600))
    assert stale["infcode"] == -1 and "x-tif-timestamp is too far" in stale["err_msg"]
    assert counts(client.app) == before
    assert lhasa.call("1101", QUERY_ZHAXI)["infcode"] == 0


def test_a_retry_with_the_same_msgid_and_a_fresh_signature_gets_the_first_answer(lhasa) -> None:
    envelope = lhasa.envelope("1101", QUERY_ZHAXI)
    first = lhasa.post(envelope)
    assert first["infcode"] == 0
    assert lhasa.post(envelope) == first


def test_an_institution_over_its_rate_is_refused_with_a_clear_reason_while_another_is_served(
    tmp_path, partners
) -> None:
    # Rate limits live in the process, whatever the database: SQLite alone keeps this quick.
    url = f"sqlite:///{tmp_path / 'strict.db'}"
    upgrade(ALEMBIC_INI, url)
    with make_client(url, partners, institution_rate_per_second=0.01, institution_rate_burst=3) as c:
        load_demo(c.app.state.runtime)
        seed(c.app, "54010000000000000001")
        busy, calm = His(c, "H54010000001", "540100"), His(c, "H54010000002", "540100")
        busy.sign_in()
        assert [busy.call("1101", QUERY_ZHAXI)["infcode"] for _ in range(2)] == [0, 0]
        raw = c.post(
            "/fsi/api/rsfComIfsService/callService",
            content=jsonutil.dumps(busy.envelope("1101", QUERY_ZHAXI)),
            headers=gateway_headers(busy.paasid, busy.token),
        )
        assert raw.status_code == 429
        assert raw.json()["infcode"] == -1 and "too many requests from H54010000001" in raw.json()["err_msg"]
        calm.sign_in()
        assert calm.sign_no


ROLES = [
    ("no token", {}, 401, 401),
    ("unknown token", {"x-operator-token": "guessed"}, 401, 401),
    ("clearing role", CLEARING, 403, 403),
    ("audit role", AUDIT, 200, 403),
    ("policy role", POLICY, 200, 409),
]


def test_only_the_policy_role_publishes_and_the_audit_role_only_reads(client) -> None:
    policies = client.get("/admin/v1/policies", headers=POLICY).json()
    body = {"kind": "region", "policy": policies[0]["policy"]}
    seen = [
        (
            who,
            client.get("/admin/v1/policies", headers=headers).status_code,
            client.post("/admin/v1/policies", json=body, headers=headers).status_code,
        )
        for who, headers, _, _ in ROLES
    ]
    assert seen == [(who, read, publish) for who, _, read, publish in ROLES]
    assert len(client.get("/admin/v1/policies", headers=POLICY).json()) == len(policies)


def test_the_audit_trail_records_publishing_and_refusals_for_the_audit_role(client) -> None:
    policy = client.get("/admin/v1/policies", headers=POLICY).json()[0]["policy"]
    published = client.post(
        "/admin/v1/policies", json={"kind": "region", "policy": {**policy, "version": "99"}}, headers=POLICY
    )
    assert published.status_code == 201
    client.post("/admin/v1/catalogues", json={}, headers=AUDIT)
    trail = client.get("/admin/v1/audit", headers=AUDIT).json()
    assert [(a["operator"], a["role"], a["action"], a["outcome"]) for a in trail] == [
        ("audit-01", "-", "POST /admin/v1/catalogues", "denied"),
        ("policy-01", "policy", "POST /admin/v1/policies", "done"),
    ]
    assert client.get("/admin/v1/audit", headers=POLICY).status_code == 403


@pytest.fixture
def printed() -> Iterator[io.StringIO]:
    """What the service prints to its log stream, configured as in production."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    logs.configure("settlement", level=logging.DEBUG)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def test_a_certno_in_a_national_call_is_masked_in_the_logs(client, lhasa, printed, monkeypatch) -> None:
    front_door = client.app.state.front_door

    def broken(_session, call, _data):
        raise RuntimeError(f"lookup failed for {call.req.input['data']['mdtrt_cert_no']}")

    row = TRANSACTIONS["1101"]
    monkeypatch.setitem(TRANSACTIONS, "1101", dataclasses.replace(row, use_case=broken))
    assert front_door is not None
    caller = His(TestClient(client.app, raise_server_exceptions=False), "H54010000001", "540100")
    caller.sign_no = lhasa.sign_no
    caller.post(caller.envelope("1101", QUERY_ZHAXI))
    assert "540102********0110" in printed.getvalue()
    assert ZHAXI_CERTNO not in printed.getvalue()


def test_outside_development_the_service_refuses_every_development_secret() -> None:
    with pytest.raises(ValueError) as refused:
        Settings(environment="production")
    for name in ("SETTLEMENT_INTERNAL_TOKEN", "SETTLEMENT_MOBILE_PAY_TOKEN", "SETTLEMENT_OPERATOR_TOKENS[dev-policy]"):
        assert name in str(refused.value)
    with pytest.raises(ValueError, match="SETTLEMENT_INTERNAL_TOKEN"):
        Settings(
            environment="production",
            internal_token="",
            mobile_pay_token="k2",
            operator_tokens={"k3": {"operator": "policy-01", "roles": ["policy"]}},
        )
