"""Partner provinces see only their own insured people and statements they are a party to."""

from __future__ import annotations

import json

import pytest
from builders import OPERATOR, WU_GANG, ZHAXI, feed, person_enrolled, settled

from remote_care import handlers
from remote_care.api.auth import partner_headers

HUNAN = ("partner-430000", "dev-partner-secret-430000")
BEIJING = ("partner-110000", "dev-partner-secret-110000")
TIBET = ("partner-540000", "dev-partner-secret-540000")


def call(client, who, method, path, body=None, **header_overrides):
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {**partner_headers(*who, method, path, raw), "content-type": "application/json", **header_overrides}
    return client.request(method, path, content=raw, headers=headers)


@pytest.fixture
def cleared(client):
    runtime = client.app.state.runtime
    feed(runtime, person_enrolled(WU_GANG, insutype="310", psn_type="1201"), person_enrolled(ZHAXI, pool="540100"))
    feed(
        runtime,
        settled(insured="430600", treating="110100"),
        settled(insured="540100", treating="540200", pay_loc="3"),
        topic="settlement.settlements.v1",
    )
    assert client.post("/admin/v1/clearing/runs", json={"period": "2026-01"}, headers=OPERATOR).status_code == 201
    return client


def test_a_province_reads_its_own_insured_person(cleared) -> None:
    answer = call(cleared, HUNAN, "GET", f"/partner/v1/people/{WU_GANG}")
    assert answer.status_code == 200
    assert answer.json()["enrollments"][0]["insuplc_admdvs"] == "430600"


def test_a_province_gets_403_and_no_data_for_another_provinces_person(cleared) -> None:
    answer = call(cleared, TIBET, "GET", f"/partner/v1/people/{WU_GANG}")
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert "enrollments" not in answer.json() and "filings" not in answer.json()


def test_a_province_lists_only_statements_it_is_a_party_to(cleared) -> None:
    beijing = call(cleared, BEIJING, "GET", "/partner/v1/statements?period=2026-01").json()
    tibet = call(cleared, TIBET, "GET", "/partner/v1/statements").json()
    assert [s["statement_id"] for s in beijing] == ["CLR-202601-430600-110100"]
    assert [s["statement_id"] for s in tibet] == ["CLR-202601-540100-540200"]


def test_a_province_cannot_read_or_confirm_a_statement_it_is_not_party_to(cleared) -> None:
    other = "/partner/v1/statements/CLR-202601-430600-110100"
    assert call(cleared, TIBET, "GET", other).status_code == 403
    assert call(cleared, TIBET, "GET", other + "/lines").status_code == 403
    assert call(cleared, TIBET, "POST", other + "/confirm").status_code == 403
    assert (
        cleared.get("/admin/v1/clearing/statements/CLR-202601-430600-110100", headers=OPERATOR).json()["status"]
        == "issued"
    )


def test_a_party_disputes_with_a_reason_and_reads_the_lines(cleared) -> None:
    path = "/partner/v1/statements/CLR-202601-430600-110100"
    lines = call(cleared, HUNAN, "GET", path + "/lines").json()
    disputed = call(cleared, HUNAN, "POST", path + "/dispute", {"reason": "line S1 was never admitted"})
    assert lines["totalrow"] == 1 and lines["lines"][0]["owed_amt"] == "700.00"
    assert disputed.status_code == 200 and disputed.json()["status"] == "disputed"


@pytest.mark.parametrize(
    "tamper",
    [
        {"x-partner-signature": "0" * 64},
        {"x-partner-key": "partner-999999"},
        {"x-partner-timestamp": "1000000000"},
        {"x-partner-nonce": ""},
    ],
)
def test_a_wrong_missing_or_stale_credential_gets_401_and_no_data(cleared, tamper) -> None:
    answer = call(cleared, HUNAN, "GET", f"/partner/v1/people/{WU_GANG}", **tamper)
    assert answer.status_code == 401
    assert "psn_name" not in answer.text


def test_a_replayed_request_is_refused(cleared) -> None:
    path = f"/partner/v1/people/{WU_GANG}"
    headers = partner_headers(*HUNAN, "GET", path)
    assert cleared.get(path, headers=headers).status_code == 200
    assert cleared.get(path, headers=headers).status_code == 401


def test_a_province_files_only_for_its_own_insured_people(cleared) -> None:
    body = {
        "psn_no": ZHAXI,
        "filing_type": "temporary_other",
        "target_admdvs": "110100",
        "begndate": handlers.today().isoformat(),
    }
    assert call(cleared, HUNAN, "POST", "/partner/v1/filings", body).status_code == 403
    created = call(cleared, TIBET, "POST", "/partner/v1/filings", body)
    assert created.status_code == 201 and created.json()["channel"] == "partner"
    assert [f["psn_no"] for f in call(cleared, TIBET, "GET", "/partner/v1/filings").json()] == [ZHAXI]
    assert call(cleared, HUNAN, "GET", "/partner/v1/filings").json() == []
    assert (
        call(cleared, HUNAN, "POST", f"/partner/v1/filings/{created.json()['filing_id']}/revoke", {}).status_code == 403
    )
