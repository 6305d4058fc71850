"""The bureau's clearing desk: run a month, page its lines the 3260 way, and walk the lifecycle."""

from __future__ import annotations

from decimal import Decimal

from builders import ANHUI, OPERATOR, feed, reversal_of, settled
from builders import partner_call as call


def test_the_3260_extraction_pages_a_months_lines_by_100_for_the_treating_side(client) -> None:
    events = [
        settled(treating="110100", when=f"2026-01-{1 + i % 28:02d}T08:00:00", fund="10.01", acct="0.00")
        for i in range(130)
    ]
    events.append(settled(insured="540100", treating="341300", when="2026-01-05T08:00:00"))
    feed(client.app.state.runtime, *events, reversal_of(events[0]), topic="settlement.settlements.v1")
    assert client.post("/admin/v1/clearing/runs", json={"period": "2026-01"}, headers=OPERATOR).status_code == 201

    query = {"trt_year": 2026, "trt_month": 1, "mdtrtarea": "110100"}
    first = client.get("/admin/v1/clearing/3260", params={**query, "startrow": 1}, headers=OPERATOR).json()
    second = client.get("/admin/v1/clearing/3260", params={**query, "startrow": 101}, headers=OPERATOR).json()

    assert first["totalrow"] == 130 and len(first["data"]) == 100 and len(second["data"]) == 30
    assert [r["seqno"] for r in second["data"]][:2] == [101, 102]
    assert {r["mdtrtarea"] for r in first["data"] + second["data"]} == {"110100"}
    total = sum(Decimal(r["optins_pay_sumamt"]) for r in first["data"] + second["data"])
    assert total == Decimal("10.01") * 129


def test_clearing_refuses_an_open_month_and_an_unknown_statement_with_problem_details(client) -> None:
    open_month = client.post("/admin/v1/clearing/runs", json={"period": "2099-01"}, headers=OPERATOR)
    unknown = client.get("/admin/v1/clearing/statements/CLR-nope", headers=OPERATOR)
    assert (open_month.status_code, open_month.json()["code"]) == (422, "month_open")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")


def test_a_statement_is_disputed_and_confirmed_by_its_paying_side_and_reissued_by_the_bureau_with_an_audit_trail(
    client,
) -> None:
    feed(
        client.app.state.runtime,
        settled(insured="341300", treating="430600", clr_type="11"),
        topic="settlement.settlements.v1",
    )
    [statement] = client.post("/admin/v1/clearing/runs", json={"period": "2026-01"}, headers=OPERATOR).json()
    sid = statement["statement_id"]
    path, partner_path = f"/admin/v1/clearing/statements/{sid}", f"/partner/v1/statements/{sid}"
    assert statement["by_clr_type"]["11"]["owed_amt"] == "700.00"
    assert statement["by_fund"] == {"fund_pay_sumamt": "600.00", "acct_pay": "100.00"}

    assert client.post(path + "/reissue", headers=OPERATOR).status_code == 409
    assert call(client, ANHUI, "POST", partner_path + "/dispute", {"reason": ""}).status_code == 422
    disputed = call(client, ANHUI, "POST", partner_path + "/dispute", {"reason": "amount of S1 contested"})
    assert disputed.json()["status"] == "disputed"
    assert client.post(path + "/reissue", headers=OPERATOR).json()["status"] == "reissued"
    assert call(client, ANHUI, "POST", partner_path + "/confirm").json()["status"] == "confirmed"
    trail = client.get(path + "/audit", headers=OPERATOR).json()
    assert [(t["action"], t["actor"]) for t in trail] == [
        ("issue", "admin:desk-7"),
        ("dispute", "partner:partner-340000"),
        ("reissue", "admin:desk-7"),
        ("confirm", "partner:partner-340000"),
    ]


def test_the_bureau_desk_no_longer_confirms_or_disputes_a_statement_for_the_paying_side(client) -> None:
    feed(client.app.state.runtime, settled(insured="341300", treating="430600"), topic="settlement.settlements.v1")
    [statement] = client.post("/admin/v1/clearing/runs", json={"period": "2026-01"}, headers=OPERATOR).json()
    path = f"/admin/v1/clearing/statements/{statement['statement_id']}"
    assert client.post(path + "/confirm", headers=OPERATOR).status_code in (404, 405)
    assert client.post(path + "/dispute", json={"reason": "x"}, headers=OPERATOR).status_code in (404, 405)
    assert client.get(path, headers=OPERATOR).json()["status"] == "issued"
