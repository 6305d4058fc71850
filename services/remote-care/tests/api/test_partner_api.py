"""Partner provinces see only their own insured people and statements they are a party to."""

from __future__ import annotations

import pytest
from builders import BEIJING, HUNAN, OPERATOR, TIBET, WU_GANG, ZHAXI, feed, person_enrolled, settled
from builders import partner_call as call

from remote_care.api.auth import partner_headers
from remote_care.usecases.common import today


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


def test_the_treating_side_reads_a_statement_but_only_the_paying_side_confirms_or_disputes_it(cleared) -> None:
    path = "/partner/v1/statements/CLR-202601-430600-110100"  # Hunan's insured, treated in Beijing
    assert call(cleared, BEIJING, "GET", path).status_code == 200
    assert call(cleared, BEIJING, "GET", path + "/lines").json()["totalrow"] == 1
    confirmed = call(cleared, BEIJING, "POST", path + "/confirm")
    disputed = call(cleared, BEIJING, "POST", path + "/dispute", {"reason": "we want it paid"})
    assert (confirmed.status_code, confirmed.json()["code"]) == (403, "paying_side_only")
    assert disputed.status_code == 403
    assert "only the paying side, province 430000" in confirmed.json()["detail"]
    # The payer's dispute is still open to it: nothing was accepted on its behalf.
    answer = call(cleared, HUNAN, "POST", path + "/dispute", {"reason": "line S1 was never admitted"})
    assert answer.status_code == 200 and answer.json()["status"] == "disputed"


def test_within_one_province_the_province_is_the_paying_side_and_confirms(cleared) -> None:
    path = "/partner/v1/statements/CLR-202601-540100-540200"
    answer = call(cleared, TIBET, "POST", path + "/confirm")
    assert answer.status_code == 200 and answer.json()["status"] == "confirmed"


# Header bytes as sent; the server reads them as Latin-1, so b"\xb2" arrives as '²', which str.isdigit() takes.
@pytest.mark.parametrize("timestamp", [b"\xb2", b"1764632000\xb2", "١٧٦٤".encode(), b"9" * 5000, b"-1", b"1e9"])
def test_a_timestamp_that_is_not_ascii_unix_seconds_gets_a_401_naming_the_header_never_a_500(
    cleared, timestamp
) -> None:
    answer = call(cleared, HUNAN, "GET", f"/partner/v1/people/{WU_GANG}", **{"x-partner-timestamp": timestamp})
    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert "x-partner-timestamp" in answer.json()["detail"] and "ASCII digits" in answer.json()["detail"]


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
        "begndate": today().isoformat(),
    }
    assert call(cleared, HUNAN, "POST", "/partner/v1/filings", body).status_code == 403
    created = call(cleared, TIBET, "POST", "/partner/v1/filings", body)
    assert created.status_code == 201 and created.json()["channel"] == "partner"
    assert [f["psn_no"] for f in call(cleared, TIBET, "GET", "/partner/v1/filings").json()] == [ZHAXI]
    assert call(cleared, HUNAN, "GET", "/partner/v1/filings").json() == []
    assert (
        call(cleared, HUNAN, "POST", f"/partner/v1/filings/{created.json()['filing_id']}/revoke", {}).status_code == 403
    )


@pytest.mark.parametrize("filing_type", ["temporary_other", "long_term_resident"])
@pytest.mark.parametrize("begndate", ["9999-06-01", "9999-12-31"])
def test_a_filing_starting_in_year_9999_is_refused_naming_begndate_never_a_500(cleared, begndate, filing_type) -> None:
    body = {"psn_no": ZHAXI, "filing_type": filing_type, "target_admdvs": "110100", "begndate": begndate}
    answer = call(cleared, TIBET, "POST", "/partner/v1/filings", body)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "bad_dates" and f"begndate {begndate}" in answer.json()["detail"]
