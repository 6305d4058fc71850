"""A Python HIS integration SDK configured for Hunan (host dms.hun.hsip.gov.cn in its docs).

Source: hzg19700304/medical-insurance-interface-SDK
- medical_insurance_sdk/models/request.py (the envelope's fields and their defaults)
- medical_insurance_sdk/core/protocol_processor.py (build_request: values; msgid = the first 30
  characters of an upper-case uuid4 hex)
- medical_insurance_sdk/sdk.py (posts to f"{base_url}/{api_code}"; base_url is configured as
  .../fsi/api/rsfComIfsService/callService)
- medical_insurance_sdk/core/gateway_auth.py, core/http_client.py (Content-Type text/plain)
- database/schema/04_initial_data.sql (request_template with `${field}` placeholders; the
  response_mapping source paths it reads)

Templates substitute into strings, so every value in `input` is a JSON string and an optional
one is "". dev_no, dev_safe_info and cainfo are the four-letter string "null"; insuplc_admdvs
is the institution's region on every call; opter is the institution code.
"""

from __future__ import annotations

import secrets
import uuid
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


def msgid(env: Env, infno: str) -> str:
    return uuid.uuid4().hex.upper()[:30]


def envelope(env: Env, infno: str, msg: str, input_: Any) -> dict[str, Any]:
    return {
        "infno": infno,
        "msgid": msg,
        "mdtrtarea_admvs": env.admdvs,
        "insuplc_admdvs": env.admdvs,
        "recer_sys_code": "99",
        "dev_no": "null",
        "dev_safe_info": "null",
        "cainfo": "null",
        "signtype": "SM2",
        "infver": "1.0.0",
        "opter_type": "1",
        "opter": env.fixmedins_code,
        "opter_name": env.fixmedins_name,
        "inf_time": env.inf_time,
        "fixmedins_code": env.fixmedins_code,
        "fixmedins_name": env.fixmedins_name,
        "sign_no": env.sign_no or "null",
        "input": input_,
    }


def _cert(c: Ctx) -> dict[str, str]:
    return {"mdtrt_cert_type": "02", "mdtrt_cert_no": c.psn["certno"]}


def b9001(c: Ctx) -> dict[str, Any]:
    # no 9001 template ships; the spec's node with the SDK's habits (opter = institution code)
    return {"signIn": {"opter_no": "H54010000001", "mac": "", "ip": "127.0.0.1"}}


def b1101(c: Ctx) -> dict[str, Any]:
    # the 1101 request_template, defaults psn_cert_type '01' and begntime ''
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
            "ipt_otp_no": "MZ20261124001",
            "atddr_no": "DR1",
            "dr_name": "医生",
            "dept_code": "D01",
            "dept_name": "内科",
            "caty": "A03",
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
            "birctrl_type": "",
            "birctrl_matn_date": "",
            "matn_type": "",
            "geso_val": "",
        },
        "diseinfo": [],
    }


def _line(c: Ctx, x: Any, **more: str) -> dict[str, str]:
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
        "bilg_dept_codg": "D01",
        "bilg_dept_name": "内科",
        "bilg_dr_codg": "DR1",
        "bilg_dr_name": "医生",
        "hosp_appr_flag": "1",
        **more,
    }


def b2204(c: Ctx) -> dict[str, Any]:
    extra = {
        "chrg_bchno": c.chrg_bchno,
        "dise_codg": "",
        "rxno": "",
        "rx_circ_flag": "0",
    }
    return {"feedetail": [_line(c, x, **extra) for x in c.lines]}


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


def _echo(c: Ctx, infno: str) -> dict[str, str]:
    # the 2201-labelled template defaults these to '0'; a value in hand is substituted as text
    info = c.setlinfo(infno)
    keys = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
    return {k: "0" if info.get(k) is None else str(info[k]) for k in keys}


def b2206(c: Ctx) -> dict[str, Any]:
    return _settle(c, med_type="11", chrg_bchno=c.chrg_bchno)


def b2207(c: Ctx) -> dict[str, Any]:
    return _settle(c, med_type="11", chrg_bchno=c.chrg_bchno, invono="", **_echo(c, "2206"))


def b2208(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "setl_id": c.setl_id,
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
        }
    }


def b2401(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "mdtrtinfo": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "coner_name": "",
            "tel": "",
            "begntime": ADMITTED,
            **_cert(c),
            "med_type": "21",
            "ipt_no": "ZY20261124001",
            "medrcdno": "",
            "atddr_no": "DR1",
            "chfpdr_name": "医生",
            "adm_diag_dscr": "",
            "adm_dept_codg": "D02",
            "adm_dept_name": "外科",
            "adm_bed": "",
            "dscg_maindiag_code": "",
            "dscg_maindiag_name": "",
            "main_cond_dscr": "",
            "dise_codg": "",
            "dise_name": "",
        },
        "diseinfo": [],
    }


def b2301(c: Ctx) -> dict[str, Any]:
    return {"feedetail": [_line(c, x, init_feedetl_sn="", drord_no="", med_type="21") for x in c.lines]}


def b2402(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "dscginfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "endtime": DISCHARGED,
            "dise_codg": "",
            "dise_name": "",
            "dscg_dept_codg": "D02",
            "dscg_dept_name": "外科",
            "dscg_way": "1",
            "die_date": "",
        },
        "diseinfo": [],
    }


def b2303(c: Ctx) -> dict[str, Any]:
    return _settle(
        c,
        invono="",
        mid_setl_flag="0",
        fulamt_ownpay_amt="",
        overlmt_selfpay="",
        preselfpay_amt="",
        inscp_scp_amt="",
    )


def b2304(c: Ctx) -> dict[str, Any]:
    return _settle(c, invono="", mid_setl_flag="0", **_echo(c, "2303"))


def b2305(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "mdtrt_id": c.mdtrt_id,
            "setl_id": c.setl_id,
            "psn_no": c.psn["psn_no"],
        }
    }


# response_mapping source paths (04_initial_data.sql); the computed total_balance sums
# insuinfo[].balc in Python, so balc must be a JSON number, not a string
_SETTLED = reads(
    "text?",
    "setlinfo.setl_id",
    "setlinfo.setl_time",
    "setlinfo.medfee_sumamt",
    "setlinfo.hifp_pay",
    "setlinfo.acct_pay",
    "setlinfo.psn_cash_pay",
    "setlinfo.fund_pay_sumamt",
    "setlinfo.oth_pay",
)
READS = {
    "9001": reads("text", "signinoutb.sign_no"),
    "1101": reads("object", "baseinfo")
    + reads(
        "text",
        "baseinfo.psn_name",
        "baseinfo.psn_no",
        "baseinfo.certno",
        "baseinfo.gend",
        "baseinfo.brdy",
    )
    + reads("text?", "baseinfo.age")
    + reads("list", "insuinfo", "idetinfo")
    + reads(
        "text",
        "insuinfo[].insutype",
        "insuinfo[].psn_type",
        "insuinfo[].psn_insu_stas",
        "insuinfo[].psn_insu_date",
    )
    + reads("number", "insuinfo[].balc"),
    "2201": reads("text", "data.mdtrt_id"),
    "2204": reads("list", "result"),
    "2206": reads("object", "setlinfo"),
    "2207": reads("object", "setlinfo") + _SETTLED,
    "2208": reads("object", "setlinfo"),
    "2401": reads("text", "result.mdtrt_id"),
    "2301": reads("list", "result"),
    "2303": reads("object", "setlinfo"),
    "2304": reads("object", "setlinfo") + _SETTLED,
    "2305": reads("object", "setlinfo"),
}

STYLE = Style(
    name="hn-python",
    language="Python",
    province="Hunan",
    sources=(
        "hzg19700304/medical-insurance-interface-SDK: medical_insurance_sdk/core/protocol_processor.py",
        "hzg19700304/medical-insurance-interface-SDK: medical_insurance_sdk/models/request.py",
        "hzg19700304/medical-insurance-interface-SDK: medical_insurance_sdk/sdk.py",
        "hzg19700304/medical-insurance-interface-SDK: medical_insurance_sdk/core/http_client.py",
        "hzg19700304/medical-insurance-interface-SDK: database/schema/04_initial_data.sql",
    ),
    msgid=msgid,
    envelope=envelope,
    path=lambda infno: f"{CANONICAL_PATH}/{infno}",
    content_type="text/plain; charset=utf-8",
    nonce=lambda: secrets.token_hex(16),
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
    make_lines=lambda kind: numbered("FY", OUTPATIENT_ITEMS if kind == "outpatient" else INPATIENT_ITEMS),
    deviations=(
        "the SDK signs with _api_* HmacSHA1 headers; the suite signs x-tif (the platform's gateway)",
        (
            "sign_no defaults to the string 'null'; the builder takes it as a parameter and the suite "
            "passes the 9001 sign_no, because the platform keeps sign_no strict"
        ),
        (
            "bodies follow the spec nodes rendered the way its templates render them (every value a "
            "string, optional ones ''): the SDK ships real templates only for 1101 (its 2201 template "
            "is mislabelled 门诊结算 and carries settlement fields)"
        ),
    ),
)
