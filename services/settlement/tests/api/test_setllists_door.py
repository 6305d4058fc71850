"""Settlement lists over the door: 扎西's stay settled (2401, 2301, 2402, 2304), then its list uploaded
(4101), checked, queried (4103, 4104), submitted and withdrawn (4102); the operator's rule versions."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from support import AUDIT, POLICY, ZHAXI, counts, line, settle_input

POOL = "540100"
RULES = Path(__file__).resolve().parents[2] / "settlement" / "demo_data" / "setllist_qc.json"
# the operation 1000 (06), 床位 3 x 45 (01), a blood count 25 (04)
FEES = (("1", "003301000010000", "1", "1000"), ("2", "001101000010000", "3", "45"), ("3", "002501010010000", "1", "25"))
CATEGORIES = {"06": Decimal("1000.00"), "01": Decimal("135.00"), "04": Decimal("25.00")}


def settled_stay(his: Any) -> dict[str, Any]:
    admission = {
        "psn_no": ZHAXI,
        "insutype": "390",
        "begntime": "2026-11-20 08:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": "540102198005010110",
        "med_type": "21",
        "ipt_no": "IP2026001",
        "atddr_no": "D001",
        "chfpdr_name": "张医生",
        "adm_dept_codg": "A07",
        "adm_dept_name": "外科",
    }
    mdtrt_id = his.ok("2401", {"mdtrtinfo": admission, "diseinfo": []}, insuplc=POOL)["result"]["mdtrt_id"]
    lines = [line(sn, code, cnt, pric, mdtrt_id, ZHAXI) for sn, code, cnt, pric in FEES]
    his.ok("2301", {"feedetail": lines}, insuplc=POOL)
    discharge = {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI, "insutype": "390", "endtime": "2026-11-24 09:00:00"}
    his.ok("2402", {"dscginfo": discharge}, insuplc=POOL)
    return his.ok("2304", settle_input(ZHAXI, mdtrt_id, "1160", med_type="21"), insuplc=POOL)


def the_list(settled: dict[str, Any]) -> dict[str, Any]:
    """What the hospital's record and the 2304 answer make of the stay."""
    info = settled["setlinfo"]
    payinfo = [
        {"fund_pay_type": d["fund_pay_type"], "fund_payamt": d["fund_payamt"]}
        for d in settled["setldetail"]
        if d["fund_pay_type"] != "310200"
    ]
    iteminfo = [
        {"med_chrgitm": k, "amt": v, "claa_sumfee": v if k != "01" else 0, "clab_amt": v if k == "01" else 0,
         "fulamt_ownpay_amt": 0, "oth_amt": 0}
        for k, v in CATEGORIES.items()
    ]  # fmt: skip
    setlinfo = {
        "mdtrt_id": info["mdtrt_id"],
        "setl_id": info["setl_id"],
        "fixmedins_code": "H54010000001",
        "fixmedins_name": "拉萨市第一人民医院",
        "hi_setl_lv": "3",
        "medcasno": "BA2026001",
        "dcla_time": "2026-11-24 10:00:00",
        "psn_name": info["psn_name"],
        "gend": info["gend"],
        "brdy": info["brdy"],
        "age": info["age"],
        "ntly": "CHN",
        "naty": "01",
        "patn_cert_type": "01",
        "certno": info["certno"],
        "hi_type": "390",
        "insuplc": POOL,
        "ipt_med_type": "1",
        "adm_time": "2026-11-20 08:00:00",
        "adm_caty": "A07",
        "dscg_time": "2026-11-24 09:00:00",
        "dscg_caty": "A07",
        "act_ipt_days": "4",
        "dscg_way": "1",
        "setl_begn_date": "2026-11-20",
        "setl_end_date": "2026-11-24",
        "acct_pay": info["acct_pay"],
        "psn_cashpay": info["psn_cash_pay"],
        "hi_paymtd": "3",
        "medins_fill_dept": "病案科",
        "medins_fill_psn": "李梅",
    }
    diseinfo = [
        {
            "diag_type": "1",
            "diag_code": "K35.800",
            "diag_name": "急性阑尾炎",
            "maindiag_flag": "1",
            "adm_cond_type": "1",
        },
        {"diag_type": "1", "diag_code": "I10.x00", "diag_name": "高血压", "maindiag_flag": "0", "adm_cond_type": "1"},
    ]
    oprninfo = [
        {"oprn_oprt_type": "1", "oprn_oprt_code": "47.0900", "oprn_oprt_name": "阑尾切除术",
         "oprn_oprt_date": "2026-11-21", "anst_way": "01", "oper_dr_name": "张医生", "oper_dr_code": "D001"}
    ]  # fmt: skip
    return {"setlinfo": setlinfo, "payinfo": payinfo, "diseinfo": diseinfo, "iteminfo": iteminfo, "oprninfo": oprninfo}


def status(setl_id: str, stas_type: str) -> dict[str, Any]:
    return {"data": {"stastinfo": [{"psn_no": ZHAXI, "setl_id": setl_id, "stas_type": stas_type}]}}


def test_a_list_for_a_settled_stay_passes_quality_control(lhasa):
    settled = settled_stay(lhasa)
    answer = lhasa.ok("4101", the_list(settled), insuplc=POOL)
    assert (answer["qltctrl_rslt"], answer["retn_flag"], answer["detl_list"]) == ("0", "0", [])
    assert answer["setl_list_id"] and answer["data"]["setl_list_id"] == answer["setl_list_id"]
    result = lhasa.ok("4104", {"data": {"setl_id": settled["setlinfo"]["setl_id"], "psn_no": ZHAXI}}, insuplc=POOL)
    assert (result["qltctrl_rslt"], result["qltctrl_ver"], result["setl_list_id"]) == (
        "0",
        "2026.1",
        answer["setl_list_id"],
    )


def test_a_wrong_diagnosis_code_fails_naming_the_field(lhasa):
    body = the_list(settled_stay(lhasa))
    body["diseinfo"][0]["diag_code"] = "K35"  # a category, not a code of the 1307 catalogue
    answer = lhasa.ok("4101", body, insuplc=POOL)
    assert (answer["qltctrl_rslt"], answer["retn_flag"]) == ("1", "1")
    (detail,) = answer["detl_list"]
    assert (detail["exam_data_fld"], detail["rule_id"], detail["init_val"]) == (
        "diseinfo[0].diag_code",
        "SL-DISE-04",
        "K35",
    )
    assert detail["qltctrl_chkrslt"].startswith("diseinfo[0].diag_code (诊断代码) K35 ")
    setl_id = body["setlinfo"]["setl_id"]
    result = lhasa.ok("4104", {"data": {"setl_id": setl_id}}, insuplc=POOL)
    assert [d["exam_data_fld"] for d in result["detl_list"]] == ["diseinfo[0].diag_code"]
    refused = lhasa.call("4102", status(setl_id, "1"), insuplc=POOL)
    assert refused["infcode"] == -1 and "failed quality control" in refused["err_msg"]


def test_sums_that_differ_from_the_settlement_fail_naming_the_field(lhasa):
    settled = settled_stay(lhasa)
    body = the_list(settled)
    body["iteminfo"][1]["amt"] = Decimal("134.99")
    body["payinfo"][0]["fund_payamt"] = body["payinfo"][0]["fund_payamt"] + Decimal("0.01")
    answer = lhasa.ok("4101", body, insuplc=POOL)
    found = {d["exam_data_fld"]: d["qltctrl_chkrslt"] for d in answer["detl_list"]}
    assert set(found) == {"iteminfo[1].amt", "payinfo[0].fund_payamt"}
    assert found["iteminfo[1].amt"] == (
        "iteminfo[1].amt (金额) is 134.99 but the settlement's 床位费 (01) has 135.00; "
        "iteminfo sums the settled fee lines by 医疗收费项目类别, to the cent"
    )
    fund = body["payinfo"][0]["fund_pay_type"]
    assert f"but fund {fund} paid" in found["payinfo[0].fund_payamt"]


def test_a_list_is_submitted_locked_withdrawn_and_queried(lhasa):
    settled = settled_stay(lhasa)
    body = the_list(settled)
    setl_id = body["setlinfo"]["setl_id"]
    first = lhasa.ok("4101", body, insuplc=POOL)
    assert lhasa.ok("4102", status(setl_id, "1"), insuplc=POOL)["stastinfo"][0]["stas_type"] == "1"
    locked = lhasa.call("4101", body, insuplc=POOL)
    assert locked["infcode"] == -1 and "withdraw it with 4102 (stas_type 0)" in locked["err_msg"]

    lhasa.ok("4102", status(setl_id, "0"), insuplc=POOL)
    body["setlinfo"]["medcasno"] = "BA2026001-2"
    again = lhasa.ok("4101", body, insuplc=POOL)
    assert again["setl_list_id"] == first["setl_list_id"]

    got = lhasa.ok("4103", {"data": {"psn_no": ZHAXI, "setl_id": setl_id}}, insuplc=POOL)
    head = got["setlinfo"]
    assert (head["setl_list_sn"], head["medcasno"], head["stas_type"], head["insutype"]) == (
        first["setl_list_id"],
        "BA2026001-2",
        "0",
        "390",
    )
    assert (head["act_ipt_days"], head["psn_cashpay"]) == (4, settled["setlinfo"]["psn_cash_pay"])
    assert [(x["med_chrgitm_type"], x["item_sumamt"]) for x in got["iteminfo"]] == list(CATEGORIES.items())
    assert [x["diag_code"] for x in got["diseinfo"]] == ["K35.800", "I10.x00"]
    assert got["oprninfo"][0]["oprn_oprt_date"] == "2026-11-21"

    setl_ym = settled["setlinfo"]["setl_time"][:7].replace("-", "")
    month = lhasa.ok("4104", {"data": {"setl_ym": setl_ym, "page_num": 1, "page_size": 10}}, insuplc=POOL)
    assert setl_id in [r["setl_id"] for r in month["data"]] and month["pageSize"] == 10


def test_another_institution_can_neither_upload_read_nor_change_a_list(lhasa, clinic, client):
    body = the_list(settled_stay(lhasa))
    setl_id = body["setlinfo"]["setl_id"]
    taken = clinic.call("4101", body, insuplc=POOL)
    assert taken["infcode"] == -1 and f"setl_id {setl_id} is not a settlement of H54010000002" in taken["err_msg"]
    lhasa.ok("4101", body, insuplc=POOL)
    before = counts(client.app)
    for infno, input_ in (
        ("4103", {"data": {"psn_no": ZHAXI, "setl_id": setl_id}}),
        ("4104", {"data": {"setl_id": setl_id}}),
        ("4102", status(setl_id, "1")),
    ):
        answer = clinic.call(infno, input_, insuplc=POOL)
        assert answer["infcode"] == -1, infno
        assert f"no settlement list of setl_id {setl_id} at H54010000002" in answer["err_msg"]
    month = clinic.ok("4104", {"data": {"setl_ym": setl_id[6:12]}}, insuplc=POOL)
    assert month["data"] == []
    assert {k: v for k, v in counts(client.app).items() if k != "message_log"} == {
        k: v for k, v in before.items() if k != "message_log"
    }
    assert lhasa.ok("4104", {"data": {"setl_id": setl_id}}, insuplc=POOL)["stas_type"] == "0"


def test_a_reversed_settlement_takes_no_list(lhasa):
    settled = settled_stay(lhasa)
    info = settled["setlinfo"]
    lhasa.ok(
        "2305", {"data": {"mdtrt_id": info["mdtrt_id"], "setl_id": info["setl_id"], "psn_no": ZHAXI}}, insuplc=POOL
    )
    refused = lhasa.call("4101", the_list(settled), insuplc=POOL)
    assert refused["infcode"] == -1 and f"setl_id {info['setl_id']} was reversed" in refused["err_msg"]


def test_an_operator_publishes_a_rule_version_and_lists_are_checked_against_it(client, lhasa):
    rules = json.loads(RULES.read_text(encoding="utf-8"))
    versions = client.get("/admin/v1/setllist-qc-rules", headers=POLICY).json()
    assert [(v["version"], v["rules"]) for v in versions] == [("2026.1", len(rules["rules"]))]
    assert client.get("/admin/v1/setllist-qc-rules/2026.1", headers=AUDIT).json() == rules

    stricter = copy.deepcopy(rules)
    stricter |= {"version": "2026.2", "effective_from": "2026-01-02"}
    stricter["rules"].append({"id": "SL-BILL-01", "kind": "required", "fields": ["bill_code", "bill_no"]})
    assert client.post("/admin/v1/setllist-qc-rules", json=stricter, headers=AUDIT).status_code == 403
    published = client.post("/admin/v1/setllist-qc-rules", json=stricter, headers=POLICY)
    assert published.status_code == 201 and published.json()["version"] == "2026.2"

    answer = lhasa.ok("4101", the_list(settled_stay(lhasa)), insuplc=POOL)
    assert answer["qltctrl_ver"] == "2026.2"
    assert [d["exam_data_fld"] for d in answer["detl_list"]] == ["setlinfo.bill_code", "setlinfo.bill_no"]

    again = client.post("/admin/v1/setllist-qc-rules", json=stricter, headers=POLICY)
    assert again.status_code == 409 and again.json()["code"] == "version_exists"
    broken = copy.deepcopy(stricter)
    broken["version"] = "2026.3"
    broken["rules"][-1]["fields"] = ["bill_numero"]
    refused = client.post("/admin/v1/setllist-qc-rules", json=broken, headers=POLICY)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "rule SL-BILL-01: setlinfo has no field 'bill_numero'"
    assert client.get("/admin/v1/setllist-qc-rules/2026.3", headers=POLICY).status_code == 404
    assert client.get("/admin/v1/setllist-qc-rules").status_code == 401
