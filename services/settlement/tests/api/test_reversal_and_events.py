"""Reversal gives back exactly what a settlement took; every change is published."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from support import WANGQIANG, ZHUOMA, line, open_outpatient, settle_input

from medshared import jsonutil
from settlement.db import outbox


def published(app):
    with app.state.runtime.factory() as session:
        rows = session.execute(select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)).all()
    return [(r.event_type, jsonutil.loads(r.body)["payload"]) for r in rows]


def cumulative(his, psn_no):
    out = his.ok("5206", {"data": {"psn_no": psn_no, "cum_ym": "202611"}}, insuplc="540100")
    return {c["cum_type_code"]: c["cum"] for c in out["cuminfo"]}


def balance(his, certno):
    return his.ok("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno}})["insuinfo"][0]["balc"]


def employee_visit(his):
    mdtrt_id = open_outpatient(his, WANGQIANG)
    his.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "1200", mdtrt_id, WANGQIANG)]}, insuplc="540100")
    return mdtrt_id


def test_reversal_restores_every_accumulator_and_the_account_exactly(lhasa):
    before_cum, before_balc = cumulative(lhasa, WANGQIANG), balance(lhasa, "540102198501150411")
    mdtrt_id = employee_visit(lhasa)
    info = lhasa.ok("2207", settle_input(WANGQIANG, mdtrt_id, "1200", acct="1"), insuplc="540100")["setlinfo"]
    assert info["hifp_pay"] == Decimal("500.00") and info["acct_pay"] == Decimal("700.00")
    assert balance(lhasa, "540102198501150411") == before_balc - Decimal("700.00")

    reversal = lhasa.ok(
        "2208", {"data": {"setl_id": info["setl_id"], "mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}}, insuplc="540100"
    )["setlinfo"]
    assert reversal["hifp_pay"] == Decimal("-500.00") and reversal["balc"] == before_balc
    assert cumulative(lhasa, WANGQIANG) == before_cum
    assert balance(lhasa, "540102198501150411") == before_balc


def test_2601_on_a_settled_msgid_reverses_it_and_a_second_2601_is_refused(lhasa):
    mdtrt_id = employee_visit(lhasa)
    msgid = lhasa.msgid()
    lhasa.ok("2207", settle_input(WANGQIANG, mdtrt_id, "1200", acct="1"), insuplc="540100", msgid=msgid)
    undo = {"data": {"psn_no": WANGQIANG, "omsgid": msgid, "oinfno": "2207"}}
    out = lhasa.ok("2601", undo, insuplc="540100")
    assert out["setlinfo"]["medfee_sumamt"] == Decimal("-1200.00")
    again = lhasa.call("2601", undo, insuplc="540100")
    assert again["infcode"] == -1 and "already reversed" in again["err_msg"]
    assert cumulative(lhasa, WANGQIANG)["hifp_outpatient"] == Decimal("0.00")


def test_2601_on_a_registration_cancels_the_visit(clinic):
    msgid = clinic.msgid()
    data = {
        "psn_no": ZHUOMA,
        "insutype": "390",
        "begntime": "2026-11-24 09:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "54010219750312022X",
        "ipt_otp_no": "OP1",
        "atddr_no": "D",
        "dr_name": "D",
        "dept_code": "D",
        "dept_name": "D",
        "caty": "A03",
    }
    mdtrt_id = clinic.ok("2201", {"data": data}, insuplc="540100", msgid=msgid)["data"]["mdtrt_id"]
    clinic.ok("2601", {"data": {"psn_no": ZHUOMA, "omsgid": msgid, "oinfno": "2201"}}, insuplc="540100")
    answer = clinic.call(
        "2203",
        {"mdtrtinfo": {"mdtrt_id": mdtrt_id, "psn_no": ZHUOMA, "med_type": "11", "begntime": "2026-11-24 09:00:00"}},
        insuplc="540100",
    )
    assert "was cancelled" in answer["err_msg"]


def test_settlement_and_reversal_are_published_with_their_full_breakdown(lhasa, client):
    mdtrt_id = employee_visit(lhasa)
    info = lhasa.ok("2207", settle_input(WANGQIANG, mdtrt_id, "1200", acct="1"), insuplc="540100")["setlinfo"]
    lhasa.ok(
        "2208", {"data": {"setl_id": info["setl_id"], "mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}}, insuplc="540100"
    )
    (settled_type, settled), (reversed_type, reversed_) = published(client.app)
    assert (settled_type, reversed_type) == ("VisitSettled", "SettlementReversed")
    s = settled["settlement"]
    assert s["setl_id"] == info["setl_id"] and s["pay_loc"] == "2" and s["clr_type"] == "11"
    assert (s["hifp_pay"], s["acct_pay"], s["reversed"]) == ("500.00", "700.00", False)
    assert s["policy_versions"] == {
        "catalogue": "catalogue-2026:1",
        "policy": "540100-310-2026:1",
        "supervision": "SUP-DEMO-2026",
    }
    assert [d["fund_pay_type"] for d in s["setldetail"]] == ["310100", "310200"]
    assert reversed_["original_setl_id"] == info["setl_id"]
    assert (reversed_["settlement"]["hifp_pay"], reversed_["settlement"]["reversed"]) == ("-500.00", True)


def test_passing_a_yearly_self_paid_threshold_is_published(lhasa, client):
    mdtrt_id = open_outpatient(lhasa, ZHUOMA)
    lhasa.ok("2204", {"feedetail": [line("1", "ZZ9999999999000", "1", "20000", mdtrt_id, ZHUOMA)]}, insuplc="540100")
    lhasa.ok("2207", settle_input(ZHUOMA, mdtrt_id, "20000"), insuplc="540100")
    passed = [p for t, p in published(client.app) if t == "CostThresholdPassed"]
    assert passed == [
        {"psn_no": ZHUOMA, "year": 2026, "kind": "self_paid", "threshold": "20000.00", "amount_after": "20000.00"}
    ]


def test_3201_agrees_when_the_his_totals_match_and_names_the_difference_when_not(lhasa):
    mdtrt_id = employee_visit(lhasa)
    lhasa.ok("2207", settle_input(WANGQIANG, mdtrt_id, "1200", acct="1"), insuplc="540100")
    data = {
        "insutype": "310",
        "clr_type": "11",
        "setl_optins": "540100",
        "stmt_begndate": "2026-01-01",
        "stmt_enddate": "2026-12-31",
        "medfee_sumamt": Decimal("1200.00"),
        "fund_pay_sumamt": Decimal("500.00"),
        "acct_pay": Decimal("700.00"),
        "fixmedins_setl_cnt": 1,
    }
    assert lhasa.ok("3201", {"data": data})["stmtinfo"]["stmt_rslt"] == "0"
    data["acct_pay"] = Decimal("600.00")
    result = lhasa.ok("3201", {"data": data})["stmtinfo"]
    assert result["stmt_rslt"] == "1" and "acct_pay: platform 700.00, HIS 600.00" in result["stmt_rslt_dscr"]


def test_5203_returns_a_stored_settlement(lhasa):
    mdtrt_id = employee_visit(lhasa)
    info = lhasa.ok("2207", settle_input(WANGQIANG, mdtrt_id, "1200", acct="1"), insuplc="540100")["setlinfo"]
    out = lhasa.ok(
        "5203", {"data": {"psn_no": WANGQIANG, "setl_id": info["setl_id"], "mdtrt_id": mdtrt_id}}, insuplc="540100"
    )
    assert out["setlinfo"]["fund_pay_sumamt"] == Decimal("500.00") and out["setlinfo"]["refd_setl_flag"] == "0"
