"""Fund supervision in the call, over real HTTP against the running stack with the demo rule set in force
(services/settlement/settlement/demo_data/supervision_rules.json).

A hospital asks 3102 before settling and sees the rule an infusion set's price breaks (SUP-PRC-001, price
above 10.00: excluded from fund payment); it settles with 2206/2207 and the part above the cap is the
person's to the cent, setldetail naming the rule, the violation waiting for the bureau's reviewer; a
refusing rule (SUP-GEN-001, trastuzumab for a man) refuses 2207 naming the rule and the line; a clean visit
pays nothing of itself; a duplicate charge across two 2204 uploads (SUP-DUP-001) leaves fund payment once;
a re-admission within 15 days (SUP-READM-001) is flagged by 3101 at admission and recorded at 2304 without
changing the money. 王强 (outpatient) and 卓玛 (inpatient) are used by no other end-to-end test on this
stack, so their history is only what this module makes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
from clients import His, fee_line, settle_data, wait_for

HOSPITAL, POOL = "H54010000001", "540100"
WANGQIANG = {"psn_no": "54010000000000000004", "certno": "540102198501150411", "insutype": "310", "pool": POOL,
             "gend": "1", "brdy": "1985-01-15"}  # fmt: skip
ZHUOMA = {"psn_no": "54010000000000000002", "certno": "54010219750312022X", "insutype": "390", "pool": POOL,
          "gend": "2", "brdy": "1975-03-12"}  # fmt: skip
INFUSION_SET = "C01010100001000"  # 一次性使用输液器: SUP-PRC-001 caps its price at 10.00
TRASTUZUMAB = "XL01XCT022B001010100003"  # SUP-GEN-001: women only
EXAM = "001102000010000"  # 普通门诊诊查费: SUP-DUP-001, not twice within a day
METFORMIN = "XA10BAA059A001010100001"  # 二甲双胍片
REVIEWER = {"x-operator-token": "dev-clearing-token"}  # the bureau's reviewers hold the clearing role
MONEY = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
         "fund_pay_sumamt", "acct_pay", "psn_cash_pay")  # fmt: skip


def _now() -> str:
    return f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"


def _his(stack: Any) -> His:
    his = His(stack.urls["settlement"], HOSPITAL, POOL).sign_in()
    wait_for(lambda: his.knows(WANGQIANG["certno"]) and his.knows(ZHUOMA["certno"]))
    return his


def _outpatient(his: His, person: dict[str, str]) -> str:
    now = _now()
    data = {"psn_no": person["psn_no"], "insutype": person["insutype"], "begntime": now, "mdtrt_cert_type": "02",
            "mdtrt_cert_no": person["certno"], "ipt_otp_no": "OP-SUP", "atddr_no": "DR1", "dr_name": "医生",
            "dept_code": "D01", "dept_name": "内科", "caty": "A03"}  # fmt: skip
    mdtrt_id = str(his.ok("2201", {"data": data}, insuplc=POOL)["data"]["mdtrt_id"])
    info = {"mdtrt_id": mdtrt_id, "psn_no": person["psn_no"], "med_type": "11", "begntime": now}
    his.ok("2203", {"mdtrtinfo": info, "diseinfo": []}, insuplc=POOL)
    return mdtrt_id


def _upload(his: His, person: dict[str, str], mdtrt_id: str, lines: list[tuple[str, str, str, str]]) -> None:
    body = [fee_line(sn, code, cnt, pric, mdtrt_id, person["psn_no"]) for sn, code, cnt, pric in lines]
    his.ok("2204", {"feedetail": body}, insuplc=POOL)


def _settle(his: His, person: dict[str, str], mdtrt_id: str, total: str, infno: str) -> dict[str, Any]:
    data = settle_data(person, mdtrt_id, Decimal(total), med_type="11")
    return dict(his.ok(infno, {"data": data}, insuplc=POOL))


def _advice(his: His, infno: str, scene: str, person: dict[str, str], mdtrt_id: str, orders: list[Any]) -> Any:
    """3101 / 3102 in the national shape: patient_dtos[].fsi_encounter_dtos[].fsi_order_dtos[]."""
    encounter = {"mdtrt_id": mdtrt_id, "medins_id": HOSPITAL, "medins_lv": "3", "adm_date": _now(),
                 "med_mdtrt_type": "2" if scene in "345" else "1", "med_type": "21" if scene in "345" else "11",
                 "insutype": person["insutype"],
                 "fsi_order_dtos": [{"rx_id": sn, "hilist_code": code, "cnt": cnt, "pric": pric,
                                     "sumamt": str((Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01"))),
                                     "drord_begn_date": _now()} for sn, code, cnt, pric in orders]}  # fmt: skip
    patient = {"patn_id": person["psn_no"], "gend": person["gend"], "brdy": person["brdy"],
               "curr_mdtrt_id": mdtrt_id, "fsi_encounter_dtos": [encounter]}  # fmt: skip
    return his.ok(infno, {"data": {"patient_dtos": [patient], "trig_scen": scene, "task_id": "E2E"}})["result"]


def _violations(stack: Any, **params: str) -> list[dict[str, Any]]:
    answer = httpx.get(
        stack.urls["settlement"] + "/admin/v1/supervision/violations",
        params={"page_size": "100", **params},
        headers=REVIEWER,
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json()["violations"])


def test_a_hospital_sees_the_rule_in_3102_and_2207_applies_its_action_to_the_cent(stack):
    his, person = _his(stack), WANGQIANG
    mdtrt_id = _outpatient(his, person)
    lines = [("1", INFUSION_SET, "40", "12.00")]
    advice = _advice(his, "3102", "7", person, mdtrt_id, lines)
    assert [(r["rule_id"], r["vola_amt"], r["action"]) for r in advice] == [
        ("SUP-PRC-001", Decimal("80.00"), "exclude")
    ]

    _upload(his, person, mdtrt_id, lines)
    trial = _settle(his, person, mdtrt_id, "480.00", "2206")
    final = _settle(his, person, mdtrt_id, "480.00", "2207")
    info = final["setlinfo"]
    assert [trial["setlinfo"][k] for k in MONEY] == [info[k] for k in MONEY]
    # (12.00 - 10.00) x 40 = 80.00 is the person's in full; the other 400.00 is split as a 400.00 乙类 line
    # (30% pre-self-pay), and the fund pays 50% of what is in scope above the 200.00 deductible.
    assert (info["fulamt_ownpay_amt"], info["preselfpay_amt"], info["inscp_scp_amt"]) == (
        Decimal("80.00"),
        Decimal("120.00"),
        Decimal("280.00"),
    )
    assert (info["act_pay_dedc"], info["fund_pay_sumamt"]) == (Decimal("200.00"), Decimal("40.00"))
    assert info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"] == Decimal("480.00")
    assert final["setldetail"] and all("SUP-PRC-001" in d["setl_proc_info"] for d in final["setldetail"])

    stored = wait_for(lambda: [v for v in _violations(stack, rule_id="SUP-PRC-001") if v["setl_id"] == info["setl_id"]])
    assert [(v["mdtrt_id"], Decimal(str(v["vola_amt"])), v["status"]) for v in stored] == [
        (mdtrt_id, Decimal("80.00"), "open")
    ]


def test_a_refusing_rule_refuses_2207_naming_the_rule_and_the_line(stack):
    his, person = _his(stack), WANGQIANG
    mdtrt_id = _outpatient(his, person)
    advice = _advice(his, "3102", "7", person, mdtrt_id, [("7", TRASTUZUMAB, "1", "2400.00")])
    # refused for a man (SUP-GEN-001), and outside its payment scope without a breast-cancer diagnosis (SUP-SCP-001)
    assert [(r["rule_id"], r["action"]) for r in advice] == [("SUP-GEN-001", "refuse"), ("SUP-SCP-001", "exclude")]
    _upload(his, person, mdtrt_id, [("7", TRASTUZUMAB, "1", "2400.00")])
    data = settle_data(person, mdtrt_id, Decimal("2400.00"), med_type="11")
    answer = his.call("2207", {"data": data}, insuplc=POOL)
    assert answer["infcode"] == -1
    assert "SUP-GEN-001" in answer["err_msg"] and "feedetl_sn 7" in answer["err_msg"]
    # 2206 shows what 2207 will do
    assert his.call("2206", {"data": data}, insuplc=POOL)["err_msg"] == answer["err_msg"]


def test_a_clean_visit_pays_nothing_of_itself_and_names_no_rule(stack):
    his, person = _his(stack), WANGQIANG
    mdtrt_id = _outpatient(his, person)
    lines = [("1", METFORMIN, "10", "2.00")]
    assert _advice(his, "3102", "7", person, mdtrt_id, lines) == []
    _upload(his, person, mdtrt_id, lines)
    final = _settle(his, person, mdtrt_id, "20.00", "2207")
    info = final["setlinfo"]
    assert (info["medfee_sumamt"], info["fulamt_ownpay_amt"]) == (Decimal("20.00"), Decimal("0.00"))
    assert info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"] == Decimal("20.00")
    assert not any("SUP-" in (d.get("setl_proc_info") or "") for d in final["setldetail"])
    assert [v for v in _violations(stack, fixmedins_code=HOSPITAL) if v["setl_id"] == info["setl_id"]] == []


def test_a_duplicate_charge_across_two_uploads_leaves_fund_payment_once(stack):
    his, person = _his(stack), WANGQIANG
    mdtrt_id = _outpatient(his, person)
    _upload(his, person, mdtrt_id, [("1", EXAM, "1", "15.00")])
    _upload(his, person, mdtrt_id, [("2", EXAM, "1", "15.00")])
    info = _settle(his, person, mdtrt_id, "30.00", "2207")["setlinfo"]
    assert info["fulamt_ownpay_amt"] == Decimal("15.00")
    stored = wait_for(lambda: [v for v in _violations(stack, rule_id="SUP-DUP-001") if v["setl_id"] == info["setl_id"]])
    assert [(v["line_keys"], Decimal(str(v["vola_amt"]))) for v in stored] == [(["2"], Decimal("15.00"))]


def test_a_readmission_within_the_window_is_flagged_at_admission_and_recorded_at_settlement(stack):
    his, person = _his(stack), ZHUOMA
    first = his.stay(person, [("001101000010000", "1", "45.00")])
    assert first["setl_id"]
    admitted = his.admit(person)
    flagged = [r for r in _advice(his, "3101", "3", person, admitted, []) if r["rule_id"] == "SUP-READM-001"]
    assert len(flagged) == 1 and flagged[0]["patn_id"] == person["psn_no"]

    now = _now()
    his.ok("2301", {"feedetail": [fee_line("1", "001101000010000", "1", "45.00", admitted, person["psn_no"])]},
           insuplc=POOL)  # fmt: skip
    his.ok("2402", {"dscginfo": {"mdtrt_id": admitted, "psn_no": person["psn_no"], "insutype": person["insutype"],
                                 "endtime": now}}, insuplc=POOL)  # fmt: skip
    data = settle_data(person, admitted, Decimal("45.00"), med_type="21")
    trial = his.ok("2303", {"data": data}, insuplc=POOL)["setlinfo"]
    second = his.ok("2304", {"data": data}, insuplc=POOL)["setlinfo"]
    # RECORD: the money is what it would have been without the rule
    assert [trial[k] for k in MONEY] == [second[k] for k in MONEY] and second["fulamt_ownpay_amt"] == Decimal("0.00")
    stored = wait_for(
        lambda: [v for v in _violations(stack, rule_id="SUP-READM-001") if v["setl_id"] == second["setl_id"]]
    )
    assert [(v["mdtrt_id"], v["action"], v["status"]) for v in stored] == [(admitted, "record", "open")]
