"""Filing through the phone, the HIS front door and the desk, with problem details on refusal."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from builders import INTERNAL, OPERATOR, WU_GANG, ZHAXI, ZHOU_MIN, feed, person_enrolled

from remote_care.api.auth import mint_mobile_token
from remote_care.domain.filings import temporary_last_day
from remote_care.usecases import common

TERMINATED = "43060000000000000009"


@pytest.fixture
def people(client):
    feed(
        client.app.state.runtime,
        person_enrolled(WU_GANG, insutype="310", psn_type="1201"),
        person_enrolled(ZHOU_MIN),
        person_enrolled(ZHAXI, pool="540100"),
        person_enrolled(
            TERMINATED,
            status="terminated",
            periods=[{"status": "terminated", "begndate": "2026-01-01", "enddate": None}],
        ),
    )
    return client


def phone(psn_no: str, secret: str = "dev-mobile-session-secret") -> dict[str, str]:
    return {
        "authorization": "Bearer "
        + mint_mobile_token(secret, f"openid-{psn_no[-2:]}", psn_no, exp=int(time.time()) + 600)
    }


def filing_body(psn_no: str, kind: str = "temporary_other", **extra) -> dict:
    return {
        "psn_no": psn_no,
        "filing_type": kind,
        "target_admdvs": "110100",
        "begndate": common.today().isoformat(),
        **extra,
    }


def test_a_person_files_on_the_phone_and_the_answer_is_immediate(people) -> None:
    body = filing_body("")
    del body["psn_no"]
    created = people.post("/mobile/v1/filings", json=body, headers=phone(ZHOU_MIN))
    assert created.status_code == 201
    filing = created.json()
    assert (filing["psn_no"], filing["status"], filing["channel"]) == (ZHOU_MIN, "active", "mobile")
    assert filing["enddate"] is not None and filing["created_by"] == "openid:openid-01"
    assert [f["filing_id"] for f in people.get("/mobile/v1/filings", headers=phone(ZHOU_MIN)).json()] == [
        filing["filing_id"]
    ]
    revoked = people.post(
        f"/mobile/v1/filings/{filing['filing_id']}/revoke", json={"memo": "trip cancelled"}, headers=phone(ZHOU_MIN)
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"


def test_a_person_on_the_phone_cannot_touch_someone_elses_filings(people) -> None:
    theirs = people.post("/admin/v1/filings", json=filing_body(ZHOU_MIN), headers=OPERATOR).json()
    assert people.post("/mobile/v1/filings", json=filing_body(ZHOU_MIN), headers=phone(WU_GANG)).status_code == 403
    assert (
        people.post(f"/mobile/v1/filings/{theirs['filing_id']}/revoke", json={}, headers=phone(WU_GANG)).status_code
        == 403
    )
    assert people.get("/mobile/v1/filings", headers=phone(WU_GANG)).json() == []


@pytest.mark.parametrize("headers", [{}, {"authorization": "Bearer nonsense"}, "forged"])
def test_the_phone_channel_refuses_a_missing_or_forged_session(people, headers) -> None:
    if headers == "forged":
        headers = phone(ZHOU_MIN, secret="not-the-secret")
    answer = people.get("/mobile/v1/filings", headers=headers)
    assert answer.status_code == 401 and answer.json()["code"] == "unauthorized"


def referral(**overrides) -> dict:
    today = common.today()
    return {
        "psn_no": ZHOU_MIN,
        "insutype": "390",
        "diag_code": "I21.9",
        "diag_name": "急性心肌梗死",
        "reflin_medins_no": "H11010000001",
        "reflin_medins_name": "北京市第一医院(演示)",
        "mdtrtarea_admdvs": "110100",
        "refl_type": "1",
        "refl_date": today.isoformat(),
        "refl_rea": "需上级医院治疗",
        "refl_opnn": "同意转诊",
        "begndate": today.isoformat(),
        "enddate": (today + timedelta(days=400)).isoformat(),
        "insuplc_admdvs": "430600",
        "fixmedins_code": "H43060000001",
        **overrides,
    }


def test_a_his_referral_filing_returns_its_trt_dcla_detl_sn_and_is_revoked_by_it(people) -> None:
    created = people.post("/internal/v1/referral-filings", json=referral(), headers=INTERNAL)
    assert created.status_code == 201
    sn = created.json()["trt_dcla_detl_sn"]
    assert sn.startswith("430600") and len(sn) <= 30
    filing = created.json()["filing"]
    assert (filing["filing_type"], filing["channel"], filing["created_by"]) == ("referral", "his", "H43060000001")
    assert filing["enddate"] == temporary_last_day(common.today(), None).isoformat()

    by_filer = {"fixmedins_code": "H43060000001"}
    wrong_person = people.post(
        f"/internal/v1/referral-filings/{sn}/revoke", json={"psn_no": WU_GANG, **by_filer}, headers=INTERNAL
    )
    revoked = people.post(
        f"/internal/v1/referral-filings/{sn}/revoke",
        json={"psn_no": ZHOU_MIN, "memo": "改期", **by_filer},
        headers=INTERNAL,
    )
    again = people.post(
        f"/internal/v1/referral-filings/{sn}/revoke", json={"psn_no": ZHOU_MIN, **by_filer}, headers=INTERNAL
    )
    assert wrong_person.status_code == 403
    assert revoked.status_code == 200 and revoked.json()["filing"]["status"] == "revoked"
    assert revoked.json()["filing"]["revoked_by"] == "H43060000001"
    assert again.status_code == 409


def test_only_the_institution_that_filed_a_referral_may_revoke_it_knowing_the_serial_and_psn_no(people) -> None:
    sn = people.post("/internal/v1/referral-filings", json=referral(), headers=INTERNAL).json()["trt_dcla_detl_sn"]
    path = f"/internal/v1/referral-filings/{sn}/revoke"
    stranger = people.post(path, json={"psn_no": ZHOU_MIN, "fixmedins_code": "H11010000001"}, headers=INTERNAL)
    unnamed = people.post(path, json={"psn_no": ZHOU_MIN}, headers=INTERNAL)
    assert (stranger.status_code, stranger.json()["code"]) == (403, "not_filing_institution")
    assert "H11010000001" in stranger.json()["detail"] and "filed by another institution" in stranger.json()["detail"]
    assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "fixmedins_code"
    filings = people.get("/admin/v1/filings", params={"psn_no": ZHOU_MIN}, headers=OPERATOR).json()
    assert [f["status"] for f in filings] == ["active"]
    # The bureau still may, at its desk.
    desk = people.post(
        f"/admin/v1/filings/{filings[0]['filing_id']}/revoke", json={"memo": "at the desk"}, headers=OPERATOR
    )
    assert desk.status_code == 200 and desk.json()["status"] == "revoked"


def test_the_his_front_door_needs_its_token_and_a_known_number(people) -> None:
    assert (
        people.post("/internal/v1/referral-filings", json=referral(), headers={"x-internal-token": "x"}).status_code
        == 401
    )
    unknown = people.post(
        "/internal/v1/referral-filings/999/revoke",
        json={"psn_no": ZHOU_MIN, "fixmedins_code": "H43060000001"},
        headers=INTERNAL,
    )
    assert unknown.status_code == 404 and "2501" in unknown.json()["detail"]


def test_a_his_referral_with_the_wrong_insured_pool_is_refused_with_a_clerk_readable_reason(people) -> None:
    answer = people.post("/internal/v1/referral-filings", json=referral(insuplc_admdvs="540100"), headers=INTERNAL)
    assert answer.status_code == 422
    assert answer.json()["code"] == "wrong_pool" and "1101" in answer.json()["detail"]


REFUSALS = [
    (
        "a second long-term filing",
        [filing_body(WU_GANG, "resettled_retiree")],
        filing_body(WU_GANG, "long_term_resident"),
        409,
        "long_term_exists",
    ),
    ("a resident's 异地安置退休", [], filing_body(ZHOU_MIN, "resettled_retiree"), 422, "not_retired"),
    ("a filing for a terminated person", [], filing_body(TERMINATED), 422, "not_enrolled"),
    ("an unknown filing type", [], filing_body(ZHOU_MIN, "holiday"), 422, "invalid_request"),
]


@pytest.mark.parametrize("case, before, body, status, code", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_the_desk_gets_problem_details_when_a_filing_rule_refuses(people, case, before, body, status, code) -> None:
    for earlier in before:
        assert people.post("/admin/v1/filings", json=earlier, headers=OPERATOR).status_code == 201
    answer = people.post("/admin/v1/filings", json=body, headers=OPERATOR)
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == code and answer.json()["detail"]
    assert len(people.get("/admin/v1/filings", params={"psn_no": body["psn_no"]}, headers=OPERATOR).json()) == len(
        before
    )


def test_the_desk_corrects_a_filing_and_the_version_grows(people) -> None:
    created = people.post("/admin/v1/filings", json=filing_body(ZHOU_MIN), headers=OPERATOR).json()
    changed = people.patch(
        f"/admin/v1/filings/{created['filing_id']}", json={"target_admdvs": "110000"}, headers=OPERATOR
    )
    assert changed.status_code == 200
    assert (changed.json()["target_admdvs"], changed.json()["version"]) == ("110000", 2)
    assert people.get("/admin/v1/filings", headers={"x-operator-token": "wrong"}).status_code == 401
