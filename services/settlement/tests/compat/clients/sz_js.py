"""Shenzhen clinic HIS test bench, JavaScript (jQuery), forwarded by a C# controller.

Source: binzhe12123/Medical
- SZSI_Smart/YBTest/js/YBSYB.js (SYBDataEntityIn envelope, SYB9001 ... SYB2208 bodies and what
  each callback reads from `data.output`)
- SZSI_Smart/Controllers/SYBController.cs (HttpPost: application/json, x-tif headers, a nonce of
  1 to 10 random digits)

What JavaScript makes of it: form values are strings, arithmetic gives numbers (`pric * 1`), an
output value read in one call is sent back unchanged in the next. The msgid is the institution
code + `yyyyMMddhhmmss` + the millisecond through a helper that never pads (so 0-999 gives 1-3
digits) + "1": 28, 29 or 30 characters. insuplc_admdvs is the pool constant on every call,
9001 included. The clinic has no inpatient code.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from . import BEGNTIME, CANONICAL_PATH, OUTPATIENT_ITEMS, Ctx, Env, Line, Style, reads


def _stamp(env: Env) -> str:
    return f"{env.now:%Y%m%d%H%M%S}{env.now.microsecond // 1000}"  # MillSecond() never pads


def msgid(env: Env, infno: str) -> str:
    return f"{env.fixmedins_code}{_stamp(env)}1"


def envelope(env: Env, infno: str, msg: str, input_: Any) -> dict[str, Any]:
    return {
        "infno": infno,
        "msgid": msg,
        "mdtrtarea_admvs": env.admdvs,
        "insuplc_admdvs": env.admdvs,
        "recer_sys_code": "SY",
        "dev_no": "",
        "dev_safe_info": "",
        "cainfo": "",
        "signtype": "",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": env.opter,
        "opter_name": env.opter_name,
        "inf_time": env.inf_time,
        "fixmedins_code": env.fixmedins_code,
        "fixmedins_name": env.fixmedins_name,
        "sign_no": env.sign_no,
        "input": input_,
    }


def _number(text: str) -> Decimal:
    """`"15.00" * 1` in JavaScript, as JSON.stringify prints it: 15."""
    value = Decimal(text).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral() else value


def _echo(value: Any) -> Any:
    """A value read from an answer and sent back: JSON.parse then JSON.stringify (15.00 -> 15)."""
    return _number(str(value)) if isinstance(value, (int, Decimal)) else value


def b9001(c: Ctx) -> dict[str, Any]:
    # opter_no is filled from the operator NAME field
    return {
        "signIn": {
            "opter_no": "收费员",
            "mac": "00-E0-70-64-C3-D2",
            "ip": "192.168.1.1",
        }
    }


def b1101(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"],
            "card_sn": "",
            "begntime": "",
            "psn_cert_type": "1",
            "certno": p["certno"],
            "psn_name": p["psn_name"],
        }
    }


def b2201(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "begntime": BEGNTIME,
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"],
            "ipt_otp_no": c.msgid,  # built like the msgid
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
        },
        "diseinfo": [
            {
                "diag_type": "3",
                "diag_srt_no": 1,
                "diag_code": "11",
                "diag_name": "xx",
                "diag_dept": "内科",
                "dise_dor_no": "DR1",
                "dise_dor_name": "医生",
                "diag_time": BEGNTIME,
                "vali_flag": "1",
            }
        ],
    }


def b2204(c: Ctx) -> dict[str, Any]:
    # one line; feedetl_sn, chrg_bchno and rxno are all the request's msgid
    x = c.lines[0]
    return {
        "feedetail": [
            {
                "feedetl_sn": c.msgid,
                "mdtrt_id": c.mdtrt_id,
                "psn_no": c.psn["psn_no"],
                "chrg_bchno": c.msgid,
                "rxno": c.msgid,
                "rx_circ_flag": "0",
                "fee_ocur_time": BEGNTIME,
                "med_list_codg": x.code,
                "medins_list_codg": "H" + x.code,
                "cnt": 1,
                "pric": x.pric,
                "det_item_fee_sumamt": _number(x.pric),
                "bilg_dept_codg": "D01",
                "bilg_dept_name": "内科",
                "bilg_dr_codg": "DR1",
                "bilg_dr_name": "医生",
                "hosp_appr_flag": "1",
            }
        ]
    }


def b2206(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": "02",  # the source copies the cert TYPE here (SYB2206)
            "med_type": "11",
            "medfee_sumamt": _number(c.lines[0].pric),
            "psn_setlway": "01",
            "mdtrt_id": c.mdtrt_id,
            "chrg_bchno": c.chrg_bchno,
            "acct_used_flag": "1",
            "insutype": p["insutype"],
        }
    }


def b2207(c: Ctx) -> dict[str, Any]:
    p, trial = c.psn, c.setlinfo("2206")
    return {
        "data": {
            "psn_no": p["psn_no"],
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"],
            "med_type": "11",
            "medfee_sumamt": _echo(trial.get("medfee_sumamt")),
            "psn_setlway": "01",
            "mdtrt_id": c.mdtrt_id,
            "chrg_bchno": c.chrg_bchno,
            "insutype": p["insutype"],
            "acct_used_flag": "1",
            **{
                k: _echo(trial.get(k))
                for k in (
                    "fulamt_ownpay_amt",
                    "overlmt_selfpay",
                    "preselfpay_amt",
                    "inscp_scp_amt",
                )
            },
        }
    }


def b2208(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "setl_id": c.setl_id,
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
        }
    }


READS = {
    "9001": reads("text", "signinoutb.sign_no"),
    "1101": reads(
        "text",
        "baseinfo.certno",
        "baseinfo.psn_name",
        "baseinfo.psn_no",
        "baseinfo.gend",
        "baseinfo.brdy",
    )
    + reads("text?", "baseinfo.age")
    + reads(
        "text",
        "insuinfo[0].balc",
        "insuinfo[0].psn_type",
        "insuinfo[0].insutype",
        "insuinfo[0].insuplc_admdvs",
    ),
    "2201": reads("text", "data.mdtrt_id", "data.ipt_otp_no"),
    # reads `output.result.feedetl_sn` as if result were an object: undefined on the list, no error
    "2204": reads("list", "result"),
    "2206": reads(
        "text",
        "setlinfo.medfee_sumamt",
        "setlinfo.fulamt_ownpay_amt",
        "setlinfo.overlmt_selfpay",
        "setlinfo.preselfpay_amt",
        "setlinfo.inscp_scp_amt",
        "setlinfo.medins_setl_id",
    ),
    "2207": reads("text", "setlinfo.setl_id", "setlinfo.psn_no", "setlinfo.mdtrt_id"),
    "2208": (),
}

STYLE = Style(
    name="sz-js",
    language="JavaScript",
    province="Guangdong (Shenzhen)",
    sources=(
        "binzhe12123/Medical: SZSI_Smart/YBTest/js/YBSYB.js",
        "binzhe12123/Medical: SZSI_Smart/Controllers/SYBController.cs",
    ),
    msgid=msgid,
    envelope=envelope,
    path=lambda infno: CANONICAL_PATH,  # the URL field of the page, forwarded as is
    content_type="application/json",
    nonce=lambda: "".join(random.choice("0123456789") for _ in range(10)),
    bodies={
        "9001": b9001,
        "1101": b1101,
        "2201": b2201,
        "2203": b2203,
        "2204": b2204,
        "2206": b2206,
        "2207": b2207,
        "2208": b2208,
    },
    reads=READS,
    outpatient=("1101", "2201", "2203", "2204", "2206", "2207", "2208"),
    inpatient=(),
    make_lines=lambda kind: (Line("1", *OUTPATIENT_ITEMS[0]),),
    deviations=("the nonce is the longest shape the source makes (10 digits) so two calls never share one",),
)
