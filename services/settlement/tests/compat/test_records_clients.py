"""Real HIS software reads the record back (5201-5205, 5301-5304) and files designations (2505/2506) in the
shapes its public code sends, and finds every field it reads where it reads it.

Facts and field names only, from:
- binzhe12123/Medical at 57b1455fc1bc42cd9bbc81455a297f005b96ac8d (Shenzhen clinic HIS)
  SZSI_Smart/YBTest/js/YBSYB.js (SYB2505 / SYB2506 / SYB5201 / SYB5202 / SYB5204 / SYB5205 / SYB5301 /
  SYB5302 / SYB5303 / SYB5304: the bodies it posts; it reads output.trt_dcla_detl_sn of 2505 straight under
  output, and output.mdtrtinfo[0].mdtrt_id of 5201; 5303 / 5304 send begntime today and endtime 9999-12-31,
  5205 begntime now and endtime ""), SY.Com.Medical.Model/SYB/XXCX/JZ5201.cs, ZD5202.cs, FY5204.cs,
  MBYY5205.cs, MB5301.cs, RY5302.cs, ZY5303.cs, ZY5304.cs and SYB/RYBA/RYBA2505.cs, RYBA2506.cs (the spec's
  input and output fields with their types, as C# classes: text as string, amounts as decimal)
- newtouch-cloud/openhis at ffa7e660be5c295f4788d4f0870e2b4b10c015d4 (Chongqing)
  WinServiceAPI/YiBaoInterface/Models/Input/Input_5201.cs, Input_5202.cs, Input_5205.cs, Input_5301.cs,
  Input_5302.cs, Input_5304.cs (5303 is sent with the 5304 class), Input_2505.cs, Input_2506.cs,
  Models/Output/Output_5301.cs (feedetail), Output_2505.cs (result.trt_dcla_detl_sn), and
  Newtouch.HIS.Sett/Newtouch.Web/Areas/PatientManage/Views/HospiterRes/YbPatientBasicInfo.cshtml (the node
  each query is read from: mdtrtinfo, diseinfo, output itself for 5204, feedetail, psnfixmedin, data,
  refmedin; and the grid columns shown from each)
- fengzaiqishi11/hsa-his at 1fcd557940391a10c84c139f1e65846eef69a664 (Hunan, Java, fastjson)
  hsa-insure/hsa-insure-biz/src/main/java/cn/hsa/insure/unifiedpay/bo/impl/InsureUnifiedBaseBOImpl.java
  (queryVisitInfo, queryDiagnoseInfo, queryFeeDetailInfo: 5204 output read as a List, with opter_name and
  opter_type in data; querySpecialUserDrug, queryPatientInfo, queryPersonFixInfo and queryTransfInfo: 5302
  and 5304 sent without the data node, 5304's begntime a java.util.Date that fastjson writes as epoch
  milliseconds; querySpecialRecord: 5301 without the data node), .../util/InsureUnifiedCommonUtil.java
  (commonInsureUnified: input is the map as given, JSONObject.toJSONString)
- S-117-John/nhis-web at 35007830b7834b02410d57730503f6d1c5d39fce (Zhongshan, Java)
  src/main/java/com/zebone/nhis/compay/ins/zsrm/service/qgyb/ZsrmQGService.java (searchStChargeDtls: 5204
  data {mdtrt_id, psn_no, setl_id}, output read as List<InsQgybStCg>)

The envelope is the suite's own (support.His); the envelopes of deployed software are covered by
test_real_clients.py. Where the platform holds no value the answer says null (text) and leaves out a
number it cannot give (the maternity counts of 5201), as a C# decimal member defaults when the key is absent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from clients import Read, reads
from compat_support import problems
from support import PEOPLE, WANGQIANG, ZHAXI, His, line, settle_input

from medshared.events import Event
from settlement.messaging import consumer

POOL = "540100"
REFERRAL_SN = "RC20261124000009"


@dataclass
class Record:
    """What the hospital stored before the clerk asks: ids the queries name."""

    visit: str  # 王强's settled chronic-disease outpatient visit (med_type 14)
    setl_id: str
    stay: str  # 扎西 in hospital
    designation: str = ""


def _diagnosis(code: str, name: str, when: str) -> dict[str, Any]:
    return {"diag_type": "1", "diag_srt_no": "1", "diag_code": code, "diag_name": name, "diag_dept": "内科",
            "dise_dor_no": "DR1", "dise_dor_name": "医生", "diag_time": when, "vali_flag": "1",
            "maindiag_flag": "1"}  # fmt: skip


@pytest.fixture
def record(client: Any, lhasa: His) -> Record:
    p = PEOPLE[WANGQIANG]
    chronic = {"psn_no": WANGQIANG, "insutype": "310", "opsp_dise_code": "M03900", "opsp_dise_name": "高血压",
               "begndate": "2026-01-01"}  # fmt: skip
    lhasa.ok("2503", {"data": chronic}, insuplc=POOL)
    register = {"psn_no": WANGQIANG, "insutype": "310", "begntime": "2026-11-24 09:00:00", "mdtrt_cert_type": "02",
                "mdtrt_cert_no": p["certno"], "ipt_otp_no": "OP9", "atddr_no": "DR1", "dr_name": "医生",
                "dept_code": "D01", "dept_name": "内科", "caty": "A03"}  # fmt: skip
    visit = lhasa.ok("2201", {"data": register}, insuplc=POOL)["data"]["mdtrt_id"]
    info = {"mdtrt_id": visit, "psn_no": WANGQIANG, "med_type": "14", "begntime": "2026-11-24 09:00:00",
            "dise_codg": "M03900", "dise_name": "高血压"}  # fmt: skip
    sent = [_diagnosis("I10.x00", "原发性高血压", "2026-11-24 09:10:00")]
    lhasa.ok("2203", {"mdtrtinfo": info, "diseinfo": sent}, insuplc=POOL)
    lines = [line("1", "XA10BAA059A001010100001", "10", "2.00", visit, WANGQIANG),
             line("2", "001102000010000", "1", "15.00", visit, WANGQIANG)]  # fmt: skip
    lhasa.ok("2204", {"feedetail": lines}, insuplc=POOL)
    setl_id = lhasa.ok("2207", settle_input(WANGQIANG, visit, "35.00", med_type="14"), insuplc=POOL)["setlinfo"]

    z = PEOPLE[ZHAXI]
    admission = {"psn_no": ZHAXI, "insutype": "390", "begntime": "2026-11-20 08:00:00", "mdtrt_cert_type": "02",
                 "mdtrt_cert_no": z["certno"], "med_type": "21", "ipt_no": "IP9", "atddr_no": "DR2",
                 "chfpdr_name": "医生", "adm_dept_codg": "D02", "adm_dept_name": "外科"}  # fmt: skip
    stay = lhasa.ok("2401", {"mdtrtinfo": admission, "diseinfo": [_diagnosis("N39.000", "泌尿道感染",
                                                                              "2026-11-20 08:30:00")]},
                    insuplc=POOL)["result"]["mdtrt_id"]  # fmt: skip
    lhasa.ok("2301", {"feedetail": [line("1", "001101000010000", "3", "45.00", stay, ZHAXI)]}, insuplc=POOL)

    referral = {"filing_id": "F-REF-9", "psn_no": WANGQIANG, "insuplc_admdvs": POOL, "filing_type": "referral",
                "target_admdvs": "110100", "begndate": dt.date.today().isoformat(), "enddate": None,
                "status": "active", "channel": "his", "trt_dcla_detl_sn": REFERRAL_SN, "insutype": "310",
                "version": 1}  # fmt: skip
    with client.app.state.runtime.unit_of_work() as session:
        consumer.handle(session, Event("FilingCreated", WANGQIANG, {"filing": referral}, "remote_care"))
    return Record(str(visit), str(setl_id["setl_id"]), str(stay))


# ---------------------------------------------------------------- what each client sends and reads


@dataclass(frozen=True)
class Query:
    infno: str
    body: Callable[[Record], dict[str, Any]]
    reads: tuple[Read, ...]


def _data(**fields: Any) -> dict[str, Any]:
    return {"data": fields}


TODAY = dt.date.today().isoformat()
NOW = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")

# The Shenzhen C# classes: every output field they model, text as string and amounts as decimal.
SZ_5201 = (
    *reads("text", "mdtrtinfo[0].mdtrt_id", "mdtrtinfo[].psn_no", "mdtrtinfo[].psn_cert_type", "mdtrtinfo[].certno",
           "mdtrtinfo[].psn_name", "mdtrtinfo[].gend", "mdtrtinfo[].insutype", "mdtrtinfo[].begntime",
           "mdtrtinfo[].mdtrt_cert_type", "mdtrtinfo[].med_type", "mdtrtinfo[].inhosp_stas"),
    *reads("text?", *(f"mdtrtinfo[].{f}" for f in (
        "naty", "brdy", "coner_name", "tel", "psn_type", "maf_psn_flag", "cvlserv_flag", "flxempe_flag", "nwb_flag",
        "insu_optins", "emp_name", "endtime", "ars_year_ipt_flag", "pre_pay_flag", "ipt_otp_no", "medrcdno",
        "atddr_no", "chfpdr_name", "adm_dept_codg", "adm_dept_name", "adm_bed", "dscg_maindiag_code",
        "dscg_maindiag_name", "dscg_dept_codg", "dscg_dept_name", "dscg_bed", "dscg_way", "main_cond_dscr",
        "dise_codg", "dise_name", "oprn_oprt_code", "oprn_oprt_name", "otp_diag_info", "die_date", "fpsc_no",
        "matn_type", "birctrl_type", "latechb_flag", "pret_flag", "birctrl_matn_date", "cop_flag", "opter_id",
        "opter_name", "opt_time", "memo"))),
    *reads("decimal", "mdtrtinfo[].age", "mdtrtinfo[].ipt_days"),
)  # fmt: skip
SZ_5202 = (
    *reads("text", *(f"diseinfo[].{f}" for f in ("diag_info_id", "mdtrt_id", "psn_no", "diag_code", "diag_srt_no"))),
    *reads("text?", *(f"diseinfo[].{f}" for f in (
        "inout_diag_type", "diag_type", "maindiag_flag", "diag_name", "adm_cond", "diag_dept", "dise_dor_no",
        "dise_dor_name", "diag_time", "opter_id", "opter_name", "opt_time"))),
)  # fmt: skip
_ITEM_TEXT = ("chrgitm_lv", "hilist_code", "list_type", "med_list_codg", "medins_list_codg", "med_chrgitm_type")
_ITEM_TEXT_OPTIONAL = (
    "rx_drord_no", "hilist_name", "medins_list_name", "prodname", "spec", "dosform_name", "lmt_used_flag",
    "hosp_prep_flag", "hosp_appr_flag", "tcmdrug_used_way", "prodplac_type", "bas_medn_flag", "hi_nego_drug_flag",
    "chld_medc_flag", "etip_flag", "etip_hosp_code", "dscg_tkdrug_flag", "list_sp_item_flag", "matn_fee_flag",
)  # fmt: skip
SZ_5204 = (
    *reads("text", *(f"[].{f}" for f in ("mdtrt_id", "feedetl_sn", "fee_ocur_time", "med_type", *_ITEM_TEXT))),
    *reads("text?", *(f"[].{f}" for f in (
        "setl_id", *_ITEM_TEXT_OPTIONAL, "sin_dos_dscr", "used_frqu_dscr", "medc_way_dscr", "bilg_dept_codg",
        "bilg_dept_name", "bilg_dr_codg", "bilg_dr_name", "acord_dept_codg", "acord_dept_name", "orders_dr_code",
        "orders_dr_name", "drt_reim_flag", "memo", "opter_id", "opter_name"))),
    *reads("decimal", *(f"[].{f}" for f in (
        "cnt", "pric", "det_item_fee_sumamt", "pric_uplmt_amt", "selfpay_prop", "fulamt_ownpay_amt", "overlmt_amt",
        "preselfpay_amt", "inscp_scp_amt"))),
)  # fmt: skip
SZ_5205 = (
    *reads("text", *(f"feedetail[].{f}" for f in ("feedetl_sn", "psn_no", "med_type", "fee_ocur_time", "fixmedins_code",
                                                  "fixmedins_name", *_ITEM_TEXT))),
    *reads("text?", *(f"feedetail[].{f}" for f in _ITEM_TEXT_OPTIONAL)),
    *reads("decimal", "feedetail[].cnt", "feedetail[].pric"),
)  # fmt: skip
SZ_5301 = (
    *reads("text", "feedetail[].opsp_dise_code", "feedetail[].opsp_dise_name", "feedetail[].begndate"),
    Read("feedetail[].enddate", "text?"),
)
SZ_5302 = (
    *reads("text", *(f"psnfixmedin[].{f}" for f in ("psn_no", "insutype", "fixmedins_code", "fixmedins_name",
                                                    "begndate"))),
    *reads("text?", "psnfixmedin[].fix_srt_no", "psnfixmedin[].enddate", "psnfixmedin[].memo"),
)  # fmt: skip
SZ_5303 = (
    *reads("text", *(f"data[].{f}" for f in ("mdtrt_id", "psn_no", "psn_cert_type", "certno", "psn_name", "gend",
                                             "insutype", "begndate", "med_type", "ipt_otp_no", "out_flag"))),
    Read("data[].brdy", "text?"),
    Read("data[].age", "decimal"),
)  # fmt: skip
SZ_5304 = (
    *reads("text", *(f"refmedin[].{f}" for f in ("psn_no", "psn_cert_type", "certno", "psn_name", "gend", "insutype",
                                                 "out_flag", "refl_date", "begndate"))),
    *reads("text?", *(f"refmedin[].{f}" for f in (
        "dcla_souc", "brdy", "tel", "addr", "insu_optins", "emp_name", "diag_code", "diag_name", "dise_cond_dscr",
        "reflin_medins_no", "reflin_medins_name", "refl_rea", "enddate", "hosp_agre_refl_flag", "opter_id",
        "opter_name", "opt_time"))),
)  # fmt: skip

SHENZHEN = (
    Query(
        "5201",
        lambda r: _data(
            psn_no=WANGQIANG, begntime="2026-11-01 10:28:33", endtime="2026-11-30 10:28:33", med_type="14", mdtrt_id=""
        ),
        SZ_5201,
    ),
    Query("5202", lambda r: _data(mdtrt_id=r.visit, psn_no=WANGQIANG), SZ_5202),
    Query("5204", lambda r: _data(psn_no=WANGQIANG, setl_id=r.setl_id, mdtrt_id=r.visit), SZ_5204),
    Query("5205", lambda r: _data(psn_no=WANGQIANG, begntime="2026-11-01 00:00:00", endtime=""), SZ_5205),
    Query("5301", lambda r: _data(psn_no=WANGQIANG), SZ_5301),
    Query("5302", lambda r: _data(psn_no=WANGQIANG, biz_appy_type="01"), SZ_5302),
    Query("5303", lambda r: _data(psn_no=ZHAXI, begntime="2026-11-01", endtime="9999-12-31"), SZ_5303),
    Query("5304", lambda r: _data(psn_no=WANGQIANG, begntime=TODAY, endtime="9999-12-31"), SZ_5304),
)

# Chongqing: what the patient page posts (through its own service) and the columns it shows.
CHONGQING = (
    Query("5201", lambda r: _data(psn_no=ZHAXI, begntime="2026-11-01", endtime="2026-11-30", med_type="21",
                                  mdtrt_id=r.stay),
          (Read("mdtrtinfo", "list"), *reads("text?", *(f"mdtrtinfo[].{f}" for f in (
              "mdtrt_id", "begntime", "endtime", "ipt_otp_no", "atddr_no", "chfpdr_name", "adm_dept_codg",
              "adm_dept_name", "dise_codg", "dise_name"))))),
    Query("5202", lambda r: _data(mdtrt_id=r.stay, psn_no=ZHAXI),
          (Read("diseinfo", "list"), *reads("text?", *(f"diseinfo[].{f}" for f in (
              "mdtrt_id", "diag_type", "maindiag_flag", "diag_code", "diag_name", "diag_dept", "dise_dor_no",
              "dise_dor_name", "diag_time"))))),
    Query("5204", lambda r: _data(setl_id=r.setl_id, mdtrt_id=r.visit, psn_no=WANGQIANG),
          (Read("", "list"), *reads("text?", *(f"[].{f}" for f in (
              "setl_id", "mdtrt_id", "feedetl_sn", "cnt", "pric", "det_item_fee_sumamt", "fulamt_ownpay_amt",
              "overlmt_amt", "preselfpay_amt", "inscp_scp_amt", "hilist_code", "hilist_name", "med_list_codg",
              "bilg_dept_codg", "bilg_dept_name"))))),
    Query("5205", lambda r: _data(psn_no=WANGQIANG, begntime="2026-11-01", endtime="2026-11-30"),
          (Read("feedetail", "list"), *reads("text?", *(f"feedetail[].{f}" for f in (
              "feedetl_sn", "cnt", "pric", "fee_ocur_time", "hilist_code", "hilist_name", "med_list_codg",
              "medins_list_codg", "medins_list_name"))))),
    Query("5301", lambda r: _data(psn_no=WANGQIANG),
          (Read("feedetail", "list"), *reads("text?", "feedetail[].opsp_dise_code", "feedetail[].opsp_dise_name",
                                             "feedetail[].begndate", "feedetail[].enddate"))),
    Query("5302", lambda r: _data(psn_no=WANGQIANG, biz_appy_type="01"),
          (Read("psnfixmedin", "list"), *reads("text?", *(f"psnfixmedin[].{f}" for f in (
              "insutype", "fix_srt_no", "fixmedins_code", "fixmedins_name", "begndate", "enddate"))))),
    Query("5303", lambda r: _data(psn_no="", begntime="2026-11-01", endtime="2026-11-30"),
          (Read("data", "list"), *reads("text?", *(f"data[].{f}" for f in (
              "mdtrt_id", "insutype", "begndate", "med_type", "ipt_otp_no", "out_flag"))))),
    Query("5304", lambda r: _data(psn_no=WANGQIANG, begntime=TODAY, endtime=None),
          (Read("refmedin", "list"), *reads("text?", *(f"refmedin[].{f}" for f in (
              "insutype", "dcla_souc", "diag_code", "diag_name", "reflin_medins_no", "reflin_medins_name",
              "out_flag", "refl_date", "begndate", "enddate", "hosp_agre_refl_flag"))))),
)  # fmt: skip

_MIDNIGHT_MS = int(dt.datetime.combine(dt.date.today(), dt.time.min).timestamp() * 1000)
HUNAN = (
    Query(
        "5201",
        lambda r: _data(
            psn_no=WANGQIANG,
            begntime="2026-11-01 00:00:00",
            endtime="2026-11-30 23:59:59",
            med_type="14",
            mdtrt_id=r.visit,
        ),
        (Read("mdtrtinfo", "list"),),
    ),
    Query("5202", lambda r: _data(psn_no=WANGQIANG, mdtrt_id=r.visit), (Read("diseinfo", "list"),)),
    Query(
        "5204",
        lambda r: _data(setl_id=r.setl_id, psn_no=WANGQIANG, mdtrt_id=r.visit, opter_name="收费员", opter_type="1"),
        (Read("", "list"),),
    ),
    Query(
        "5205",
        lambda r: _data(psn_no=WANGQIANG, begntime="2026-11-01 00:00:00", endtime="2026-11-30 23:59:59"),
        (Read("feedetail", "list"),),
    ),
    Query("5301", lambda r: {"psn_no": WANGQIANG}, (Read("feedetail", "list"),)),
    Query("5302", lambda r: {"psn_no": WANGQIANG, "biz_appy_type": "01"}, (Read("psnfixmedin", "list"),)),
    Query(
        "5303",
        lambda r: _data(psn_no=None, begntime="2026-11-01 00:00:00", endtime="2026-11-30 23:59:59"),
        (Read("data", "list"),),
    ),
    Query(
        "5304", lambda r: {"psn_no": WANGQIANG, "begntime": _MIDNIGHT_MS, "endtime": None}, (Read("refmedin", "list"),)
    ),
)
ZHONGSHAN = (
    Query(
        "5204",
        lambda r: _data(mdtrt_id=r.visit, psn_no=WANGQIANG, setl_id=r.setl_id, port="5204"),
        (Read("", "list"), *reads("text", "[].feedetl_sn", "[].mdtrt_id")),
    ),
)
CLIENTS = {"shenzhen": SHENZHEN, "chongqing": CHONGQING, "hunan": HUNAN, "zhongshan": ZHONGSHAN}

# What 2505 sends: the Shenzhen front end (every field, "" unset) and the Chongqing class (unset: null).
DESIGNATIONS = {
    "shenzhen": {"psn_no": WANGQIANG, "tel": "13715112276", "addr": "联系地址", "biz_appy_type": "01",
                 "begndate": TODAY, "enddate": "2099-01-01", "agnter_name": "", "agnter_cert_type": "",
                 "agnter_certno": "", "agnter_tel": "", "agnter_addr": "", "agnter_rlts": "", "fix_srt_no": "1",
                 "fixmedins_code": "H54010000001", "fixmedins_name": "拉萨市第一人民医院", "memo": ""},
    "chongqing": {"psn_no": WANGQIANG, "tel": None, "addr": None, "biz_appy_type": "03", "begndate": TODAY,
                  "enddate": None, "agnter_name": None, "agnter_cert_type": None, "agnter_certno": None,
                  "agnter_tel": None, "agnter_addr": None, "agnter_rlts": None, "fix_srt_no": "1",
                  "fixmedins_code": "H54010000001", "fixmedins_name": "拉萨市第一人民医院", "memo": None},
}  # fmt: skip


def _designate(his: His, shape: str) -> str:
    out = his.ok("2505", {"data": DESIGNATIONS[shape]}, insuplc=POOL)
    assert problems(out, (Read("trt_dcla_detl_sn", "str"), Read("result.trt_dcla_detl_sn", "str"))) == []
    return str(out["trt_dcla_detl_sn"])


@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_each_client_reads_the_record_where_and_as_its_code_reads_it(record: Record, lhasa: His, name: str) -> None:
    record.designation = _designate(lhasa, "shenzhen")
    for query in CLIENTS[name]:
        answer = lhasa.call(query.infno, query.body(record), insuplc=POOL)
        assert answer["infcode"] == 0, f"{name} {query.infno}: {answer['err_msg']}"
        assert problems(answer["output"], query.reads) == [], f"{name} {query.infno}"
        found = answer["output"] if query.infno == "5204" else next(iter(answer["output"].values()))
        assert found, f"{name} {query.infno} answered no rows"


def test_the_answers_carry_what_the_record_holds(record: Record, lhasa: His) -> None:
    [visit] = lhasa.ok("5201", SHENZHEN[0].body(record), insuplc=POOL)["mdtrtinfo"]
    assert (visit["mdtrt_id"], visit["med_type"], visit["dise_codg"], visit["ipt_otp_no"]) == (
        record.visit,
        "14",
        "M03900",
        "OP9",
    )
    [drug] = lhasa.ok("5205", SHENZHEN[3].body(record), insuplc=POOL)["feedetail"]
    assert (drug["med_list_codg"], drug["cnt"], drug["det_item_fee_sumamt"], drug["list_type"]) == (
        "XA10BAA059A001010100001",
        Decimal("10.0000"),
        Decimal("20.00"),
        "101",
    )
    [patient] = lhasa.ok("5303", CHONGQING[6].body(record), insuplc=POOL)["data"]
    assert (patient["mdtrt_id"], patient["psn_name"], patient["begndate"]) == (record.stay, "扎西", "2026-11-20")
    [referral] = lhasa.ok("5304", HUNAN[7].body(record), insuplc=POOL)["refmedin"]
    assert (referral["trt_dcla_detl_sn"], referral["out_flag"], referral["enddate"]) == (REFERRAL_SN, "1", None)


@pytest.mark.parametrize("shape", sorted(DESIGNATIONS))
def test_a_designation_in_each_clients_shape_is_filed_and_revoked(lhasa: His, shape: str) -> None:
    sn = _designate(lhasa, shape)
    listed = lhasa.ok("5302", {"data": {"psn_no": WANGQIANG}}, insuplc=POOL)["psnfixmedin"]
    assert [d["trt_dcla_detl_sn"] for d in listed] == [sn]
    # RYBA2506.cs / Input_2506.cs: trt_dcla_detl_sn, psn_no, memo (the reason)
    assert lhasa.ok("2506", {"data": {"trt_dcla_detl_sn": sn, "psn_no": WANGQIANG, "memo": "患者暂时不需要"}},
                    insuplc=POOL) is None  # fmt: skip
    assert lhasa.ok("5302", {"data": {"psn_no": WANGQIANG}}, insuplc=POOL) == {"psnfixmedin": []}
