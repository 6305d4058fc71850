"""HIS software asks 3101 / 3102 for fund-supervision advice in the shapes its public code sends, and finds
every field it reads where it reads it.

Facts and field names only, from:
- ZeroMarker/intersystems at f31e13f94f3b4f593c9eac37a3950e16cf748cda (a Hunan hospital's EMR front end)
  easyui/index.js: the whole 3101 request it posts (trig_scen "4", syscode, rule_ids [], patient_dtos[] with
  fsi_encounter_dtos[], fsi_diagnose_dtos[] whose dise_id, maindise_flag and dias_srt_no are JSON numbers,
  fsi_order_dtos[] with cnt / pric / sumamt as JSON numbers (0.1, 1153), long_drord_flag and curr_drord_flag
  as numbers, setl_date / dscg_date / drord_stop_date null, many extra fields such as TarItemID); it reads
  output.result[] and each row's jr_id (to answer 3103 with).
- fengzaiqishi11/hsa-his (Hunan, Java, fastjson) hsa-com/src/main/java/cn/hsa/module/insure/module/dto/:
  AnalysisDTO.java at 48386d7c613f1f164cd45f765bd499951ed0b9e1 (syscode, task_id, trig_scen, rule_ids as one
  String, patient_dtos as ONE AnaInsuDTO object), AnaInsuDTO.java at 322b4c5e4c5f57c6eea9a520ff53ba026f1ed72d
  (fsi_encounter_dtos as ONE AnaMdtrtDTO object, brdy yyyy-MM-dd), AnaOrderDTO.java at
  437518bffae570f12be234ea6fca6b223818da03 (cnt / pric / sumamt BigDecimal, drord_begn_date
  yyyy-MM-dd HH:mm:ss), and what it reads back: AnaResJudgeDTO.java at
  199c21db794e8aab0b910198801a8f8eb78965c6 (jr_id, rule_id, rule_name, vola_cont, patn_id, mdtrt_id, vola_amt
  BigDecimal, vola_amt_stas, sev_deg, vola_evid, vola_bhvr_type, task_id, judge_result_detail_dtos List) and
  AnaResJudgeDetlDTO.java at 925e22120d087eada324e26fe8aa15c4cc1f3e9a (jrd_id, patn_id, mdtrt_id, rx_id,
  vola_item_type, vola_amt BigDecimal).
- A C# outpatient prescribing module, namespace App_OP.Prescription, class BeforePrescriptionAuditResponse
  (the index holds the file without naming its repository): Output.result[] of Result {rule_id, vola_evid,
  mdtrt_id, rule_name, vola_amt_stas, jr_id, patn_id, sev_deg, vola_amt (float), vola_bhvr_type, vola_cont,
  judge_result_detail_dtos[] of {vola_item_type, mdtrt_id, jrd_id, patn_id, rx_id, vola_amt}}.

扎西 (male) is ordered trastuzumab, which the demo rule SUP-GEN-001 restricts to women; the same order for
卓玛 (female) is clean. The envelope is the suite's own (support.His); the envelopes of deployed software are
covered by test_real_clients.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from clients import reads
from compat_support import problems
from support import CLEARING, PEOPLE, TRASTUZUMAB, ZHAXI, ZHUOMA, His

HOSPITAL, POOL = "H54010000001", "540100"
ORDER_TIME, ADMITTED = "2026-11-24 09:00:00", "2026-11-24 08:30:00"

RESULT_READS = (
    *reads("text", *(f"result[].{f}" for f in ("jr_id", "rule_id", "rule_name", "vola_cont", "patn_id",
           "vola_amt_stas", "sev_deg"))),
    *reads("text?", "result[].mdtrt_id", "result[].vola_evid", "result[].vola_bhvr_type", "result[].task_id"),
    *reads("decimal", "result[].vola_amt"),
    *reads("list", "result[].judge_result_detail_dtos"),
    *reads("text", "result[].judge_result_detail_dtos[].jrd_id", "result[].judge_result_detail_dtos[].patn_id",
           "result[].judge_result_detail_dtos[].rx_id"),
    *reads("text?", "result[].judge_result_detail_dtos[].mdtrt_id",
           "result[].judge_result_detail_dtos[].vola_item_type"),
    *reads("decimal", "result[].judge_result_detail_dtos[].vola_amt"),
)  # fmt: skip


def _js(psn_no: str, mdtrt_id: str) -> dict[str, Any]:
    """ZeroMarker/intersystems easyui/index.js: lists everywhere, JSON numbers, nulls, extra fields."""
    p = PEOPLE[psn_no]
    order = {"rx_id": "6374", "rxno": "IP202611240000022", "grpno": "", "long_drord_flag": 0, "hilist_type": "101",
             "chrg_type": "09", "drord_bhvr": 0, "hilist_code": TRASTUZUMAB, "hilist_name": "注射用曲妥珠单抗",
             "hilist_lv": "--", "hosplist_code": "YP0099", "hosplist_name": "注射用曲妥珠单抗", "cnt": 1,
             "pric": 2400, "sumamt": 2400, "selfpay_amt": 0, "ownpay_amt": 0, "spec": "440mg", "spec_unt": "支",
             "drord_begn_date": ORDER_TIME, "drord_stop_date": None, "drord_dept_codg": "100309",
             "drord_dept_name": "肿瘤科", "drord_dr_codg": "ys01", "drord_dr_name": "医生01",
             "drord_dr_profttl": "231", "curr_drord_flag": 1, "order_id": 1, "TarItemID": 6374}  # fmt: skip
    vitamin = {**order, "rx_id": "6099", "hilist_code": "XA10BAA059A001010100001", "hilist_name": "二甲双胍片",
               "cnt": 1, "pric": 0.1, "sumamt": 0.1, "curr_drord_flag": 0}  # fmt: skip
    encounter = {"mdtrt_id": mdtrt_id, "medins_id": HOSPITAL, "medins_name": "拉萨市人民医院", "medins_admdvs": POOL,
                 "medins_type": "A", "medins_lv": "01", "wardarea_codg": "100130", "bedno": "10床",
                 "setl_date": None, "adm_date": ADMITTED, "dscg_date": None, "dscg_main_dise_codg": "C50.900",
                 "dscg_main_dise_name": "乳腺恶性肿瘤", "med_mdtrt_type": "2", "med_type": "21", "matn_stas": "0",
                 "medfee_sumamt": 0, "setl_totlnum": 1, "insutype": p["insutype"], "reim_flag": 0,
                 "out_setl_flag": 0,
                 "fsi_diagnose_dtos": [{"dise_id": 3069, "inout_dise_type": "1", "maindise_flag": 1,
                                        "dias_srt_no": 1, "dise_codg": "C50.900", "dise_name": "乳腺恶性肿瘤",
                                        "dise_date": ADMITTED}],
                 "fsi_operation_dtos": [], "fsi_order_dtos": [order, vitamin]}  # fmt: skip
    patient = {"patn_id": psn_no, "patn_name": p["psn_name"], "gend": p["gend"], "brdy": p["brdy"],
               "poolarea": POOL, "curr_mdtrt_id": mdtrt_id, "fsi_encounter_dtos": [encounter]}  # fmt: skip
    return {"data": {"rule_ids": [], "trig_scen": "4", "syscode": "IMS", "patient_dtos": [patient]}}


def _java(psn_no: str, mdtrt_id: str) -> dict[str, Any]:
    """fengzaiqishi11/hsa-his AnalysisDTO: patient_dtos and fsi_encounter_dtos one object each, rule_ids text."""
    p = PEOPLE[psn_no]
    order = {"rx_id": "RX20261124001", "rxno": "CF001", "long_drord_flag": "0", "hilist_type": "101",
             "chrg_type": "09", "drord_bhvr": "0", "hilist_code": TRASTUZUMAB, "hilist_name": "注射用曲妥珠单抗",
             "hilist_lv": "02", "hilist_pric": Decimal("2400.00"), "cnt": Decimal("1"), "pric": Decimal("2400.0000"),
             "sumamt": Decimal("2400.00"), "ownpay_amt": Decimal("0"), "selfpay_amt": Decimal("0"),
             "drord_begn_date": ORDER_TIME, "drord_dept_codg": "0301", "drord_dr_codg": "D001",
             "curr_drord_flag": "1"}  # fmt: skip
    encounter = {"mdtrt_id": mdtrt_id, "medins_id": HOSPITAL, "medins_admdvs": POOL, "medins_lv": "3",
                 "adm_date": ADMITTED, "dscg_main_dise_codg": "C50.900", "med_mdtrt_type": "1", "med_type": "11",
                 "insutype": p["insutype"],
                 "fsi_diagnose_dtos": [{"dise_id": "1", "inout_dise_type": "1", "maindise_flag": "1",
                                        "dias_srt_no": "1", "dise_codg": "C50.900", "dise_name": "乳腺恶性肿瘤"}],
                 "fsi_order_dtos": [order]}  # fmt: skip
    patient = {"patn_id": psn_no, "patn_name": p["psn_name"], "gend": p["gend"], "brdy": p["brdy"],
               "poolarea": POOL, "curr_mdtrt_id": mdtrt_id, "fsi_encounter_dtos": encounter}  # fmt: skip
    return {"data": {"syscode": "HIS", "task_id": "TASK-0001", "trig_scen": "2", "rule_ids": None,
                     "patient_dtos": patient}}  # fmt: skip


@dataclass(frozen=True)
class AdviceClient:
    name: str
    infno: str
    body: Callable[[str, str], dict[str, Any]]


CLIENTS = {
    "js_emr_3101": AdviceClient("js_emr_3101", "3101", _js),
    "java_his_3101": AdviceClient("java_his_3101", "3101", _java),
    "java_his_3102": AdviceClient("java_his_3102", "3102", _java),
}


def _his(client: Any) -> His:
    his = His(client, HOSPITAL, POOL)
    his.sign_in()
    return his


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_a_his_asks_in_its_own_shape_and_reads_every_field_it_needs(client: Any, name: str) -> None:
    shape, his = CLIENTS[name], _his(client)
    answer = his.call(shape.infno, shape.body(ZHAXI, "HIS-ZY-0001"), insuplc=POOL)
    assert answer["infcode"] == 0, answer["err_msg"]
    out = answer["output"]
    assert problems(out, RESULT_READS) == []
    gender = [r for r in out["result"] if r["rule_id"] == "SUP-GEN-001"]
    assert len(gender) == 1, out["result"]
    row = gender[0]
    assert (row["patn_id"], row["mdtrt_id"], row["vola_amt"]) == (ZHAXI, "HIS-ZY-0001", Decimal("2400.00"))
    details = row["judge_result_detail_dtos"]
    assert [(d["rx_id"], d["vola_amt"]) for d in details] == [
        ("6374" if name == "js_emr_3101" else "RX20261124001", Decimal("2400.00"))
    ]
    assert all(d["jrd_id"] and d["patn_id"] == ZHAXI for d in details)
    # a jr_id is what the HIS answers 3103 with: one per violation, never repeated in an answer
    assert len({r["jr_id"] for r in out["result"]}) == len(out["result"])


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_the_same_order_for_a_woman_is_clean(client: Any, name: str) -> None:
    shape, his = CLIENTS[name], _his(client)
    out = his.ok(shape.infno, shape.body(ZHUOMA, "HIS-ZY-0002"), insuplc=POOL)
    assert [r for r in out["result"] if r["rule_id"] == "SUP-GEN-001"] == []


def test_advice_stores_nothing_and_answers_the_same_twice(client: Any) -> None:
    his = _his(client)

    def stored() -> int:
        listed = client.get("/admin/v1/supervision/violations", params={"fixmedins_code": HOSPITAL}, headers=CLEARING)
        assert listed.status_code == 200, listed.text
        return int(listed.json()["total"])

    before = stored()
    first = his.ok("3102", _java(ZHAXI, "HIS-ZY-0003"), insuplc=POOL)
    second = his.ok("3102", _java(ZHAXI, "HIS-ZY-0003"), insuplc=POOL)
    assert first["result"] == second["result"] and first["result"]
    assert stored() == before
