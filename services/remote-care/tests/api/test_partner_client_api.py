"""The reference partner client (remote_care.examples.partner_client) against the service:
every /partner/v1 route it wraps, signed as the guide says, and what a stranger province meets."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from builders import (
    ANHUI,
    BEIJING,
    HUNAN,
    OPERATOR,
    TIBET,
    WU_GANG,
    ZHAXI,
    feed,
    person_enrolled,
    reversal_of,
    settled,
)

from remote_care.examples.partner_client import PartnerClient, PartnerError, main, signed_headers
from remote_care.usecases.common import today

THIS_MONTH = f"{today():%Y-%m}"


def partner(client, who: tuple[str, str]) -> PartnerClient:
    return PartnerClient("http://testserver", *who, http=client)


@pytest.fixture
def cleared(client):
    """January issued (Hunan's 430600 and 430100 treated in Beijing, one reversal), this month open."""
    runtime = client.app.state.runtime
    feed(runtime, person_enrolled(WU_GANG, insutype="310", psn_type="1201"), person_enrolled(ZHAXI, pool="540100"))
    stay = settled(insured="430600", treating="110100", fund="1300.00", acct="0.00", medfee="3000.00")
    feed(
        runtime,
        stay,
        settled(insured="430600", treating="110100", fund="2275.00", acct="12.34", medfee="4500.00"),
        reversal_of(stay, when="2026-01-20T08:00:00"),
        settled(insured="430100", treating="110100", fund="100.01", acct="0.99", medfee="150.00"),
        settled(insured="540100", treating="430600", when="2026-01-09T09:00:00"),
        settled(insured="430600", treating="110100", when=f"{THIS_MONTH}-01T08:00:00", fund="8.88", acct="0.00"),
        topic="settlement.settlements.v1",
    )
    assert client.post("/admin/v1/clearing/runs", json={"period": "2026-01"}, headers=OPERATOR).status_code == 201
    return client


def test_the_reference_client_files_lists_and_revokes_for_its_own_insured_people(cleared) -> None:
    tibet = partner(cleared, TIBET)
    body = {"psn_no": ZHAXI, "filing_type": "temporary_other", "target_admdvs": "110100", "begndate": f"{today()}"}

    filed = tibet.file(body)
    listed = tibet.filings(psn_no=ZHAXI, status="active")
    revoked = tibet.revoke_filing(filed["filing_id"], memo="plans changed")

    assert filed["channel"] == "partner" and [f["filing_id"] for f in listed] == [filed["filing_id"]]
    assert revoked["status"] == "revoked" and revoked["revoked_by"] == "partner-540000"
    assert tibet.person(ZHAXI)["filings"][0]["status"] == "revoked"
    with pytest.raises(PartnerError) as refused:
        partner(cleared, HUNAN).file(body)
    assert refused.value.status == 403 and "province 430000 may only act" in refused.value.detail


def test_a_signed_query_string_is_part_of_the_signature(cleared) -> None:
    path = "/partner/v1/statements?period=2026-01"
    headers = signed_headers(*HUNAN, "GET", path)
    assert cleared.get(path, headers=headers).status_code == 200
    forged = signed_headers(*HUNAN, "GET", "/partner/v1/statements?period=2026-01")
    answer = cleared.get("/partner/v1/statements?period=2026-02", headers=forged)
    assert answer.status_code == 401 and "path?query" in answer.json()["detail"]


def test_the_paying_province_reads_its_province_statement_to_the_cent_disputes_a_line_and_confirms(cleared) -> None:
    hunan = partner(cleared, HUNAN)
    [province] = [p for p in hunan.province_statements("2026-01") if p["treating_province"] == "110000"]

    assert province["province_statement_id"] == "PRV-202601-430000-110000"
    assert [(line["statement_id"], line["owed_amt"]) for line in province["lines"]] == [
        ("CLR-202601-430100-110100", "101.00"),
        ("CLR-202601-430600-110100", "2287.34"),
    ]
    assert (province["owed_amt"], province["setl_cnt"], province["status"]) == ("2388.34", 2, "issued")
    lines = list(hunan.all_lines("CLR-202601-430600-110100"))
    assert sorted((line["setl_cnt"], line["reversed"], line["owed_amt"]) for line in lines) == [
        (0, True, "0.00"),
        (1, False, "2287.34"),
    ]

    hunan.dispute("CLR-202601-430100-110100", "the 0.99 account share is not ours")
    cleared.post("/admin/v1/clearing/statements/CLR-202601-430100-110100/reissue", headers=OPERATOR)
    reissued = hunan.statement("CLR-202601-430100-110100")
    confirmed = hunan.confirm_province_statement("PRV-202601-430000-110000")

    assert (reissued["status"], reissued["dispute_reason"], reissued["revision"]) == ("reissued", None, 2)
    assert confirmed["status"] == "confirmed" and {line["status"] for line in confirmed["lines"]} == {"confirmed"}
    history = hunan.history("CLR-202601-430100-110100")
    assert [(h["action"], h["reason"]) for h in history] == [
        ("issue", None),
        ("dispute", "the 0.99 account share is not ours"),
        ("reissue", None),
        ("confirm", None),
    ]


def test_a_stranger_province_reads_and_confirms_nothing_of_another_provinces_statements(cleared) -> None:
    tibet = partner(cleared, TIBET)
    refusals = [
        lambda: tibet.statement("CLR-202601-430600-110100"),
        lambda: tibet.lines("CLR-202601-430600-110100"),
        lambda: tibet.history("CLR-202601-430600-110100"),
        lambda: tibet.confirm("CLR-202601-430600-110100"),
        lambda: tibet.dispute("CLR-202601-430600-110100", "not ours"),
        lambda: tibet.province_statement("PRV-202601-430000-110000"),
        lambda: tibet.confirm_province_statement("PRV-202601-430000-110000"),
        lambda: tibet.preview_lines(THIS_MONTH, "430600", "110100"),
        lambda: tibet.confirm(f"CLR-{THIS_MONTH.replace('-', '')}-430600-110100"),
    ]
    for refusal in refusals:
        with pytest.raises(PartnerError) as refused:
            refusal()
        assert refused.value.status == 403, refused.value
        assert refused.value.problem["status"] == 403 and "540000" in refused.value.detail
    assert [p["province_statement_id"] for p in tibet.province_statements()] == ["PRV-202601-540000-430000"]
    assert tibet.previews() == [] and tibet.province_previews() == []
    assert partner(cleared, ANHUI).province_statements() == []
    status = cleared.get("/admin/v1/clearing/statements/CLR-202601-430600-110100", headers=OPERATOR).json()["status"]
    assert status == "issued"


def test_the_open_month_preview_is_marked_and_confirming_it_names_why_not(cleared) -> None:
    beijing = partner(cleared, BEIJING)
    [preview] = beijing.previews()
    [province] = beijing.province_previews(THIS_MONTH)
    page = beijing.preview_lines(THIS_MONTH, "430600", "110100")

    issued_as = f"CLR-{THIS_MONTH.replace('-', '')}-430600-110100"
    assert (preview["preview"], preview["status"], preview["issued_as"]) == (True, "preview", issued_as)
    assert "statement_id" not in preview and preview["owed_amt"] == "8.88"
    assert province["issued_as"] == f"PRV-{THIS_MONTH.replace('-', '')}-430000-110000" and province["preview"] is True
    assert page["preview"] is True and [line["owed_amt"] for line in page["lines"]] == ["8.88"]
    for attempt in (
        lambda: partner(cleared, HUNAN).confirm(issued_as),
        lambda: partner(cleared, HUNAN).dispute(issued_as, "too early"),
        lambda: partner(cleared, HUNAN).confirm_province_statement(province["issued_as"]),
    ):
        with pytest.raises(PartnerError) as refused:
            attempt()
        assert (refused.value.status, refused.value.code) == (409, "preview_not_confirmable")
        assert f"month {THIS_MONTH} is still open" in refused.value.detail
    with pytest.raises(PartnerError) as not_issued:
        beijing.province_statement(province["issued_as"])
    assert (not_issued.value.status, not_issued.value.code) == (404, "not_issued")
    # The bureau sees the same preview; an issued month has none left.
    desk = cleared.get("/admin/v1/clearing/statements/preview", headers=OPERATOR).json()
    assert [p["issued_as"] for p in desk] == [issued_as]
    assert beijing.previews("2026-01") == []
    assert Decimal(preview["owed_amt"]) == Decimal(preview["fund_pay_sumamt"]) + Decimal(preview["acct_pay"])
    assert dt.date.fromisoformat(preview["as_of"][:10]) >= today() - dt.timedelta(days=1)


def test_the_bureau_reads_province_statements_and_an_unknown_id_is_refused_naming_the_shape(cleared) -> None:
    desk = cleared.get("/admin/v1/clearing/province-statements", params={"period": "2026-01"}, headers=OPERATOR)
    one = cleared.get("/admin/v1/clearing/province-statements/PRV-202601-540000-430000", headers=OPERATOR)
    bad = cleared.get("/admin/v1/clearing/province-statements/CLR-202601-430600-110100", headers=OPERATOR)

    assert [p["province_statement_id"] for p in desk.json()] == ["PRV-202601-430000-110000", "PRV-202601-540000-430000"]
    assert one.json()["owed_amt"] == "700.00" and one.json()["scope"] == "cross_province"
    assert (bad.status_code, bad.json()["code"]) == (422, "bad_statement_id")
    assert "PRV-yyyyMM" in bad.json()["detail"]


def test_the_command_line_prints_a_signed_answer_and_a_refusal_as_problem_details(cleared, capsys) -> None:
    hunan = ["--key", HUNAN[0], "--secret", HUNAN[1]]

    assert main([*hunan, "province-statement", "PRV-202601-430000-110000"], http=cleared) == 0
    printed = json.loads(capsys.readouterr().out)
    assert main([*hunan, "confirm", f"CLR-{THIS_MONTH.replace('-', '')}-430600-110100"], http=cleared) == 1
    refused = json.loads(capsys.readouterr().err)

    assert printed["owed_amt"] == "2388.34" and len(printed["lines"]) == 2
    assert refused["code"] == "preview_not_confirmable"
