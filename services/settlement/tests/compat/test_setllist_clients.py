"""Real HIS software uploads the 医疗保障基金结算清单 of a settled stay (4101 / 4101A) in the shapes its public
code builds, changes its status (4102), reads it back (4103) and its quality control (4104), and finds
what it reads where it reads it.

Facts and field names only, from:
- newtouch-cloud/openhis at ffa7e660be5c295f4788d4f0870e2b4b10c015d4 (Chongqing, C#, Newtonsoft: an unset
  property is sent as null, a DateTime as ISO with a T)
  WinServiceAPI/YiBaoInterface/Models/Input/Input_4101.cs (setlinfo with its 82 fields, among them a stray
  maindiag_flag; payinfo[], opspdiseinfo[], diseinfo[], iteminfo[], oprninfo[], icuinfo[]; adm_time,
  setl_begn_date and setl_end_date typed DateTime), Input_4101A.cs (setlinfoA with psn_no and without the
  identity, oprninfoA with oprn_oprt_begntime / endtime, bldinfo[]; no payinfo, no iteminfo),
  Input_4102.cs (data.stastinfo[]: psn_no, setl_id, stas_type), Input_4103.cs (data: psn_no, setl_id),
  Input_4104.cs (data: setl_ym, setl_id, psn_no, err_lv, retn_flag, page_num, page_size, all text),
  Models/Output/Output_4101.cs (output.setl_list_id), Output_4103.cs (setlinfo and its query names),
  Output_4104.cs (the result's fields flat under output), CommonYiBaoApp/Controllers/YiBaoController.cs
  (PostMedicalSettlement_4101 / _4101_V2, MedicalSettlementUpdate_4102, QueryMedicalSettlement_4103)
- fengzaiqishi11/hsa-his at 1fcd557940391a10c84c139f1e65846eef69a664 (Hunan, Java, fastjson: nulls left out)
  hsa-insure/hsa-insure-biz/src/main/java/cn/hsa/insure/module/bo/impl/InsureGetInfoBOImpl.java
  (insertSettleInfo: 4101A without iteminfo / payinfo, setlinfo with stas_type "0", dcla_time yyyy-MM-dd,
  adm_time / setl_begn_date yyyy-MM-dd HH:mm:ss, bill_code and bill_no required; reads
  output.data.setl_list_id; updateSettleInfo: 4102 toggles stas_type 0 / 1),
  .../unifiedpay/util/settlementlist/SettlementListUpdateReqUtil.java (input.data.stastinfo[] of one row),
  SettlementListQueryReqUtil.java (4103 input.data)
- liutao2019/IBORN_HIS_ALL at f01d7db6e6fc154b4adfe85fa0108d66ff9dbe17 (Guangzhou, C#, all text)
  MEDICAL/广州医保/API.GZSI/Models/Request/RequestGzsiModel4101.cs (oprninfo with main_oprn_flag),
  Models/Response/ResponseGzsiModel4101.cs (output.setl_list_id), API.GZSI/Process.cs (uploadJsqdInfo:
  payinfo from the settlement's fund rows, leaving out fund_pay_type 9*; iteminfo from its setldetail,
  fulamt_ownpay_amt = ownpay + overlmt)
- S-117-John/nhis-web at 35007830b7834b02410d57730503f6d1c5d39fce (Zhongshan, Java)
  src/main/java/com/zebone/nhis/pro/zsba/compay/ins/qgyb/vo/TransferClass/Input4101.java, Output4101.java
  (output.setl_list_id), vo/BottomClass/Input4101*.java, dao/InsQgybPvMapper.xml (get4101Setlinfo:
  hi_setl_lv '三级', setl_begn_date CONVERT(varchar, setl_time, 120), hi_paymtd '3'; get4101Payinfo: every
  setldetail row; get4101Diseinfo: diag_code, diag_name, adm_cond_type, maindiag_flag and no diag_type;
  get4101Iteminfo2301: amounts by med_chrgitm_type and chrgitm_lv 1 / 2 / 3)

The envelope is the suite's own (support.His); deployed envelopes are covered by test_real_clients.py.
Output_4103.cs declares payinfo ... bldinfo as single objects; a DLL header of another client
(query_prot_fund_ret_payinfo and the record counts beside them) reads them as lists, as the national
answer has them, so the platform answers lists and this suite reads the Chongqing client's setlinfo.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from clients import Read, reads
from compat_support import problems
from support import PEOPLE, ZHAXI, His, line, settle_input

POOL = "540100"
ADMITTED, DISCHARGED = "2026-11-20 08:00:00", "2026-11-24 09:00:00"
FEES = (("1", "003301000010000", "1", "1000"), ("2", "001101000010000", "3", "45"), ("3", "002501010010000", "1", "25"))
# 医疗收费项目类别 -> (total, 甲类, 乙类) of the stay's settled lines
CATEGORIES = {
    "06": ("1000.00", "1000.00", "0.00"),
    "01": ("135.00", "0.00", "135.00"),
    "04": ("25.00", "25.00", "0.00"),
}


@dataclass
class Stay:
    info: dict[str, Any]  # the 2304 setlinfo
    details: list[dict[str, Any]]  # the 2304 setldetail

    @property
    def setl_id(self) -> str:
        return str(self.info["setl_id"])


@pytest.fixture
def stay(lhasa: His) -> Stay:
    z = PEOPLE[ZHAXI]
    admission = {"psn_no": ZHAXI, "insutype": "390", "begntime": ADMITTED, "mdtrt_cert_type": "02",
                 "mdtrt_cert_no": z["certno"], "med_type": "21", "ipt_no": "IP9", "atddr_no": "D001",
                 "chfpdr_name": "张医生", "adm_dept_codg": "A07", "adm_dept_name": "外科"}  # fmt: skip
    mdtrt_id = lhasa.ok("2401", {"mdtrtinfo": admission, "diseinfo": []}, insuplc=POOL)["result"]["mdtrt_id"]
    lhasa.ok("2301", {"feedetail": [line(sn, c, n, p, mdtrt_id, ZHAXI) for sn, c, n, p in FEES]}, insuplc=POOL)
    discharge = {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI, "insutype": "390", "endtime": DISCHARGED}
    lhasa.ok("2402", {"dscginfo": discharge}, insuplc=POOL)
    settled = lhasa.ok("2304", settle_input(ZHAXI, mdtrt_id, "1160", med_type="21"), insuplc=POOL)
    return Stay(settled["setlinfo"], settled["setldetail"])


def _funds(s: Stay, *, account: bool = False) -> list[tuple[str, Any]]:
    return [(d["fund_pay_type"], d["fund_payamt"]) for d in s.details if account or d["fund_pay_type"] != "310200"]


DIAGNOSES = (("K35.800", "急性阑尾炎", "1"), ("I10.x00", "高血压", "0"))


# ---------------------------------------------------------------- Chongqing (openhis), Newtonsoft


def _cq_setlinfo(s: Stay) -> dict[str, Any]:
    info = s.info
    fields = ["hi_no", "dcla_time", "age", "nwb_age", "prfs", "curr_addr", "emp_name", "emp_addr", "emp_tel", "poscode", "coner_name", "patn_rlts", "coner_addr", "coner_tel", "sp_psn_type", "nwb_adm_type", "nwb_bir_wt", "nwb_adm_wt", "opsp_diag_caty", "opsp_mdtrt_date", "adm_way", "trt_type", "refldept_dept", "otp_wm_dise", "wm_dise_code", "otp_tcm_dise", "tcm_dise_code", "diag_code_cnt", "oprn_oprt_code_cnt", "vent_used_dura", "pwcry_bfadm_coma_dura", "pwcry_afadm_coma_dura", "bld_cat", "bld_amt", "bld_unt", "spga_nurscare_days", "lv1_nurscare_days", "scd_nurscare_days", "lv3_nurscare_days", "acp_medins_name", "acp_optins_code", "bill_code", "bill_no", "biz_sn", "days_rinp_flag_31", "days_rinp_pup_31", "chfpdr_name", "chfpdr_code", "psn_selfpay", "psn_ownpay", "hsorg", "hsorg_opter"]  # fmt: skip
    head: dict[str, Any] = dict.fromkeys(fields)  # unset: null
    head |= {
        "mdtrt_id": info["mdtrt_id"], "setl_id": s.setl_id, "fixmedins_name": "拉萨市第一人民医院",
        "fixmedins_code": "H54010000001", "hi_setl_lv": "3", "medcasno": "BA9001", "psn_name": info["psn_name"],
        "gend": info["gend"], "brdy": info["brdy"], "ntly": "CHN", "naty": "01", "patn_cert_type": "01",
        "certno": info["certno"], "prfs": "90", "coner_name": "卓玛", "patn_rlts": "10", "coner_addr": "拉萨",
        "coner_tel": "13800000000", "hi_type": "390", "insuplc": POOL, "ipt_med_type": "1",
        "adm_time": "2026-11-20T08:00:00", "adm_caty": "A07", "dscg_time": "2026-11-24T09:00:00", "dscg_caty": "A07",
        "act_ipt_days": "4", "maindiag_flag": "1", "dscg_way": "1", "setl_begn_date": "2026-11-20T00:00:00",
        "setl_end_date": "2026-11-24T00:00:00", "acct_pay": str(info["acct_pay"]),
        "psn_cashpay": str(info["psn_cash_pay"]), "hi_paymtd": "3", "medins_fill_dept": "病案科",
        "medins_fill_psn": "李梅",
    }  # fmt: skip
    return head


def _cq_oprn(**more: Any) -> dict[str, Any]:
    return {"oprn_oprt_type": "1", "oprn_oprt_name": "阑尾切除术", "oprn_oprt_code": "47.0900", "anst_way": "01",
            "oper_dr_code": "D001", "anst_dr_code": None, **more}  # fmt: skip


def chongqing_4101(s: Stay) -> dict[str, Any]:
    return {
        "setlinfo": _cq_setlinfo(s),
        "payinfo": [{"fund_pay_type": k, "fund_payamt": str(v)} for k, v in _funds(s)],
        "opspdiseinfo": [],
        "diseinfo": [
            {"diag_type": "1", "diag_code": c, "diag_name": n, "adm_cond_type": "1", "maindiag_flag": m}
            for c, n, m in DIAGNOSES
        ],
        "iteminfo": [
            {
                "med_chrgitm": k,
                "amt": a,
                "claa_sumfee": ca,
                "clab_amt": cb,
                "fulamt_ownpay_amt": "0.00",
                "oth_amt": "0.00",
            }
            for k, (a, ca, cb) in CATEGORIES.items()
        ],
        "oprninfo": [_cq_oprn(oprn_oprt_date="2026-11-21", oper_dr_name="张医生", anst_dr_name=None)],
        "icuinfo": [],
    }


def chongqing_4101a(s: Stay) -> dict[str, Any]:
    head = {k: v for k, v in _cq_setlinfo(s).items() if k not in ("fixmedins_name", "fixmedins_code", "psn_name",
            "gend", "brdy", "naty", "patn_cert_type", "certno", "hi_type", "insuplc", "maindiag_flag", "acct_pay",
            "psn_cashpay", "ipt_med_type", "adm_caty", "act_ipt_days")}  # fmt: skip
    head |= {"psn_no": ZHAXI, "mul_nwb_bir_wt": None, "mul_nwb_adm_wt": None, "resp_nurs_code": None, "stas_type": "0"}
    oprn = _cq_oprn(oprn_oprt_begntime="2026-11-21 09:00:00", oprn_oprt_endtime="2026-11-21 10:00:00",
                    anst_begntime=None, anst_endtime=None)  # fmt: skip
    body = chongqing_4101(s)
    return {"setlinfo": head, "opspdiseinfo": [], "diseinfo": body["diseinfo"], "oprninfo": [oprn], "icuinfo": [],
            "bldinfo": []}  # fmt: skip


# ---------------------------------------------------------------- Hunan (hsa-his, Powersi), fastjson


def hunan_4101a(s: Stay) -> dict[str, Any]:
    info = s.info
    setlinfo = {
        "psn_no": ZHAXI, "mdtrt_id": info["mdtrt_id"], "setl_id": s.setl_id, "hi_no": ZHAXI, "medcasno": "BA9002",
        "dcla_time": "2026-11-24", "ntly": "CHN", "prfs": "90", "coner_name": "卓玛", "patn_rlts": "10",
        "coner_addr": "拉萨", "coner_tel": "13800000000", "adm_way": "1", "trt_type": "10", "adm_time": ADMITTED,
        "dscg_time": DISCHARGED, "dscg_caty": "A07", "dscg_way": "1", "bill_code": "EB001", "bill_no": "00012345",
        "biz_sn": "ZY9002", "chfpdr_name": "张医生", "chfpdr_code": "D001", "setl_begn_date": ADMITTED,
        "setl_end_date": DISCHARGED, "medins_fill_dept": "病案科", "medins_fill_psn": "李梅", "stas_type": "0",
        "hi_paymtd": "3", "fixmedins_name": "拉萨市第一人民医院", "fixmedins_code": "H54010000001",
        "hi_setl_lv": "3", "psn_name": info["psn_name"], "gend": info["gend"], "brdy": info["brdy"],
        "age": info["age"], "naty": "01", "patn_cert_type": "01", "certno": info["certno"], "hi_type": "390",
        "insuplc": POOL, "ipt_med_type": "1", "adm_caty": "A07", "act_ipt_days": 4, "diag_code_cnt": 2,
        "oprn_oprt_code_cnt": 1, "acct_pay": info["acct_pay"], "psn_cashpay": info["psn_cash_pay"],
    }  # fmt: skip
    diseinfo = [{"diag_type": "1", "diag_code": c, "diag_name": n, "maindiag_flag": m, "adm_cond_type": "1"}
                for c, n, m in DIAGNOSES]  # fmt: skip
    oprninfo = [{"oprn_oprt_type": "1", "oprn_oprt_name": "阑尾切除术", "oprn_oprt_code": "47.0900",
                 "oprn_oprt_begntime": "2026-11-21 09:00:00", "oprn_oprt_endtime": "2026-11-21 10:00:00",
                 "anst_way": "01", "oper_dr_code": "D001"}]  # fmt: skip
    return {"opspdiseinfo": [], "oprninfo": oprninfo, "diseinfo": diseinfo, "icuinfo": [], "setlinfo": setlinfo,
            "bldinfo": []}  # fmt: skip


# ---------------------------------------------------------------- Guangzhou (IBORN), all text


def guangzhou_4101(s: Stay) -> dict[str, Any]:
    body = chongqing_4101(s)
    head = {k: v for k, v in body["setlinfo"].items() if k != "maindiag_flag"}
    head |= {"adm_time": ADMITTED, "dscg_time": DISCHARGED, "setl_begn_date": "2026-11-20",
             "setl_end_date": "2026-11-24", "prfs_name": "其他"}  # fmt: skip
    payinfo = [{"fund_pay_type": k, "fund_payamt": str(v)} for k, v in _funds(s, account=True) if not k.startswith("9")]
    oprninfo = [dict(body["oprninfo"][0], main_oprn_flag="1")]
    return body | {"setlinfo": head, "payinfo": payinfo, "oprninfo": oprninfo}


# ---------------------------------------------------------------- Zhongshan (nhis-web)


def zhongshan_4101(s: Stay) -> dict[str, Any]:
    body = guangzhou_4101(s)
    head = dict(body["setlinfo"], hi_setl_lv="三级", hi_no=ZHAXI, setl_begn_date=f"{s.info['setl_time']}",
                setl_end_date=f"{s.info['setl_time']}", hsorg="拉萨医保局", hsorg_opter="医保局经办人")  # fmt: skip
    diseinfo = [{"diag_code": c, "diag_name": n, "adm_cond_type": "1", "maindiag_flag": m} for c, n, m in DIAGNOSES]
    payinfo = [{"fund_pay_type": k, "fund_payamt": str(v)} for k, v in _funds(s, account=True)]
    iteminfo = [{"med_chrgitm": k, "amt": a, "claa_sumfee": ca, "clab_amt": cb, "fulamt_ownpay_amt": "0.00",
                 "oth_amt": "0.00"} for k, (a, ca, cb) in CATEGORIES.items()]  # fmt: skip
    return {"setlinfo": head, "payinfo": payinfo, "diseinfo": diseinfo, "iteminfo": iteminfo,
            "oprninfo": [dict(body["oprninfo"][0], main_oprn_flag=None)]}  # fmt: skip


@dataclass(frozen=True)
class Upload:
    infno: str
    body: Callable[[Stay], dict[str, Any]]
    reads: tuple[Read, ...]
    # what quality control still names in the list as the source builds it (exam_data_fld of each problem)
    named: tuple[str, ...] = ()


UPLOADS = {
    "chongqing 4101": Upload("4101", chongqing_4101, (Read("setl_list_id", "text"),)),
    "chongqing 4101A": Upload("4101A", chongqing_4101a, (Read("setl_list_id", "text"),)),
    "hunan 4101A": Upload("4101A", hunan_4101a, (Read("data.setl_list_id", "text"),)),
    "guangzhou 4101": Upload("4101", guangzhou_4101, (Read("setl_list_id", "text"),)),
    # its mapper leaves diag_type out, so no row is a western main diagnosis (the class has the field)
    "zhongshan 4101": Upload(
        "4101",
        zhongshan_4101,
        (Read("setl_list_id", "text"),),
        ("diseinfo[0].diag_type", "diseinfo[1].diag_type", "diseinfo.maindiag_flag"),
    ),
}


@pytest.mark.parametrize("name", sorted(UPLOADS))
def test_each_client_uploads_its_list_and_reads_the_list_id(stay: Stay, lhasa: His, name: str) -> None:
    upload = UPLOADS[name]
    answer = lhasa.call(upload.infno, upload.body(stay), insuplc=POOL)
    assert answer["infcode"] == 0, f"{name}: {answer['err_msg']}"
    assert problems(answer["output"], upload.reads) == []
    named = tuple(d["exam_data_fld"] for d in answer["output"]["detl_list"])
    assert named == upload.named, answer["output"]["detl_list"]
    assert answer["output"]["qltctrl_rslt"] == ("1" if upload.named else "0")


CQ_4103 = (
    Read("setlinfo", "object"),
    *reads("text", *(f"setlinfo.{f}" for f in ("setl_id", "setl_list_sn", "psn_no", "mdtrt_id", "fixmedins_code",
                                                "medcasno", "psn_name", "insutype", "stas_type"))),
    *reads("text?", *(f"setlinfo.{f}" for f in (
        "fixmedins_name", "hi_setl_lv", "dcla_time", "gend", "brdy", "ntly", "naty", "psn_cert_type", "certno",
        "prfs", "curr_addr", "emp_name", "emp_addr", "emp_tel", "emp_poscode", "coner_name", "patn_rlts",
        "coner_addr", "coner_tel", "sp_psn_type", "insu_admdvs", "nwb_adm_type", "mul_nwb_bir_wt", "mul_nwb_adm_wt",
        "opsp_diag_caty", "opsp_mdtrt_time", "ipt_med_type", "adm_way_code", "trt_type", "adm_time", "dscg_time",
        "adm_caty", "refl_caty", "dscg_caty", "otp_wm_diag", "otp_wm_diag_dise_code", "otp_tcm_diag",
        "otp_tcm_diag_dise_code", "dscg_way", "acp_optins_name", "acp_optins_code", "dscg31days_rinp_flag",
        "rinp_pup", "chfpdr_name", "chfpdr_code", "biz_sn", "bill_code", "bill_no", "setl_begndate", "setl_enddate",
        "hi_paymtd", "medins_fill_dept", "medins_fill_psn", "hi_no", "hi_type", "opsp_dise_name", "opsp_dise_code",
        "dscg_diag", "resp_nurs_name", "resp_nurs_code", "hsorg_opter_code", "hsorg_opter_name", "hsorg_name",
        "hsorg_code", "chk_cont"))),
    # numbers in the DLL header's record (double / int)
    *reads("number", *(f"setlinfo.{f}" for f in (
        "age", "age_days", "nwb_bir_wt", "nwb_adm_wt", "act_ipt_days", "diag_code_cnt", "oprn_oprt_code_cnt",
        "vent_used_days", "vent_used_h_cnt", "vent_used_m_cnt", "bfadm_coma_days", "bfadm_coma_h_cnt",
        "bfadm_coma_m_cnt", "afadm_coma_days", "afadm_coma_h_cnt", "afadm_coma_m_cnt", "spga_nurscare_days",
        "lv1_nurscare_days", "scd_nurscare_days", "lv3_nurscare_days", "psn_selfpay_amt", "psn_ownpay_fee",
        "acct_payamt", "psn_cashpay"))),
    *reads("list", "payinfo", "opspdiseinfo", "diseinfo", "iteminfo", "oprninfo", "icuinfo", "bldinfo"),
    *reads("text", "payinfo[].fund_pay_type", "diseinfo[].setl_list_diag_id", "diseinfo[].diag_code",
           "iteminfo[].setl_list_chrgitm_id", "iteminfo[].med_chrgitm_type", "oprninfo[].setl_list_oprn_id"),
    *reads("number", "payinfo[].fund_payamt", "iteminfo[].item_sumamt", "iteminfo[].item_claa_amt",
           "iteminfo[].item_clab_amt", "iteminfo[].item_ownpay_amt", "iteminfo[].item_oth_amt"),
)  # fmt: skip
CQ_4104 = (
    *reads("text", "fixmedins_code", "setl_ym", "setl_id", "psn_no", "psn_name", "qltctrl_rslt", "retn_flag",
           "qltctrl_ver"),
    *reads("text?", "fixmedins_name", "err_lv", "psn_cert_type", "cert_no"),
    Read("detl_list", "list"),
    *reads("text", "detl_list[].exam_data_fld", "detl_list[].qltctrl_chkrslt", "detl_list[].err_lv",
           "detl_list[].retn_flag"),
    Read("detl_list[].init_val", "text?"),
)  # fmt: skip


def _status(s: Stay, stas_type: str) -> dict[str, Any]:
    return {"data": {"stastinfo": [{"psn_no": ZHAXI, "setl_id": s.setl_id, "stas_type": stas_type}]}}


def test_the_chongqing_client_submits_queries_and_reads_the_quality_control_of_its_list(stay: Stay, lhasa: His) -> None:
    uploaded = lhasa.ok("4101", chongqing_4101(stay), insuplc=POOL)
    assert lhasa.call("4102", _status(stay, "1"), insuplc=POOL)["infcode"] == 0
    got = lhasa.ok("4103", {"data": {"psn_no": ZHAXI, "setl_id": stay.setl_id}}, insuplc=POOL)
    assert problems(got, CQ_4103) == []
    assert (got["setlinfo"]["setl_list_sn"], got["setlinfo"]["stas_type"]) == (uploaded["setl_list_id"], "1")
    assert got["setlinfo"]["adm_time"] == ADMITTED  # sent with a T, answered in the national form
    ym = str(stay.info["setl_time"])[:7].replace("-", "")
    query = {"setl_ym": ym, "setl_id": stay.setl_id, "psn_no": ZHAXI, "err_lv": None, "retn_flag": None,
             "page_num": "1", "page_size": "10"}  # fmt: skip
    result = lhasa.ok("4104", {"data": query}, insuplc=POOL)
    assert problems(result, CQ_4104) == []
    assert (result["qltctrl_rslt"], result["retn_flag"], result["detl_list"]) == ("0", "0", [])
    assert lhasa.call("4102", _status(stay, "0"), insuplc=POOL)["infcode"] == 0


def test_the_hunan_client_toggles_the_status_and_queries_with_one_row(stay: Stay, lhasa: His) -> None:
    lhasa.ok("4101A", hunan_4101a(stay), insuplc=POOL)
    # updateSettleInfo: stastinfo built as one map, wrapped in a list by SettlementListUpdateReqUtil
    assert lhasa.ok("4102", _status(stay, "1"), insuplc=POOL)["stastinfo"][0]["stas_type"] == "1"
    locked = lhasa.call("4101A", hunan_4101a(stay), insuplc=POOL)
    assert locked["infcode"] == -1 and "withdraw it with 4102" in locked["err_msg"]
    assert lhasa.ok("4102", _status(stay, "0"), insuplc=POOL)["stastinfo"][0]["stas_type"] == "0"
    got = lhasa.ok("4103", {"data": {"psn_no": ZHAXI, "setl_id": stay.setl_id}}, insuplc=POOL)
    # 4101A sent neither: the list carries the settlement's own fund payments and fee summary
    assert [x["item_sumamt"] for x in got["iteminfo"]] == [Decimal(CATEGORIES[k][0]) for k in ("01", "04", "06")]
    assert sum(x["fund_payamt"] for x in got["payinfo"]) == stay.info["fund_pay_sumamt"]
    assert (got["setlinfo"]["bill_no"], got["setlinfo"]["act_ipt_days"]) == ("00012345", 4)
