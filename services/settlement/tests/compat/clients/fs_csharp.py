"""Foshan (Shunde) hospital HIS plug-in for the Guangdong platform, C# (.NET Framework, Newtonsoft).

Source: liutao2019/IBORN_HIS_ALL @f01d7db, MEDICAL/顺德医保/佛山新医保接口/API.GZSI/
- Business/AbstractService.cs (ConvertModelToSendMessage: the envelope values; the sign-in
  before a call when there is no sign_no; reads output.signinoutb.sign_no and sign_time)
- Models/WebMessage.cs (envelope keys, incl. recer_admdvs), Class/JsonHelper.cs (Newtonsoft with
  NullValueHandling.Ignore: an unset property is left OUT, not sent as null)
- Class/HttpHelper.cs (POST application/json to the configured URL + infno; x-tif headers, the
  nonce a Guid "N" of 32 hex digits, the signature SHA-256 of timestamp+secret+nonce+timestamp)
- Models/Request/RequestGzsiModel{9001,1101,2201,2203,2204,2206,2207,2208,2401,2301,2402,2303,
  2304,2305}.cs (bodies: every field a C# string), Models/Response/*.cs, Models/Setlinfo.cs,
  Models/Baseinfo.cs, Models/Insuinfo.cs (answers: every field a string)
- Process.cs (what each body is filled with: outpatient PreBalance/Balance, inpatient
  registration, fee upload, discharge, settlement and its reversal), UI/frmPatientQuery.cs (1101),
  LocalManager.cs (DiagnoseList: the 2203 diagnoses from the database)

What the code makes of it:
- msgid = DateTime.Now "yyyyMMddHHmmssff" + "0001": 20 characters, no institution code, unique
  only to the hundredth of a second.
- an extra envelope field `recer_admdvs` (the pool, 440606); signtype "SM3"; cainfo the upper-case
  SM3 hex (64) of the request object's ToString() (its class name); infver "1.0.0"; opter "01" and
  opter_name the operator's CODE; recer_sys_code "HIS".
- dates: `.ToString("yyyy-MM-dd HH:mm:ss")` where the code says so; elsewhere DateTime.ToString()
  in the workstation's culture (zh-CN: "2026/11/24 9:30:00") for 2203 diag_time (a DATE column read
  with Reader.ToString()), 2301 fee_ocur_time, 2402 endtime and diag_time; 2401 begntime and
  diag_time with Constants.FORMAT_DATE, which is "yyyyMMdd".
- amounts are strings: 2204 cnt/pric ToString("F4"), det_item_fee_sumamt ToString("F2");
  2206/2207 medfee_sumamt the decimal sum's ToString(); 2207 echoes the trial's amounts, but sets
  fulamt_ownpay_amt twice and never sets inscp_scp_amt (so it is left out); 2303/2304 send the
  four *_amt fields as "".
- chrg_bchno is the constant "1" on 2204, 2206 and 2207.
"""

from __future__ import annotations

import hashlib
import uuid
from decimal import Decimal
from typing import Any

from . import (
    ADMITTED,
    BEGNTIME,
    CANONICAL_PATH,
    DISCHARGED,
    FEE_TIME,
    INPATIENT_ITEMS,
    OUTPATIENT_ITEMS,
    Ctx,
    Env,
    Line,
    Style,
    reads,
)

OPERATOR_CODE = "000216"  # FS.FrameWork...Operator.ID: opter_no, opter_name, diagnosing doctor
_NAMESPACE = "API.GZSI.Models.Request.RequestGzsiModel"


def msgid(env: Env, infno: str) -> str:
    return f"{env.now:%Y%m%d%H%M%S}{env.now.microsecond // 10000:02d}0001"


def envelope(env: Env, infno: str, msg: str, input_: Any) -> dict[str, Any]:
    return {
        "infno": infno,
        "msgid": msg,
        "insuplc_admdvs": env.insuplc or env.admdvs,  # the pool until 1101 names the person's
        "mdtrtarea_admvs": env.admdvs,
        "recer_admdvs": env.admdvs,
        "dev_no": "",
        "dev_safe_info": "",
        "signtype": "SM3",
        "cainfo": hashlib.sha256(f"{_NAMESPACE}{infno}".encode()).hexdigest().upper(),
        "infver": "1.0.0",
        "opter_type": "1",
        "opter": "01",
        "opter_name": OPERATOR_CODE,
        "inf_time": env.inf_time,
        "fixmedins_code": env.fixmedins_code,
        "fixmedins_name": env.fixmedins_name,
        "sign_no": env.sign_no,
        "recer_sys_code": "HIS",
        "input": input_,
    }


def _culture(text: str) -> str:
    """DateTime.ToString() under zh-CN: yyyy/M/d H:mm:ss."""
    date, time = text.split(" ")
    y, m, d = date.split("-")
    hh, mm, ss = time.split(":")
    return f"{y}/{int(m)}/{int(d)} {int(hh)}:{mm}:{ss}"


def _compact_date(text: str) -> str:
    return text[:10].replace("-", "")  # ToString("yyyyMMdd")


def _cert(c: Ctx) -> dict[str, str]:
    return {"mdtrt_cert_type": "02", "mdtrt_cert_no": c.psn["certno"]}


def b9001(c: Ctx) -> dict[str, Any]:
    return {
        "signIn": {
            "mac": "00-E0-4C-68-12-34",
            "ip": "10.97.1.23",
            "opter_no": OPERATOR_CODE,
        }
    }


def b1101(c: Ctx) -> dict[str, Any]:
    # begntime is never assigned (left out); psn_cert_type ""
    return {
        "data": {
            **_cert(c),
            "card_sn": "",
            "psn_cert_type": "",
            "psn_name": c.psn["psn_name"],
            "certno": c.psn["certno"],
        }
    }


def b2201(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            **_cert(c),
            "begntime": BEGNTIME,
            "ipt_otp_no": "1000123" + "1",  # the registration id + the next settlement number
            "dept_code": "0101",
            "dept_name": "普通外科门诊",
            "atddr_no": "D440606000001",
            "dr_name": "医生",
            "caty": "A03",
            "hcard_basinfo": "",
            "hcard_chkinfo": "",
        }
    }


def b2203(c: Ctx) -> dict[str, Any]:
    return {
        "mdtrtinfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
            "med_type": "11",
            "begntime": BEGNTIME,
            "main_cond_dscr": "",
            "dise_codg": "",
            "dise_name": "",
            "matn_type": "",
            "birctrl_type": "",
            "birctrl_matn_date": "",
            "ttp_resp": "0",
            "expi_gestation_nub_of_m": "",
        },
        # LocalManager.DiagnoseList: every column through Reader[i].ToString()
        "diseinfo": [
            {
                "diag_type": "1",
                "diag_srt_no": "1",
                "diag_code": "J06.900",
                "diag_name": "急性上呼吸道感染",
                "diag_dept": "0101",
                "dise_dor_no": "D440606000001",
                "dise_dor_name": "医生",
                "diag_time": _culture(BEGNTIME),
                "vali_flag": "1",
                "maindiag_flag": "1",
            }
        ],
    }


def b2204(c: Ctx) -> dict[str, Any]:
    return {
        "feedetail": [
            {
                "feedetl_sn": f"R{1000 + i}{i}",  # RecipeNO + SequenceNO
                "psn_no": c.psn["psn_no"],
                "mdtrt_id": c.mdtrt_id,
                "chrg_bchno": "1",
                "dise_codg": "",
                "rxno": f"O{2000 + i}",  # the order id
                "rx_circ_flag": "0",
                "fee_ocur_time": FEE_TIME,
                "cnt": f"{Decimal(x.cnt):.4f}",
                "pric": f"{Decimal(x.pric):.4f}",
                "det_item_fee_sumamt": x.total,
                "sin_dos_dscr": "",
                "used_frqu_dscr": "",
                "prd_days": "",
                "medc_way_dscr": "",
                "med_list_codg": x.code,
                "medins_list_codg": "H" + x.code,
                "medins_list_name": "项目",
                "bilg_dept_codg": "0101",
                "bilg_dept_name": "普通外科门诊",
                "bilg_dr_codg": "D440606000001",
                "bilg_dr_name": "医生",
                "acord_dept_codg": "",
                "acord_dept_name": "",
                "orders_dr_code": "",
                "orders_dr_name": "",
                "hosp_appr_flag": "1",
                "tcmdrug_used_way": "",
                "etip_flag": "",
                "etip_hosp_code": "",
                "dscg_tkdrug_flag": "",
                "matn_fee_flag": "",
                "unchk_flag": "1",
                "unchk_memo": "",
            }
            for i, x in enumerate(c.lines, 1)
        ]
    }


def _settle(c: Ctx) -> dict[str, str]:
    p = c.psn
    return {
        "psn_no": p["psn_no"],
        **_cert(c),
        "med_type": "11",
        "medfee_sumamt": c.total,  # decimal sum .ToString()
        "psn_setlway": "01",
        "mdtrt_id": c.mdtrt_id,
        "chrg_bchno": "1",
        "acct_used_flag": "1",
        "insutype": p["insutype"],
    }


def b2206(c: Ctx) -> dict[str, Any]:
    return {"data": _settle(c)}


def b2207(c: Ctx) -> dict[str, Any]:
    trial = c.setlinfo("2206")
    return {
        "data": {
            **_settle(c),
            "invono": "",
            # NConvert.ToDecimal(trial string).ToString(); inscp_scp_amt is never assigned
            "fulamt_ownpay_amt": str(trial["fulamt_ownpay_amt"]),
            "overlmt_selfpay": str(trial["overlmt_selfpay"]),
            "preselfpay_amt": str(trial["preselfpay_amt"]),
        }
    }


def b2208(c: Ctx) -> dict[str, Any]:
    return {"data": {"setl_id": c.setl_id, "mdtrt_id": c.mdtrt_id, "psn_no": c.psn["psn_no"]}}


def b2401(c: Ctx) -> dict[str, Any]:
    p = c.psn
    admitted = _compact_date(ADMITTED)
    return {
        "mdtrtinfo": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "coner_name": p["psn_name"],
            "tel": "-",
            "begntime": admitted,
            **_cert(c),
            "med_type": "21",
            "ipt_no": "ZY010000123" + "1",
            "medrcdno": "0000123",
            "atddr_no": "D440606000002",
            "chfpdr_name": "主治医生",
            "adm_diag_dscr": "",
            "adm_dept_codg": "0301",
            "adm_dept_name": "妇科病区",
            "adm_bed": "001",
            "dscg_maindiag_code": "N39.000",
            "dscg_maindiag_name": "泌尿道感染",
            "dise_codg": "",
            "dise_name": "",
            "main_cond_desc": "",
            "oprn_oprt_code": "",
            "oprn_oprt_name": "",
            "fpsc_no": "",
            "matn_type": "",
            "birctrl_type": "",
            "latechb_flag": "",
            "geso_val": "",
            "fetts": "",
            "fetus_cnt": "",
            "pret_flag": "",
            "birctrl_matn_date": "",
            "dise_type_code": "",
        },
        "diseinfo": [
            {
                "psn_no": p["psn_no"],
                "diag_type": "1",
                "maindiag_flag": "1",
                "diag_srt_no": "1",
                "diag_code": "N39.000",
                "diag_name": "泌尿道感染",
                "adm_cond": "-",
                "diag_dept": "0301",
                "dise_dor_no": "D440606000002",
                "dise_dor_name": "主治医生",
                "diag_time": admitted,
            }
        ],
    }


def b2301(c: Ctx) -> dict[str, Any]:
    return {
        "feedetail": [
            {
                "feedetl_sn": f"R{3000 + i}{i:03d}1",  # RecipeNO + SequenceNO(3) + trans type
                "init_feedetl_sn": "",
                "mdtrt_id": c.mdtrt_id,
                "drord_no": f"O{4000 + i}",
                "psn_no": c.psn["psn_no"],
                "med_type": "21",
                "fee_ocur_time": _culture(FEE_TIME),  # FeeOper.OperTime.ToString()
                "med_list_codg": x.code,
                "medins_list_codg": "H" + x.code,
                "det_item_fee_sumamt": x.total,  # TotCost.ToString()
                "cnt": x.cnt,
                "pric": x.pric,
                "bilg_dept_codg": "0301",
                "bilg_dept_name": "妇科病区",
                "bilg_dr_codg": "D440606000002",
                "bilg_dr_name": "主治医生",
                "acord_dept_codg": "",
                "acord_dept_name": "",
                "orders_dr_code": "",
                "orders_dr_name": "",
                "hosp_appr_flag": "1",
                "tcmdrug_used_way": "1",
                "etip_flag": "0",
                "etip_hosp_code": "",
                "dscg_tkdrug_flag": "0",
                "matn_fee_flag": "",
                "memo": "",
            }
            for i, x in enumerate(c.lines, 1)
        ]
    }


def b2402(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "dscginfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "endtime": _culture(DISCHARGED),  # PVisit.OutTime.ToString()
            "dise_codg": "",
            "dise_name": "",
            "oprn_oprt_code": "",
            "oprn_oprt_name": "",
            "fpsc_no": "",
            "matn_type": "",
            "birctrl_type": "",
            "latechb_flag": "",
            "geso_val": "",
            "fetts": "",
            "fetus_cnt": "",
            "pret_flag": "",
            "cop_flag": "",
            "dscg_dept_code": "0301",
            "dscg_dept_name": "妇科病区",
            "dscg_bed": "001",
            "dscg_way": "1",
            "die_date": "",
        },
        "diseinfo": [
            {
                "diag_type": "1",
                "maindiag_flag": "1",
                "diag_srt_no": "1",
                "diag_code": "N39.000",
                "diag_name": "泌尿道感染",
                "adm_cond": "",
                "diag_dept": "0301",
                "dise_dor_no": "D440606000002",
                "dise_dor_name": "主治医生",
                "diag_time": _culture(DISCHARGED),
                "vali_flag": "1",
            }
        ],
    }


def _inpatient_settle(c: Ctx, medfee_sumamt: str) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            **_cert(c),
            "medfee_sumamt": medfee_sumamt,
            "mdtrt_id": c.mdtrt_id,
            "insutype": p["insutype"],
            "invono": "",
            "acct_used_flag": "1",
            "psn_setlway": "01",
            "mid_setl_flag": "0",
            "fulamt_ownpay_amt": "",
            "overlmt_selfpay": "",
            "preselfpay_amt": "",
            "inscp_scp_amt": "",
        }
    }


def b2303(c: Ctx) -> dict[str, Any]:
    return _inpatient_settle(c, c.total)  # TotalUploadFee.ToString()


def b2304(c: Ctx) -> dict[str, Any]:
    # patient.ExtendFlag: the total kept from the trial settlement
    return _inpatient_settle(c, str(c.setlinfo("2303")["medfee_sumamt"]))


def b2305(c: Ctx) -> dict[str, Any]:
    return {"data": {"setl_id": c.setl_id, "mdtrt_id": c.mdtrt_id, "psn_no": c.psn["psn_no"]}}


# Every answer class is strings, so a missing key or a null is just a null string: the amounts
# go through NConvert.ToDecimal (null -> 0) and need nothing. What does need something: the node
# under `output` the code dereferences (`output.setlinfo.x`), the ids it keeps, and what it hands to
# DateTime.Parse (null or a non-date throws).
# Read tolerantly (listed, not checked): 1101 baseinfo.psn_no/psn_name/brdy/age, insuinfo[].psn_type/
# insutype/insuplc_admdvs/balc; 2204/2301 result[] (every field, kept in the local fee table);
# 2206/2303/2208 setlinfo medfee_sumamt, fund_pay_sumamt, psn_part_amt, acct_pay, act_pay_dedc,
# inscp_scp_amt, hosp_part_amt, the fund columns, fulamt_ownpay_amt, overlmt_selfpay,
# preselfpay_amt, acct_mulaid_pay, psn_cash_pay, balc, memo; 2207/2304 also med_sumfee,
# pool_prop_selfpay, hifdm_pay, oth_pay, clr_optins, clr_way, clr_type, medins_setl_id.
READS = {
    # ServiceSign: DateTime.Parse(sign_time)
    "9001": reads("text", "signinoutb.sign_no", "signinoutb.sign_time"),
    "1101": reads("object", "baseinfo") + reads("list", "insuinfo"),
    "2201": reads("text", "data.mdtrt_id"),
    "2204": reads("list", "result"),
    "2206": reads("object", "setlinfo"),
    # BalanceOutpatient: DateTime.Parse(brdy), DateTime.Parse(setl_time)
    "2207": reads(
        "text",
        "setlinfo.setl_id",
        "setlinfo.mdtrt_id",
        "setlinfo.psn_no",
        "setlinfo.brdy",
        "setlinfo.setl_time",
    ),
    "2208": reads("object", "setlinfo"),
    "2401": reads("text", "result.mdtrt_id"),
    "2301": reads("list", "result"),
    "2303": reads("object", "setlinfo") + reads("text", "setlinfo.medfee_sumamt"),
    "2304": reads("text", "setlinfo.setl_id", "setlinfo.mdtrt_id", "setlinfo.psn_no"),
    "2305": reads("object", "setlinfo"),
}


def _lines(kind: str) -> tuple[Line, ...]:
    items = OUTPATIENT_ITEMS if kind == "outpatient" else INPATIENT_ITEMS
    return tuple(Line(str(i), *x) for i, x in enumerate(items, 1))


STYLE = Style(
    name="fs-csharp",
    language="C#",
    province="Guangdong (Foshan, Shunde)",
    sources=(
        "liutao2019/IBORN_HIS_ALL: MEDICAL/顺德医保/佛山新医保接口/API.GZSI/Business/AbstractService.cs",
        "liutao2019/IBORN_HIS_ALL: MEDICAL/顺德医保/佛山新医保接口/API.GZSI/Models/WebMessage.cs",
        "liutao2019/IBORN_HIS_ALL: MEDICAL/顺德医保/佛山新医保接口/API.GZSI/Class/{HttpHelper.cs,JsonHelper.cs}",
        "liutao2019/IBORN_HIS_ALL: MEDICAL/顺德医保/佛山新医保接口/API.GZSI/Models/Request/RequestGzsiModel*.cs",
        "liutao2019/IBORN_HIS_ALL: MEDICAL/顺德医保/佛山新医保接口/API.GZSI/Process.cs",
    ),
    msgid=msgid,
    envelope=envelope,
    # GZSI_URL + infno; the deployment's base (…/ebus/gdyb_inf/poc/hsa/hgs/) pointed at the door
    path=lambda infno: f"{CANONICAL_PATH}/{infno}",
    content_type="application/json",
    nonce=lambda: uuid.uuid4().hex,
    bodies={
        "9001": b9001,
        "1101": b1101,
        "2201": b2201,
        "2203": b2203,
        "2204": b2204,
        "2206": b2206,
        "2207": b2207,
        "2208": b2208,
        "2401": b2401,
        "2301": b2301,
        "2402": b2402,
        "2303": b2303,
        "2304": b2304,
        "2305": b2305,
    },
    reads=READS,
    outpatient=("1101", "2201", "2203", "2204", "2206", "2207", "2208"),
    inpatient=("2401", "2301", "2402", "2303", "2304", "2305"),
    make_lines=_lines,
    deviations=(
        "the source signs x-tif-signature as SHA-256(timestamp+secret+nonce+timestamp); the suite "
        "signs with the platform's gateway signature",
        "msgid and inf_time come from the suite's client clock, not the workstation's DateTime.Now",
        "cainfo stands in for the SM3 digest with a SHA-256 one of the same shape (64 upper-case hex)",
    ),
)
