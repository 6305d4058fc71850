"""Zhongshan (Guangdong) hospital HIS, Java: json-lib beans/maps, Apache HttpClient.

Source: S-117-John/nhis-web
- outpatient: src/main/java/com/zebone/nhis/pro/zsba/mz/ins/zsba/service/qgyb/ZsbaQgBaseService.java
  (getJsonStr envelope: recer_admvs extra field, signtype SM3, sign_no "", msgid code + 14 + a
  4-digit sequence; the node per infno; 2203A)
- inpatient: src/main/java/com/zebone/nhis/pro/zsba/compay/ins/qgyb/vo/PutClass/PublicParamIn.java
  (Assignment: msgid code + yyyyMMddHHmmss + 4 random letters/digits, infver "1.0"),
  .../compay/ins/qgyb/utils/YbHttpClass.java (POST text/plain to base + infno, x-tif nonce of 32
  letters/digits), .../compay/ins/qgyb/utils/YbFunUtils.java (9001 and the inpatient calls),
  .../compay/ins/qgyb/vo/BottomClass/Input*.java and Output*.java (every field a String)

json-lib writes a null String property as "", so unset fields are "" and every amount is a
string ("135.00"). The inpatient answers are read into String-only beans.
"""

from __future__ import annotations

import random
import string
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
    Style,
    numbered,
    reads,
)

_ALNUM = string.ascii_letters + string.digits
OUTPATIENT = {
    "1101",
    "2201",
    "2202",
    "2203A",
    "2204",
    "2205",
    "2206",
    "2207",
    "2208",
    "2001",
    "5206",
}


def msgid(env: Env, infno: str) -> str:
    if infno in OUTPATIENT:  # getSNcode(): the last 4 digits of a numbering rule
        return f"{env.fixmedins_code}{env.now:%Y%m%d%H%M%S}{env.seq % 10000:04d}"
    return f"{env.fixmedins_code}{env.now:%Y%m%d%H%M%S}{''.join(random.choice(_ALNUM) for _ in range(4))}"


def envelope(env: Env, infno: str, msg: str, input_: Any) -> dict[str, Any]:
    if infno in OUTPATIENT:
        return {
            "recer_sys_code": "01",
            "msgid": msg,
            "dev_no": "",
            "dev_safe_info": "",
            "signtype": "SM3",
            "cainfo": "",
            "inf_time": env.inf_time,
            "input": input_,
            "opter_type": "1",
            "opter_name": env.opter_name,
            "opter": env.opter,
            "insuplc_admdvs": env.admdvs,
            "mdtrtarea_admvs": env.admdvs,
            "recer_admvs": env.admdvs,
            "infver": "1.0",
            "infno": infno,
            "sign_no": env.sign_no,
            "fixmedins_name": env.fixmedins_name,
            "fixmedins_code": env.fixmedins_code,
        }
    return {
        "infno": infno,
        "msgid": msg,
        "insuplc_admdvs": "" if infno == "9001" else env.insuplc,
        "mdtrtarea_admvs": env.admdvs,
        "recer_sys_code": "01",
        "dev_no": "",
        "dev_safe_info": "",
        "cainfo": "",
        "signtype": "",
        "infver": "1.0",
        "opter_type": "1",
        "opter": env.opter,
        "opter_name": env.opter_name,
        "inf_time": env.inf_time,
        "fixmedins_code": env.fixmedins_code,
        "fixmedins_name": env.fixmedins_name,
        "sign_no": env.sign_no,
        "input": input_,
    }


def _cert(c: Ctx) -> dict[str, str]:
    return {"mdtrt_cert_type": "02", "mdtrt_cert_no": c.psn["certno"]}


def b9001(c: Ctx) -> dict[str, Any]:
    return {"signIn": {"opter_no": "001", "mac": "00-E0-4C-68-01-2A", "ip": "192.168.0.31"}}


def b1101(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            **_cert(c),
            "card_sn": "",
            "begntime": "",
            "psn_cert_type": "01",
            "certno": c.psn["certno"],
            "psn_name": c.psn["psn_name"],
        }
    }


def b2201(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "begntime": BEGNTIME,
            **_cert(c),
            "ipt_otp_no": "0000123456",
            "atddr_no": "DR1",
            "dr_name": "医生",
            "dept_code": "D01",
            "dept_name": "内科",
            "caty": "A03",
        }
    }


def b2203a(c: Ctx) -> dict[str, Any]:
    return {
        "mdtrtinfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
            "med_type": "11",
            "begntime": BEGNTIME,
            "main_cond_dscr": "",
            "dise_codg": "",
            "dise_name": "",
            "birctrl_type": "",
            "birctrl_matn_date": "",
            "matn_type": "",
            "geso_val": "",
        },
        "diseinfo": [
            {
                "diag_type": "1",
                "diag_srt_no": "1",
                "diag_code": "J06.900",
                "diag_name": "急性上呼吸道感染",
                "diag_dept": "内科",
                "dise_dor_no": "DR1",
                "dise_dor_name": "医生",
                "diag_time": BEGNTIME,
                "vali_flag": "1",
            }
        ],
    }


_EMPTY_LINE = (
    "acord_dept_codg", "acord_dept_name", "orders_dr_code", "orders_dr_name", "tcmdrug_used_way",
    "etip_flag", "etip_hosp_code", "dscg_tkdrug_flag", "matn_fee_flag", "memo",
)  # fmt: skip


def _line(c: Ctx, x: Any, dept: tuple[str, str]) -> dict[str, str]:
    return {
        "feedetl_sn": x.sn,
        "mdtrt_id": c.mdtrt_id,
        "psn_no": c.psn["psn_no"],
        "fee_ocur_time": FEE_TIME,
        "med_list_codg": x.code,
        "medins_list_codg": "H" + x.code,
        "det_item_fee_sumamt": x.total,
        "cnt": x.cnt,
        "pric": x.pric,
        "bilg_dept_codg": dept[0],
        "bilg_dept_name": dept[1],
        "bilg_dr_codg": "DR1",
        "bilg_dr_name": "医生",
        "hosp_appr_flag": "1",
        **dict.fromkeys(_EMPTY_LINE, ""),
    }


def b2204(c: Ctx) -> dict[str, Any]:
    more = {
        "chrg_bchno": c.chrg_bchno,
        "dise_codg": "",
        "rxno": "",
        "rx_circ_flag": "0",
    }
    return {"feedetail": [{**_line(c, x, ("D01", "内科")), **more} for x in c.lines]}


def _settle(c: Ctx, **more: str) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            **_cert(c),
            "medfee_sumamt": c.total,
            "psn_setlway": "01",
            "mdtrt_id": c.mdtrt_id,
            "acct_used_flag": "0",
            "insutype": p["insutype"],
            **more,
        }
    }


def b2206(c: Ctx) -> dict[str, Any]:
    return _settle(c, med_type="11", chrg_bchno=c.chrg_bchno)


def b2207(c: Ctx) -> dict[str, Any]:
    return _settle(c, med_type="11", chrg_bchno=c.chrg_bchno, invono="")


def b2208(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "setl_id": c.setl_id,
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
        }
    }


_EMPTY_2401 = (
    "coner_name", "tel", "medrcdno", "adm_diag_dscr", "adm_bed", "dscg_maindiag_code",
    "dscg_maindiag_name", "main_cond_dscr", "dise_codg", "dise_name", "oprn_oprt_code",
    "oprn_oprt_name", "fpsc_no", "matn_type", "birctrl_type", "latechb_flag", "geso_val", "fetts",
    "fetus_cnt", "pret_flag", "birctrl_matn_date",
)  # fmt: skip


def _diagnosis(c: Ctx, when: str) -> dict[str, str]:
    return {
        "psn_no": c.psn["psn_no"],
        "diag_type": "1",
        "maindiag_flag": "1",
        "diag_srt_no": "1",
        "diag_code": "K35.900",
        "diag_name": "急性阑尾炎",
        "adm_cond": "",
        "diag_dept": "外科",
        "dise_dor_no": "DR1",
        "dise_dor_name": "医生",
        "diag_time": when,
    }


def b2401(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "mdtrtinfo": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "begntime": ADMITTED,
            **_cert(c),
            "med_type": "21",
            "ipt_no": "ZY0000123",
            "atddr_no": "DR1",
            "chfpdr_name": "医生",
            "adm_dept_codg": "D02",
            "adm_dept_name": "外科",
            **dict.fromkeys(_EMPTY_2401, ""),
        },
        "diseinfo": [_diagnosis(c, ADMITTED)],
    }


def b2301(c: Ctx) -> dict[str, Any]:
    more = {"init_feedetl_sn": "", "drord_no": "", "med_type": "21"}
    return {"feedetail": [{**_line(c, x, ("D02", "外科")), **more} for x in c.lines]}


def b2402(c: Ctx) -> dict[str, Any]:
    p = c.psn
    empty = (
        "dise_codg", "dise_name", "oprn_oprt_code", "oprn_oprt_name", "fpsc_no", "matn_type",
        "birctrl_type", "latechb_flag", "geso_val", "fetts", "fetus_cnt", "pret_flag",
        "birctrl_matn_date", "cop_flag", "dscg_bed", "die_date",
    )  # fmt: skip
    return {
        "dscginfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "endtime": DISCHARGED,
            "dscg_dept_codg": "D02",
            "dscg_dept_name": "外科",
            "dscg_way": "1",
            **dict.fromkeys(empty, ""),
        },
        "diseinfo": [_diagnosis(c, DISCHARGED)],
    }


def b2303(c: Ctx) -> dict[str, Any]:
    return _settle(c, invono="", mid_setl_flag="0")


def b2304(c: Ctx) -> dict[str, Any]:
    return _settle(c, invono="", mid_setl_flag="0")


def b2305(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "mdtrt_id": c.mdtrt_id,
            "setl_id": c.setl_id,
            "psn_no": c.psn["psn_no"],
        }
    }


_SETL_2304 = (
    "mdtrt_id", "setl_id", "psn_no", "psn_name", "psn_cert_type", "certno", "gend", "naty", "brdy",
    "age", "insutype", "psn_type", "cvlserv_flag", "setl_time", "mdtrt_cert_type", "med_type",
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
    "act_pay_dedc", "hifp_pay", "pool_prop_selfpay", "cvlserv_pay", "hifes_pay", "hifmi_pay",
    "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay",
    "psn_cash_pay", "hosp_part_amt", "balc", "acct_mulaid_pay", "medins_setl_id", "clr_optins",
    "clr_way", "clr_type",
)  # fmt: skip
_RESULT_2301 = (
    "feedetl_sn", "det_item_fee_sumamt", "cnt", "pric", "pric_uplmt_amt", "selfpay_prop",
    "fulamt_ownpay_amt", "overlmt_amt", "preselfpay_amt", "inscp_scp_amt", "chrgitm_lv",
    "med_chrgitm_type", "bas_medn_flag", "hi_nego_drug_flag", "chld_medc_flag",
    "list_sp_item_flag", "lmt_used_flag", "drt_reim_flag", "memo",
)  # fmt: skip

READS = {
    "9001": reads("text", "signinoutb.sign_no") + reads("text?", "signinoutb.sign_time"),
    # Output1101Insuinfo: balc, insutype, psn_type, cvlserv_flag, insuplc_admdvs, emp_name, ...
    "1101": reads("text", "baseinfo.psn_no", "insuinfo[0].insutype", "insuinfo[0].insuplc_admdvs")
    + reads(
        "text?",
        "insuinfo[].balc",
        "insuinfo[].psn_type",
        "insuinfo[].cvlserv_flag",
        "insuinfo[].emp_name",
    ),
    "2201": reads("text", "data.mdtrt_id"),
    "2204": reads("list", "result"),
    "2206": reads("object", "setlinfo"),
    "2207": reads("text", "setlinfo.setl_id"),
    "2208": reads("object", "setlinfo"),
    # Output2401Result: mdtrt_id
    "2401": reads("text", "result.mdtrt_id"),
    # Output2301Result: 19 String fields incl. the seven flags
    "2301": reads("list", "result") + tuple(r for n in _RESULT_2301 for r in reads("text?", f"result[].{n}")),
    "2303": tuple(r for n in _SETL_2304 if n != "setl_id" for r in reads("text?", f"setlinfo.{n}")),
    # Output2304Setlinfo
    "2304": reads("text", "setlinfo.setl_id") + tuple(r for n in _SETL_2304 for r in reads("text?", f"setlinfo.{n}")),
    "2305": reads("text", "setlinfo.setl_id"),
}

STYLE = Style(
    name="zs-java",
    language="Java",
    province="Guangdong (Zhongshan)",
    sources=(
        "S-117-John/nhis-web: src/main/java/com/zebone/nhis/pro/zsba/mz/ins/zsba/service/qgyb/ZsbaQgBaseService.java",
        "S-117-John/nhis-web: src/main/java/com/zebone/nhis/pro/zsba/compay/ins/qgyb/vo/PutClass/PublicParamIn.java",
        "S-117-John/nhis-web: src/main/java/com/zebone/nhis/pro/zsba/compay/ins/qgyb/utils/YbHttpClass.java",
        "S-117-John/nhis-web: src/main/java/com/zebone/nhis/pro/zsba/compay/ins/qgyb/vo/BottomClass/*.java",
    ),
    msgid=msgid,
    envelope=envelope,
    # base + infno: production base http://.../ebus/gdyb_api/prd/hsa/hgs/, pointed at the door
    path=lambda infno: f"{CANONICAL_PATH}/{infno}",
    content_type="text/plain",
    nonce=lambda: "".join(random.choice(_ALNUM) for _ in range(32)),
    bodies={
        "9001": b9001,
        "1101": b1101,
        "2201": b2201,
        "2203A": b2203a,
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
    outpatient=("1101", "2201", "2203A", "2204", "2206", "2207", "2208"),
    inpatient=("2401", "2301", "2402", "2303", "2304", "2305"),
    make_lines=lambda kind: numbered("MX", OUTPATIENT_ITEMS if kind == "outpatient" else INPATIENT_ITEMS),
    deviations=(
        (
            'the outpatient builder sends sign_no "" on every call; the suite sends the 9001 sign_no, '
            "because the platform keeps sign_no strict"
        ),
        "outpatient bodies come from the page as maps: the suite fills the spec's fields as strings",
    ),
)
