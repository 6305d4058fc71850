"""Settlement lists (4101-4104) on the in-memory store: the quality-control rules, table-driven, and
the list's life (upload, replace, submit, withdraw) as a hospital lives it.

Each case starts from one list that passes the demo rules (2026.1) for 王强's settled stay and
changes one thing; the rule that catches it names the node, row and field.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeStore
from fakes_setllists import DEMO_RULES

from medshared import jsonutil
from medshared.errors import Conflict
from medshared.national import parse_request
from settlement.domain import inputs as inp
from settlement.domain import setllist_nodes as nd
from settlement.domain import setllists as qc
from settlement.domain.errors import Refused
from settlement.usecases import fees, setllists, settling, visits
from settlement.usecases.common import Call

WANGQIANG = "54010000000000000004"
HOSPITAL = SimpleNamespace(
    fixmedins_code="H54010000001", fixmedins_name="拉萨市第一人民医院", admdvs="540100", hosp_lv="3"
)
STRANGER = SimpleNamespace(
    fixmedins_code="H54010000002", fixmedins_name="拉萨市城关区诊所", admdvs="540100", hosp_lv="1"
)
ADMITTED = dt.datetime(2026, 11, 20, 8, 0, 0)
DISCHARGED = dt.datetime(2026, 11, 24, 9, 0, 0)
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)
# 床位 3 x 45 (01, 乙类), blood count 25 (04, 甲类), the operation 1000 (06, 甲类), a drug 2 x 3.50 (09, 甲类)
LINES = (
    ("1", "001101000010000", "3", "45"),
    ("2", "002501010010000", "1", "25"),
    ("3", "003301000010000", "1", "1000"),
    ("4", "XA10BAA059A001010100001", "2", "3.5"),
)


def call(infno: str, input_: dict[str, Any], inst: Any = HOSPITAL, now: dt.datetime = NOW) -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"{inst.fixmedins_code}20261124100000{infno}",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "540100",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "病案员",
        "inf_time": "2026-11-24 10:00:00",
        "fixmedins_code": inst.fixmedins_code,
        "fixmedins_name": inst.fixmedins_name,
        "input": input_,
    }
    return Call(req=parse_request(envelope), inst=inst, received=now, sender=inst.fixmedins_code)


def settle_stay(store: FakeStore) -> Any:
    """王强's stay, admitted, billed, discharged and settled (2401, 2301, 2402, 2304)."""
    person = store.people[WANGQIANG]
    admission = inp.Admit(
        psn_no=WANGQIANG,
        insutype="310",
        begntime=ADMITTED,
        mdtrt_cert_type="02",
        mdtrt_cert_no=person.certno,
        med_type="21",
        ipt_no="IP1",
        atddr_no="D",
        chfpdr_name="D",
        adm_dept_codg="D2",
        adm_dept_name="外科",
    )
    mdtrt_id = visits.admit(store, call("2401", {}), admission).ref_id
    lines = [
        inp.FeeDetail(
            feedetl_sn=sn,
            mdtrt_id=mdtrt_id,
            psn_no=WANGQIANG,
            med_list_codg=code,
            medins_list_codg="H-" + code,
            det_item_fee_sumamt=(Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01")),
            cnt=Decimal(cnt),
            pric=Decimal(pric),
            fee_ocur_time=ADMITTED,
        )
        for sn, code, cnt, pric in LINES
    ]
    fees.inpatient_fees(store, call("2301", {}), lines)
    discharge = inp.Discharge(mdtrt_id=mdtrt_id, psn_no=WANGQIANG, insutype="310", endtime=DISCHARGED)
    visits.discharge(store, call("2402", {}), discharge)
    settle = inp.Settle(
        psn_no=WANGQIANG,
        mdtrt_cert_type="02",
        mdtrt_cert_no=person.certno,
        medfee_sumamt=Decimal("1167.00"),
        psn_setlway="01",
        mdtrt_id=mdtrt_id,
        insutype="310",
        acct_used_flag="1",
    )
    return store.settlement(settling.settle_visit(store, call("2304", {}), settle).ref_id)


def valid_list(setl: Any) -> dict[str, Any]:
    """A list the demo rules pass: what a HIS builds from its record and the 2304 answer."""
    funds = [d for d in jsonutil.loads(setl.setldetail) if d["fund_pay_type"] != "310200"]
    return {
        "setlinfo": {
            "mdtrt_id": setl.mdtrt_id,
            "setl_id": setl.setl_id,
            "fixmedins_code": "H54010000001",
            "fixmedins_name": "拉萨市第一人民医院",
            "hi_setl_lv": "3",
            "medcasno": "BA0001",
            "psn_name": "王强",
            "gend": "1",
            "brdy": "1975-03-12",
            "ntly": "CHN",
            "naty": "01",
            "patn_cert_type": "01",
            "certno": "540102197503120031",
            "hi_type": "310",
            "insuplc": "540100",
            "ipt_med_type": "1",
            "adm_time": "2026-11-20 08:00:00",
            "adm_caty": "A07",
            "dscg_time": "2026-11-24 09:00:00",
            "dscg_caty": "A07",
            "act_ipt_days": 4,
            "dscg_way": "1",
            "setl_begn_date": "2026-11-20",
            "setl_end_date": "2026-11-24",
            "acct_pay": setl.acct_pay,
            "psn_cashpay": setl.psn_cash_pay,
            "hi_paymtd": "3",
            "medins_fill_dept": "病案科",
            "medins_fill_psn": "李梅",
        },
        "payinfo": [{"fund_pay_type": d["fund_pay_type"], "fund_payamt": d["fund_payamt"]} for d in funds],
        "diseinfo": [
            {
                "diag_type": "1",
                "diag_code": "K35.800",
                "diag_name": "急性阑尾炎",
                "maindiag_flag": "1",
                "adm_cond_type": "1",
            },
            {
                "diag_type": "1",
                "diag_code": "I10.x00",
                "diag_name": "高血压",
                "maindiag_flag": "0",
                "adm_cond_type": "1",
            },
        ],
        "iteminfo": [
            {
                "med_chrgitm": "01",
                "amt": "135.00",
                "claa_sumfee": "0",
                "clab_amt": "135.00",
                "fulamt_ownpay_amt": "0",
                "oth_amt": "0",
            },
            {
                "med_chrgitm": "04",
                "amt": "25.00",
                "claa_sumfee": "25.00",
                "clab_amt": "0",
                "fulamt_ownpay_amt": "0",
                "oth_amt": "0",
            },
            {
                "med_chrgitm": "06",
                "amt": "1000.00",
                "claa_sumfee": "1000.00",
                "clab_amt": "0",
                "fulamt_ownpay_amt": "0",
                "oth_amt": "0",
            },
            {
                "med_chrgitm": "09",
                "amt": "7.00",
                "claa_sumfee": "7.00",
                "clab_amt": "0",
                "fulamt_ownpay_amt": "0",
                "oth_amt": "0",
            },
        ],
        "oprninfo": [
            {
                "oprn_oprt_type": "1",
                "oprn_oprt_code": "47.0900",
                "oprn_oprt_name": "阑尾切除术",
                "oprn_oprt_date": "2026-11-21",
                "anst_way": "01",
                "oper_dr_name": "张医生",
                "oper_dr_code": "D001",
            }
        ],
        "icuinfo": [
            {
                "scs_cutd_ward_type": "1",
                "scs_cutd_inpool_time": "2026-11-21 12:00:00",
                "scs_cutd_exit_time": "2026-11-22 12:00:00",
                "scs_cutd_sum_dura": "1/0/0",
            }
        ],
    }


def upload(store: FakeStore, body: dict[str, Any], infno: str = "4101", inst: Any = HOSPITAL) -> dict[str, Any]:
    data = inp.read(nd.SetlInfo, body["setlinfo"], "input.setlinfo")
    return dict(setllists.upload(store, call(infno, body, inst), data).output)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def setl(store: FakeStore) -> Any:
    return settle_stay(store)


def test_a_list_for_a_settled_stay_passes_quality_control(store, setl):
    answer = upload(store, valid_list(setl))
    assert (answer["qltctrl_rslt"], answer["retn_flag"], answer["qltctrl_ver"]) == ("0", "0", "2026.1")
    assert answer["detl_list"] == []
    assert answer["setl_list_id"] == answer["data"]["setl_list_id"] == store.setl_list(setl.setl_id).setl_list_id


def _set(path: str, value: Any) -> Any:
    """A change to the valid list: `node[row].field` (or `setlinfo.field`) set to value (None drops it)."""

    def change(body: dict[str, Any]) -> None:
        node, _, name = path.rpartition(".")
        target = (
            body["setlinfo"] if node == "setlinfo" else body[node.split("[")[0]][int(node[node.index("[") + 1 : -1])]
        )
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value

    return change


CASES = [
    # (what the clerk got wrong, change, rule id, field named)
    (
        "a diagnosis code outside the 1307 shape",
        _set("diseinfo[0].diag_code", "APPX-1"),
        "SL-DISE-04",
        "diseinfo[0].diag_code",
    ),
    (
        "a procedure code outside the 1308 shape",
        _set("oprninfo[0].oprn_oprt_code", "ABC"),
        "SL-OPRN-04",
        "oprninfo[0].oprn_oprt_code",
    ),
    ("two main diagnoses", _set("diseinfo[1].maindiag_flag", "1"), "SL-DISE-05", "diseinfo[1].maindiag_flag"),
    ("no main diagnosis", _set("diseinfo[0].maindiag_flag", "0"), "SL-DISE-05", "diseinfo.maindiag_flag"),
    (
        "a main flag that is neither 0 nor 1",
        _set("diseinfo[1].maindiag_flag", "Y"),
        "SL-DISE-03",
        "diseinfo[1].maindiag_flag",
    ),
    ("no case number", _set("setlinfo.medcasno", None), "SL-HEAD-01", "setlinfo.medcasno"),
    ("no discharge department", _set("setlinfo.dscg_caty", ""), "SL-STAY-01", "setlinfo.dscg_caty"),
    ("a 住院医疗类型 that is not 1 or 2", _set("setlinfo.ipt_med_type", "9"), "SL-STAY-03", "setlinfo.ipt_med_type"),
    (
        "discharge before admission",
        _set("setlinfo.dscg_time", "2026-11-19 08:00:00"),
        "SL-DATE-01",
        "setlinfo.dscg_time",
    ),
    (
        "an operation before admission",
        _set("oprninfo[0].oprn_oprt_date", "2026-11-19"),
        "SL-DATE-02",
        "oprninfo[0].oprn_oprt_date",
    ),
    (
        "an operation after discharge",
        _set("oprninfo[0].oprn_oprt_date", "2026-11-25"),
        "SL-DATE-02",
        "oprninfo[0].oprn_oprt_date",
    ),
    (
        "an operation without its surgeon",
        _set("oprninfo[0].oper_dr_code", None),
        "SL-OPRN-01",
        "oprninfo[0].oper_dr_code",
    ),
    (
        "intensive care left before it began",
        _set("icuinfo[0].scs_cutd_exit_time", "2026-11-21 11:00:00"),
        "SL-DATE-06",
        "icuinfo[0].scs_cutd_exit_time",
    ),
    ("a fee category a cent off", _set("iteminfo[1].amt", "24.99"), "SL-FEE-02", "iteminfo[1].amt"),
    (
        "a fee category the settlement does not have",
        _set("iteminfo[3].med_chrgitm", "03"),
        "SL-FEE-02",
        "iteminfo[3].med_chrgitm",
    ),
    ("a fund payment that differs", _set("payinfo[0].fund_payamt", "1.00"), "SL-PAY-02", "payinfo[0].fund_payamt"),
    ("a fund that did not pay", _set("payinfo[0].fund_pay_type", "330100"), "SL-PAY-02", "payinfo[0].fund_pay_type"),
    ("an account payment that differs", _set("setlinfo.acct_pay", "999.00"), "SL-AMT-01", "setlinfo.acct_pay"),
]


@pytest.mark.parametrize(("case", "change", "rule_id", "where"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_names_the_failing_field(store, setl, case, change, rule_id, where):
    body = valid_list(setl)
    change(body)
    answer = upload(store, body)
    found = {(d["rule_id"], d["exam_data_fld"]) for d in answer["detl_list"]}
    assert (rule_id, where) in found, answer["detl_list"]
    assert (answer["qltctrl_rslt"], answer["err_lv"], answer["retn_flag"]) == ("1", "1", "1")
    detail = next(d for d in answer["detl_list"] if d["rule_id"] == rule_id)
    assert where.split(".")[-1] in detail["qltctrl_chkrslt"]


@pytest.mark.parametrize(
    ("node", "rule_id", "where"),
    [
        ("diseinfo", "SL-DISE-01", "diseinfo.*"),
        ("iteminfo", "SL-FEE-02", "iteminfo.med_chrgitm"),
        ("payinfo", "SL-PAY-02", "payinfo.fund_pay_type"),
    ],
)
def test_a_node_left_out_is_named(store, setl, node, rule_id, where):
    body = valid_list(setl)
    body.pop(node)
    found = {(d["rule_id"], d["exam_data_fld"]) for d in upload(store, body)["detl_list"]}
    assert (rule_id, where) in found


def test_a_wrong_diagnosis_code_names_the_field_in_the_clerks_words(store, setl):
    body = valid_list(setl)
    body["diseinfo"][0]["diag_code"] = "APPX-1"
    (detail,) = upload(store, body)["detl_list"]
    assert detail["exam_data_fld"] == "diseinfo[0].diag_code"
    assert detail["init_val"] == "APPX-1"
    assert detail["qltctrl_chkrslt"].startswith("diseinfo[0].diag_code (诊断代码) APPX-1 does not have the shape")
    assert "1307" in detail["qltctrl_chkrslt"] and "K35.800" in detail["qltctrl_chkrslt"]


def test_once_the_1307_catalogue_is_loaded_a_well_shaped_code_it_lacks_fails(store, setl):
    for code in ("K35.800", "I10.x00"):
        store.records.append(SimpleNamespace(family="1307", code=code, is_current=True, vali_flag="1"))
    body = valid_list(setl)
    assert upload(store, body)["qltctrl_rslt"] == "0"
    body["diseinfo"][1]["diag_code"] = "K35.700"  # the right shape, not in the catalogue
    (detail,) = upload(store, body)["detl_list"]
    assert (detail["exam_data_fld"], detail["rule_id"]) == ("diseinfo[1].diag_code", "SL-DISE-04")
    assert "is not in the national 1307 catalogue" in detail["qltctrl_chkrslt"]


def test_a_warning_is_reported_and_the_list_still_passes(store, setl):
    rules = copy.deepcopy(_demo_rules())
    rules["version"] = "2026.2"
    next(r for r in rules["rules"] if r["id"] == "SL-HEAD-01")["err_lv"] = "2"
    setllists.publish_qc_rules(store, rules)
    body = valid_list(setl)
    del body["setlinfo"]["medcasno"]
    answer = upload(store, body)
    assert (answer["qltctrl_rslt"], answer["err_lv"], answer["retn_flag"], answer["qltctrl_ver"]) == (
        "0",
        "2",
        "0",
        "2026.2",
    )
    assert answer["detl_list"][0]["retn_flag"] == "0"


def _demo_rules() -> dict[str, Any]:
    return jsonutil.loads(DEMO_RULES.read_text(encoding="utf-8"))


def test_a_4101a_list_takes_its_fund_payments_and_fee_summary_from_the_settlement(store, setl):
    body = valid_list(setl)
    del body["payinfo"], body["iteminfo"]
    body["setlinfo"]["psn_no"] = WANGQIANG
    oprn = body["oprninfo"][0]
    oprn |= {"oprn_oprt_begntime": "2026-11-21 09:00:00", "oprn_oprt_endtime": "2026-11-21 10:00:00"}
    answer = upload(store, body, "4101A")
    assert answer["qltctrl_rslt"] == "0", answer["detl_list"]
    stored = jsonutil.loads(store.setl_list(setl.setl_id).body)
    assert [(x["med_chrgitm"], x["amt"], x["claa_sumfee"], x["clab_amt"]) for x in stored["iteminfo"]] == [
        ("01", Decimal("135.00"), Decimal("0.00"), Decimal("135.00")),
        ("04", Decimal("25.00"), Decimal("25.00"), Decimal("0.00")),
        ("06", Decimal("1000.00"), Decimal("1000.00"), Decimal("0.00")),
        ("09", Decimal("7.00"), Decimal("7.00"), Decimal("0.00")),
    ]
    assert sum(x["fund_payamt"] for x in stored["payinfo"]) == setl.fund_pay_sumamt


def test_uploading_again_replaces_the_list_until_it_is_submitted(store, setl):
    body = valid_list(setl)
    body["diseinfo"][0]["diag_code"] = "APPX-1"
    first = upload(store, body)
    body["diseinfo"][0]["diag_code"] = "K35.800"
    second = upload(store, body)
    row = store.setl_list(setl.setl_id)
    assert (first["qltctrl_rslt"], second["qltctrl_rslt"], row.revision) == ("1", "0", 2)
    assert first["setl_list_id"] == second["setl_list_id"] == row.setl_list_id

    status = {"stastinfo": [{"psn_no": WANGQIANG, "setl_id": setl.setl_id, "stas_type": "1"}]}
    setllists.change_status(store, call("4102", {"data": status}), nd.StatusChange.model_validate(status))
    assert store.setl_list(setl.setl_id).stas_type == "1"
    with pytest.raises(Refused, match=f"the list of setl_id {setl.setl_id} is submitted"):
        upload(store, body)

    status["stastinfo"][0]["stas_type"] = "0"
    setllists.change_status(store, call("4102", {"data": status}), nd.StatusChange.model_validate(status))
    assert upload(store, body)["stas_type"] == "0"
    assert store.setl_list(setl.setl_id).revision == 3


def test_a_list_that_fails_quality_control_cannot_be_submitted(store, setl):
    body = valid_list(setl)
    body["diseinfo"][0]["maindiag_flag"] = "0"
    upload(store, body)
    status = {"stastinfo": {"psn_no": WANGQIANG, "setl_id": setl.setl_id, "stas_type": 1}}
    with pytest.raises(Refused, match="failed quality control; correct the fields 4104 names"):
        setllists.change_status(store, call("4102", {"data": status}), nd.StatusChange.model_validate(status))
    assert store.setl_list(setl.setl_id).stas_type == "0"


def test_another_institution_can_neither_upload_read_nor_change_the_list(store, setl):
    with pytest.raises(Refused, match=f"setl_id {setl.setl_id} is not a settlement of H54010000002"):
        upload(store, valid_list(setl), inst=STRANGER)
    upload(store, valid_list(setl))
    asks = [
        (setllists.query, "4103", nd.ListQuery(psn_no=WANGQIANG, setl_id=setl.setl_id)),
        (setllists.qc_results, "4104", nd.QcQuery(setl_id=setl.setl_id)),
        (
            setllists.change_status,
            "4102",
            nd.StatusChange.model_validate(
                {"stastinfo": [{"psn_no": WANGQIANG, "setl_id": setl.setl_id, "stas_type": "1"}]}
            ),
        ),
    ]
    for use_case, infno, data in asks:
        with pytest.raises(Refused, match=f"no settlement list of setl_id {setl.setl_id} at H54010000002"):
            use_case(store, call(infno, {}, STRANGER), data)
    month = setllists.qc_results(store, call("4104", {}, STRANGER), nd.QcQuery(setl_ym="202611")).output
    assert (month["data"], month["recordCounts"]) == ([], 0)
    assert store.setl_list(setl.setl_id).stas_type == "0"


def test_a_reversed_settlement_has_no_list_and_its_earlier_list_cannot_be_submitted(store, setl):
    upload(store, valid_list(setl))
    reverse = inp.Reverse(setl_id=setl.setl_id, mdtrt_id=setl.mdtrt_id, psn_no=WANGQIANG)
    reversal = settling.reverse_settlement(store, call("2305", {}), reverse)
    status = {"stastinfo": [{"psn_no": WANGQIANG, "setl_id": setl.setl_id, "stas_type": "1"}]}
    with pytest.raises(Refused, match=f"setl_id {setl.setl_id} was reversed; its list cannot be submitted"):
        setllists.change_status(store, call("4102", {"data": status}), nd.StatusChange.model_validate(status))
    with pytest.raises(Refused, match=f"setl_id {setl.setl_id} was reversed"):
        upload(store, valid_list(setl))
    body = valid_list(setl)
    body["setlinfo"]["setl_id"] = reversal.ref_id
    with pytest.raises(Refused, match=f"setl_id {reversal.ref_id} is the reversal of {setl.setl_id}"):
        upload(store, body)


def test_a_list_with_more_diagnoses_than_the_form_has_lines_is_refused(store, setl):
    body = valid_list(setl)
    body["diseinfo"] = body["diseinfo"] + [dict(body["diseinfo"][1]) for _ in range(49)]
    with pytest.raises(Refused, match=re.escape("input.diseinfo has 51 rows; a settlement list has at most 50")):
        upload(store, body)
    assert store.setl_list(setl.setl_id) is None


def test_4103_answers_the_list_in_the_query_field_names_and_4104_its_result(store, setl):
    upload(store, valid_list(setl))
    got = setllists.query(store, call("4103", {}), nd.ListQuery(psn_no=WANGQIANG, setl_id=setl.setl_id)).output
    head = got["setlinfo"]
    assert (head["setl_id"], head["psn_no"], head["medcasno"], head["adm_way_code"]) == (
        setl.setl_id,
        WANGQIANG,
        "BA0001",
        None,
    )
    assert (head["act_ipt_days"], head["diag_code_cnt"], head["stas_type"], head["dscg_diag"]) == (
        4,
        2,
        "0",
        "急性阑尾炎",
    )
    assert [x["item_sumamt"] for x in got["iteminfo"]] == [Decimal(x) for x in ("135.00", "25.00", "1000.00", "7.00")]
    assert got["diseinfo"][0]["setl_list_diag_id"].endswith("-D1")
    result = setllists.qc_results(store, call("4104", {}), nd.QcQuery(setl_id=setl.setl_id)).output
    assert (result["setl_id"], result["qltctrl_rslt"], result["psn_name"], result["recordCounts"]) == (
        setl.setl_id,
        "0",
        "王强",
        1,
    )
    month = setllists.qc_results(store, call("4104", {}), nd.QcQuery(setl_ym="202611", retn_flag="0")).output
    assert [r["setl_id"] for r in month["data"]] == [setl.setl_id]


# --------------------------------------------------------------------------- the rule versions


def test_a_published_version_applies_from_its_effective_date(store, setl):
    stricter = copy.deepcopy(_demo_rules())
    stricter |= {"version": "2026.12", "effective_from": "2026-12-01"}
    stricter["rules"].append({"id": "SL-BILL-01", "kind": "required", "fields": ["bill_no"]})
    assert setllists.publish_qc_rules(store, stricter)["rules"] == len(stricter["rules"])
    body = valid_list(setl)
    assert upload(store, body)["qltctrl_ver"] == "2026.1"
    later = setllists.upload(
        store, call("4101", body, now=dt.datetime(2026, 12, 2, 9, 0)), inp.read(nd.SetlInfo, body["setlinfo"], "x")
    ).output
    assert (later["qltctrl_ver"], [d["exam_data_fld"] for d in later["detl_list"]]) == ("2026.12", ["setlinfo.bill_no"])
    with pytest.raises(Conflict, match=re.escape("rule version 2026.12 is already published")):
        setllists.publish_qc_rules(store, stricter)
    assert [v["version"] for v in setllists.qc_rule_versions(store)] == ["2026.1", "2026.12"]


BAD_RULES = [
    ({"kind": "spelling"}, "rule R1: kind must be one of required"),
    ({"kind": "required", "node": "diseinfo"}, "rule R1: a required rule needs fields"),
    ({"kind": "not_empty"}, "rule R1: a not_empty rule needs node"),
    ({"kind": "required", "node": "diseinfo", "fields": ["diag_cod"]}, "rule R1: diseinfo has no field 'diag_cod'"),
    ({"kind": "date_order", "node": "oprninfo", "field": "oprn_oprt_date"}, "needs not_before or not_after"),
    (
        {"kind": "date_order", "node": "oprninfo", "field": "oprn_oprt_date", "not_before": "setlinfo.adm"},
        "not_before 'setlinfo.adm' is not a field of this row or of setlinfo",
    ),
    (
        {"kind": "in_catalogue", "node": "diseinfo", "field": "diag_code", "catalogue": "1307", "pattern": "(["},
        "pattern is not a regular expression",
    ),
    ({"kind": "fee_summary", "compare": ["amount"]}, "compare takes amt"),
    ({"kind": "equals_settlement", "field": "acct_pay", "settlement": "acct"}, "settlement must be one of"),
    ({"kind": "required", "fields": ["medcasno"], "err_lv": "3"}, "err_lv is 1 (error"),
    ({"kind": "required", "fields": ["medcasno"], "severity": "high"}, "unknown key 'severity'"),
    ({"kind": "required", "fields": ["medcasno"], "infnos": ["4401"]}, "infnos lists 4101 and/or 4101A"),
]


@pytest.mark.parametrize(("rule", "message"), BAD_RULES, ids=[m for _, m in BAD_RULES])
def test_a_malformed_rule_is_refused_naming_the_rule_and_key(store, rule, message):
    body = {"version": "9", "effective_from": "2026-01-01", "rules": [{"id": "R1", **rule}]}
    with pytest.raises(qc.RulesInvalid, match=re.escape(message)):
        setllists.publish_qc_rules(store, body)
    assert setllists.qc_rule_versions(store)[-1]["version"] == "2026.1"


def test_the_same_rule_id_twice_and_a_bad_version_are_refused():
    rule = {"id": "R1", "kind": "required", "fields": ["medcasno"]}
    with pytest.raises(qc.RulesInvalid, match="rule id R1 is used twice"):
        qc.parse_rules({"version": "1", "effective_from": "2026-01-01", "rules": [rule, rule]})
    with pytest.raises(qc.RulesInvalid, match="version must be"):
        qc.parse_rules({"version": "a b", "effective_from": "2026-01-01", "rules": [rule]})
    with pytest.raises(qc.RulesInvalid, match="effective_from must be a date"):
        qc.parse_rules({"version": "1", "effective_from": "soon", "rules": [rule]})


def test_the_fee_summary_sums_settled_lines_by_category_and_level():
    lines = [
        nd.SettledLine("01", "02", Decimal("135.00"), Decimal("0")),
        nd.SettledLine("09", "01", Decimal("7.00"), Decimal("0")),
        nd.SettledLine("09", "03", Decimal("12.50"), Decimal("12.50")),
    ]
    summary = nd.fee_summary(lines)
    assert list(summary) == ["01", "09"]
    assert summary["09"] == {
        "amt": Decimal("19.50"),
        "claa_sumfee": Decimal("7.00"),
        "clab_amt": Decimal("0.00"),
        "fulamt_ownpay_amt": Decimal("12.50"),
        "oth_amt": Decimal("0.00"),
    }
