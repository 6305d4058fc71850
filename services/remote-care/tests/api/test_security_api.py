"""Who may do what: operator roles, the audit trail, rate limits, masked logs, production secrets."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator

import pytest
from builders import AUDITOR, CLEARER, REVIEWER, ZHOU_MIN, feed, person_enrolled, settings_for
from fastapi.testclient import TestClient

from medshared import logs
from remote_care.api.auth import mint_mobile_token, partner_headers
from remote_care.config import Settings
from remote_care.main import create_app
from remote_care.usecases import filings
from remote_care.usecases.common import today

HUNAN = ("partner-430000", "dev-partner-secret-430000")


def desk_filing(psn_no: str = ZHOU_MIN) -> dict[str, str]:
    return {
        "psn_no": psn_no,
        "filing_type": "temporary_other",
        "target_admdvs": "110100",
        "begndate": today().isoformat(),
    }


def phone(openid: str, psn_no: str = ZHOU_MIN) -> dict[str, str]:
    token = mint_mobile_token("dev-mobile-session-secret", openid, psn_no, exp=int(time.time()) + 600)
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def people(client: TestClient) -> TestClient:
    feed(client.app.state.runtime, person_enrolled(ZHOU_MIN))
    return client


@pytest.mark.parametrize(
    ("headers", "filing", "clearing"),
    [
        ({}, 401, 401),
        ({"x-operator-token": "stolen"}, 401, 401),
        (REVIEWER, 201, 403),
        (CLEARER, 403, 201),
        (AUDITOR, 403, 403),
    ],
    ids=["no token", "unknown token", "filing review", "clearing", "audit"],
)
def test_each_operator_role_changes_only_what_it_is_for(
    people: TestClient, headers: dict[str, str], filing: int, clearing: int
) -> None:
    assert people.post("/admin/v1/filings", json=desk_filing(), headers=headers).status_code == filing
    assert people.post("/admin/v1/clearing/runs", json={"period": "2026-01"}, headers=headers).status_code == clearing
    stored = people.get("/admin/v1/filings", headers=AUDITOR).json()
    assert len(stored) == (1 if filing == 201 else 0)


def test_the_audit_role_reads_filings_and_statements_but_not_as_a_reviewer_would_write(people: TestClient) -> None:
    assert people.get("/admin/v1/filings", headers=AUDITOR).status_code == 200
    assert people.get("/admin/v1/clearing/statements", headers=AUDITOR).status_code == 200
    assert people.get("/admin/v1/clearing/statements", headers=REVIEWER).status_code == 403


def test_the_audit_trail_names_the_operator_from_the_token_and_is_for_auditors_only(people: TestClient) -> None:
    filing = people.post("/admin/v1/filings", json=desk_filing(), headers=REVIEWER).json()
    people.post(f"/admin/v1/filings/{filing['filing_id']}/revoke", json={"memo": "wrong"}, headers=CLEARER)
    trail = people.get("/admin/v1/audit", headers=AUDITOR).json()
    assert [(a["operator"], a["role"], a["action"], a["target"], a["outcome"]) for a in trail] == [
        ("clearing-1", "-", "POST /admin/v1/filings/{filing_id}/revoke", f"filing_id={filing['filing_id']}", "denied"),
        ("review-1", "filing_review", "POST /admin/v1/filings", "-", "done"),
    ]
    assert people.get(f"/admin/v1/filings/{filing['filing_id']}", headers=AUDITOR).json()["status"] == "active"
    assert people.get("/admin/v1/audit", headers=REVIEWER).status_code == 403


@pytest.fixture
def strict(sqlite_url: str) -> Iterator[TestClient]:
    settings = settings_for(
        sqlite_url, partner_rate_per_second=0.01, partner_rate_burst=2, mobile_rate_per_second=0.01, mobile_rate_burst=2
    )
    with TestClient(create_app(settings)) as c:
        feed(c.app.state.runtime, person_enrolled(ZHOU_MIN))
        yield c


def test_a_partner_over_its_rate_gets_429_while_another_partner_is_served(strict: TestClient) -> None:
    def ask(who: tuple[str, str]) -> int:
        path = "/partner/v1/filings"
        return strict.get(path, headers=partner_headers(*who, "GET", path)).status_code

    assert [ask(HUNAN), ask(HUNAN)] == [200, 200]
    refused = strict.get("/partner/v1/filings", headers=partner_headers(*HUNAN, "GET", "/partner/v1/filings"))
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "partner-430000" in refused.json()["detail"]
    assert ask(("partner-110000", "dev-partner-secret-110000")) == 200


def test_a_phone_over_its_rate_gets_429_and_files_nothing_while_another_openid_is_served(strict: TestClient) -> None:
    me = phone("openid-busy")
    assert [strict.get("/mobile/v1/filings", headers=me).status_code for _ in range(2)] == [200, 200]
    refused = strict.post("/mobile/v1/filings", json=desk_filing(), headers=me)
    assert refused.status_code == 429
    assert refused.json()["retry_after_seconds"] >= 1
    assert strict.get("/mobile/v1/filings", headers=phone("openid-calm")).json() == []


@pytest.fixture
def printed() -> Iterator[io.StringIO]:
    """What the service prints to its log stream, configured as in production."""
    root = logging.getLogger()
    handlers_before, level = root.handlers[:], root.level
    logs.configure("remote-care", level=logging.DEBUG)
    stream = io.StringIO()
    root.handlers[0].setStream(stream)
    yield stream
    root.handlers[:] = handlers_before
    root.setLevel(level)


def test_a_certno_sent_by_a_partner_is_masked_in_the_logs(
    people: TestClient, printed: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    certno = "430602199001010011"

    def broken(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError(f"filing for certno {certno} failed")

    monkeypatch.setattr(filings, "create_filing", broken)
    body = json.dumps({**desk_filing(), "memo": f"certno {certno}"}).encode()
    caller = TestClient(people.app, raise_server_exceptions=False)
    answer = caller.post(
        "/partner/v1/filings",
        content=body,
        headers={**partner_headers(*HUNAN, "POST", "/partner/v1/filings", body), "content-type": "application/json"},
    )
    assert answer.status_code == 500
    assert "430602********0011" in printed.getvalue()
    assert certno not in printed.getvalue()


def test_outside_development_the_service_refuses_every_development_secret() -> None:
    with pytest.raises(ValueError) as refused:
        Settings(environment="production")
    for name in (
        "REMOTE_CARE_INTERNAL_TOKEN",
        "REMOTE_CARE_MOBILE_SESSION_SECRET",
        "REMOTE_CARE_OPERATOR_TOKENS[dev-audit]",
        "REMOTE_CARE_PARTNER_CREDENTIALS[partner-430000]",
    ):
        assert name in str(refused.value)
    real = Settings(
        environment="production",
        internal_token="k1",
        mobile_session_secret="k2",
        operator_tokens={"k3": {"operator": "review-3", "roles": ["filing_review"]}},
        partner_credentials={"partner-430000": {"province": "430000", "secret": "k4"}},
    )
    assert real.is_production
