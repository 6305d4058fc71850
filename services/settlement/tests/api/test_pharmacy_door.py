"""A pharmacy purchase through the national door, on SQLite and PostgreSQL: 王强 buys 二甲双胍片 at the demo
pharmacy P54010000001 (2101 -> 2102 -> 5203 -> 3201 -> 2103), paid from his account to the cent; msgid
replay, 2601 by the msgid of a 2102, a second reversal refused; a hospital and a stranger pharmacy refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from support import PEOPLE, WANGQIANG, His, counts

from medshared import jsonutil
from settlement.db import account_entry, fee_line, outbox, settlement, visit
from settlement.demo import _institution

PHARMACY, POOL = "P54010000001", "540100"
WANG_ID = PEOPLE[WANGQIANG]["certno"]
METFORMIN = "XA10BAA059A001010100001"
# What the rules give for metformin 10 x 2.00 (甲类, no cap) at a pharmacy: no fund, the account pays all.
PAID_FROM_THE_ACCOUNT = {
    "medfee_sumamt": Decimal("20.00"),
    "fulamt_ownpay_amt": Decimal("0.00"),
    "overlmt_selfpay": Decimal("0.00"),
    "preselfpay_amt": Decimal("0.00"),
    "inscp_scp_amt": Decimal("20.00"),
    "act_pay_dedc": Decimal("0.00"),
    "hifp_pay": Decimal("0.00"),
    "pool_prop_selfpay": Decimal("0"),
    "maf_pay": Decimal("0.00"),
    "fund_pay_sumamt": Decimal("0.00"),
    "psn_part_amt": Decimal("20.00"),
    "acct_pay": Decimal("20.00"),
    "psn_cash_pay": Decimal("0.00"),
    "hosp_part_amt": Decimal("0.00"),
    "balc": Decimal("4980.00"),
    "med_type": "41",
    "clr_type": "41",
    "clr_optins": POOL,
}


@pytest.fixture
def pharmacy(client: Any) -> His:
    his = His(client, PHARMACY, POOL)
    his.sign_in()
    return his


@pytest.fixture
def stranger(client: Any) -> His:
    """A second designated pharmacy of 拉萨, which must never touch the first one's purchases."""
    with client.app.state.runtime.unit_of_work() as session:
        _institution(
            session,
            {
                "fixmedins_code": "P54010000002",
                "fixmedins_name": "拉萨市第二药房",
                "admdvs": POOL,
                "hosp_lv": "pharmacy",
            },
        )
    his = His(client, "P54010000002", POOL)
    his.sign_in()
    return his


def purchase(cnt: str = "10", pric: str = "2.00", acct: str = "1") -> dict[str, Any]:
    amount = str((Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01")))
    info = {"psn_no": WANGQIANG, "mdtrt_cert_type": "02", "mdtrt_cert_no": WANG_ID, "begntime": "2026-11-24 10:00:00",
            "medfee_sumamt": amount, "insutype": "310", "acct_used_flag": acct, "med_type": "41", "invono": "FP0001"}  # fmt: skip
    drug = {"feedetl_sn": "1", "rxno": "", "rx_circ_flag": "0", "fee_ocur_time": "2026-11-24 10:00:00",
            "med_list_codg": METFORMIN, "medins_list_codg": "YP0001", "det_item_fee_sumamt": amount, "cnt": cnt,
            "pric": pric}  # fmt: skip
    return {"druginfo": info, "drugdetail": [drug]}


def balance(his: His) -> Decimal:
    out = his.ok("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": WANG_ID}})
    return Decimal(str(out["insuinfo"][0]["balc"]))


def cumulative(his: His) -> dict[str, Any]:
    out = his.ok("5206", {"data": {"psn_no": WANGQIANG, "cum_ym": "202611"}}, insuplc=POOL)
    return {c["cum_type_code"]: c["cum"] for c in out["cuminfo"]}


def totals(his: His, count: int, medfee: str, acct: str) -> dict[str, Any]:
    today = dt.date.today().isoformat()
    data = {"insutype": "310", "clr_type": "41", "setl_optins": POOL, "stmt_begndate": today, "stmt_enddate": today,
            "medfee_sumamt": medfee, "fund_pay_sumamt": "0.00", "acct_pay": acct, "fixmedins_setl_cnt": count}  # fmt: skip
    return dict(his.ok("3201", {"data": data})["stmtinfo"])


def rows(client: Any, table: Any, **match: Any) -> list[Any]:
    query = select(table)
    for column, value in match.items():
        query = query.where(table.c[column] == value)
    with client.app.state.runtime.factory() as session:
        return list(session.execute(query).all())


def test_wang_qiang_buys_metformin_from_his_account_and_the_reversal_gives_it_back_to_the_cent(client, pharmacy):
    assert balance(pharmacy) == Decimal("5000.00")
    before = cumulative(pharmacy)

    trial = pharmacy.ok("2101", purchase(), insuplc=POOL)
    assert {k: trial["setlinfo"][k] for k in PAID_FROM_THE_ACCOUNT} == PAID_FROM_THE_ACCOUNT
    assert trial["setlinfo"]["setl_id"] is None and balance(pharmacy) == Decimal("5000.00")

    settled = pharmacy.ok("2102", purchase(), insuplc=POOL)
    info = settled["setlinfo"]
    assert {k: info[k] for k in PAID_FROM_THE_ACCOUNT} == PAID_FROM_THE_ACCOUNT
    assert [(d["fund_pay_type"], d["fund_payamt"]) for d in settled["setldetail"]] == [("310200", Decimal("20.00"))]
    assert [(c["feedetl_sn"], c["inscp_scp_amt"]) for c in settled["detlcutinfo"]] == [("1", Decimal("20.00"))]
    assert balance(pharmacy) == Decimal("4980.00")
    setl_id, mdtrt_id = info["setl_id"], info["mdtrt_id"]

    (purchase_visit,) = rows(client, visit, mdtrt_id=mdtrt_id)
    assert (purchase_visit.kind, purchase_visit.status, purchase_visit.fixmedins_code) == (
        "pharmacy",
        "settled",
        PHARMACY,
    )
    (line,) = rows(client, fee_line, mdtrt_id=mdtrt_id)
    assert (line.setl_id, line.med_list_codg, line.det_item_fee_sumamt) == (setl_id, METFORMIN, Decimal("20.00"))

    query = {"data": {"psn_no": WANGQIANG, "setl_id": setl_id, "mdtrt_id": mdtrt_id}}
    shown = pharmacy.ok("5203", query, insuplc=POOL)["setlinfo"]
    assert (shown["acct_pay"], shown["clr_type"], shown["refd_setl_flag"]) == (Decimal("20.00"), "41", "0")
    assert totals(pharmacy, 1, "20.00", "20.00")["stmt_rslt"] == "0"

    undo = {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}}
    msgid = pharmacy.msgid()
    reversal = pharmacy.call("2103", undo, insuplc=POOL, msgid=msgid)
    assert reversal["infcode"] == 0, reversal["err_msg"]
    back = reversal["output"]["setlinfo"]
    assert (back["medfee_sumamt"], back["acct_pay"], back["balc"]) == (
        Decimal("-20.00"),
        Decimal("-20.00"),
        Decimal("5000.00"),
    )
    assert balance(pharmacy) == Decimal("5000.00")
    assert cumulative(pharmacy) == before
    assert totals(pharmacy, 0, "0.00", "0.00")["stmt_rslt"] == "0"

    assert pharmacy.call("2103", undo, insuplc=POOL, msgid=msgid) == reversal  # the same msgid: the same answer
    again = pharmacy.call("2103", undo, insuplc=POOL)
    assert again["infcode"] == -1 and f"setl_id {setl_id} was already reversed" in again["err_msg"]
    assert balance(pharmacy) == Decimal("5000.00")

    with client.app.state.runtime.factory() as session:
        events = session.execute(select(outbox.c.event_type, outbox.c.body).order_by(outbox.c.id)).all()
    sent = [
        (e.event_type, jsonutil.loads(e.body)["payload"]["settlement"])
        for e in events
        if e.event_type in ("VisitSettled", "SettlementReversed")
    ]
    assert [(kind, s["clr_type"], s["med_type"], s["infno"], s["acct_pay"]) for kind, s in sent[-2:]] == [
        ("VisitSettled", "41", "41", "2102", "20.00"),
        ("SettlementReversed", "41", "41", "2103", "-20.00"),
    ]


def test_a_repeated_2102_msgid_gets_the_first_answer_and_pays_once(client, pharmacy):
    msgid = pharmacy.msgid()
    first = pharmacy.call("2102", purchase(), insuplc=POOL, msgid=msgid)
    second = pharmacy.call("2102", purchase(), insuplc=POOL, msgid=msgid)

    assert first["infcode"] == 0 and second["output"] == first["output"]
    assert len(rows(client, settlement, psn_no=WANGQIANG)) == 1
    assert [e.amount for e in rows(client, account_entry, psn_no=WANGQIANG, kind="payment")] == [Decimal("-20.00")]
    other = pharmacy.call("2102", purchase(cnt="5"), insuplc=POOL, msgid=msgid)
    assert other["infcode"] == -1 and f"msgid {msgid} was already used for a different request" in other["err_msg"]


def test_2601_by_the_msgid_of_a_2102_reverses_the_purchase_once(pharmacy):
    msgid = pharmacy.msgid()
    pharmacy.ok("2102", purchase(), insuplc=POOL, msgid=msgid)
    assert balance(pharmacy) == Decimal("4980.00")

    undo = {"data": {"psn_no": WANGQIANG, "omsgid": msgid, "oinfno": "2102"}}
    out = pharmacy.ok("2601", undo, insuplc=POOL)
    assert (out["setlinfo"]["acct_pay"], out["setlinfo"]["balc"]) == (Decimal("-20.00"), Decimal("5000.00"))
    assert balance(pharmacy) == Decimal("5000.00")
    again = pharmacy.call("2601", undo, insuplc=POOL)
    assert again["infcode"] == -1 and "already reversed" in again["err_msg"]


@pytest.mark.parametrize("infno", ["2101", "2102"])
def test_a_hospital_calling_a_pharmacy_settlement_is_refused_by_name_and_nothing_is_stored(client, lhasa, infno):
    before = counts(client.app)
    answer = lhasa.call(infno, purchase(), insuplc=POOL)

    assert answer["infcode"] == -1
    assert "H54010000001 is a medical institution of level 3" in answer["err_msg"]
    assert "designated retail pharmacies" in answer["err_msg"] and "2207" in answer["err_msg"]
    assert counts(client.app) == before


def test_a_stranger_pharmacy_cannot_see_or_reverse_another_pharmacys_purchase(pharmacy, stranger):
    info = pharmacy.ok("2102", purchase(), insuplc=POOL)["setlinfo"]
    ids = {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"], "psn_no": WANGQIANG}

    by_visit = stranger.call("2103", {"data": ids}, insuplc=POOL)
    assert by_visit["infcode"] == -1 and "is not a visit of P54010000002" in by_visit["err_msg"]
    by_setl_id = stranger.call("2103", {"data": {"setl_id": ids["setl_id"], "psn_no": WANGQIANG}}, insuplc=POOL)
    assert by_setl_id["infcode"] == -1 and "is not a settlement of P54010000002" in by_setl_id["err_msg"]
    shown = stranger.call("5203", {"data": ids}, insuplc=POOL)
    assert shown["infcode"] == -1
    assert balance(pharmacy) == Decimal("4980.00")
    assert pharmacy.ok("2103", {"data": ids}, insuplc=POOL)["setlinfo"]["balc"] == Decimal("5000.00")


def test_a_purchase_with_an_e_voucher_resolves_the_buyer_through_e_voucher(pharmacy, partners):
    partners.tokens["540100ec0101"] = (
        200,
        {"psn_no": WANGQIANG, "psn_cert_type": "01", "certno": WANG_ID, "psn_name": "王强", "insuplc_admdvs": POOL,
         "expires_at": "2026-11-24T10:05:00Z"},
    )  # fmt: skip
    body = purchase()
    body["druginfo"].update(mdtrt_cert_type="01", mdtrt_cert_no="540100ec0101")
    info = pharmacy.ok("2102", body, insuplc=POOL)["setlinfo"]
    assert (info["mdtrt_cert_type"], info["acct_pay"]) == ("01", Decimal("20.00"))


def test_the_buyer_sent_under_data_as_most_transactions_name_their_node_is_read_as_druginfo(pharmacy):
    sent = purchase()
    trial = pharmacy.ok("2101", {"data": sent["druginfo"], "drugdetail": sent["drugdetail"]}, insuplc=POOL)
    assert {k: trial["setlinfo"][k] for k in PAID_FROM_THE_ACCOUNT} == PAID_FROM_THE_ACCOUNT
