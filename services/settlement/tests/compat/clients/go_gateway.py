"""A pharmacy ERP's medical-insurance gateway, Go (encoding/json).

Source: Go module `medicare-gateway`, package internal/gateway (the file declaring
MedicareEnvelope / ERPRequest, service.go with envelope() and SignIn(), and the file with
NewMsgID / NewTraceID). Found by exact-string search of public code; the index could not
name the owning repository.

What encoding/json makes of its struct tags: the business input goes under the key `Input`
(capital I); recer_sys_code, dev_no, dev_safe_info, cainfo, signtype and sign_no are
`omitempty`, so the empty ones are missing, not ""; msgid is yyyyMMddHHmmss + infno + 12 hex
(no institution code). The ERP's `input` is passed through unchanged, so the business bodies
are the spec's shapes as the ERP writes them.
"""

from __future__ import annotations

import secrets
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
    Style,
    numbered,
    reads,
)


def msgid(env: Env, infno: str) -> str:
    return f"{env.now:%Y%m%d%H%M%S}{infno}{secrets.token_hex(6)}"


def envelope(env: Env, infno: str, msg: str, input_: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "infno": infno,
        "msgid": msg,
        "mdtrtarea_admvs": env.admdvs,
        "insuplc_admdvs": env.admdvs,  # cfg.InsuplcCode, one value for every call
        "recer_sys_code": "CSB",
        "infver": "1.0.0",
        "opter_type": "1",
        "opter": env.opter,
        "opter_name": env.opter_name,
        "inf_time": env.inf_time,
        "fixmedins_code": env.fixmedins_code,
        "fixmedins_name": env.fixmedins_name,
    }
    if env.sign_no:
        body["sign_no"] = env.sign_no
    body["Input"] = input_
    return body


def _cert(c: Ctx) -> dict[str, str]:
    return {"mdtrt_cert_type": "02", "mdtrt_cert_no": c.psn["certno"]}


def b9001(c: Ctx) -> dict[str, Any]:
    return {
        "signIn": {
            "opter_no": "001",
            "opter_name": "收费员",
            "mac": "00-00-00-00-00-00",
            "ip": "127.0.0.1",
        }
    }


def b1101(c: Ctx) -> dict[str, Any]:
    # PersonInfo(): begntime is now, psn_name ""
    return {
        "data": {
            **_cert(c),
            "card_sn": "",
            "begntime": c.now,
            "psn_cert_type": "01",
            "certno": c.psn["certno"],
            "psn_name": "",
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
            "ipt_otp_no": "ERP0001",
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
        "diseinfo": [],
    }


def _line(c: Ctx, x: Any, **more: Any) -> dict[str, Any]:
    return {
        "feedetl_sn": x.sn,
        "mdtrt_id": c.mdtrt_id,
        "psn_no": c.psn["psn_no"],
        "fee_ocur_time": FEE_TIME,
        "med_list_codg": x.code,
        "medins_list_codg": "H" + x.code,
        "det_item_fee_sumamt": Decimal(x.total),
        "cnt": Decimal(x.cnt),
        "pric": Decimal(x.pric),
        "bilg_dept_codg": "D01",
        "bilg_dept_name": "内科",
        "bilg_dr_codg": "DR1",
        "bilg_dr_name": "医生",
        "hosp_appr_flag": "1",
        **more,
    }


def b2204(c: Ctx) -> dict[str, Any]:
    return {"feedetail": [_line(c, x, chrg_bchno=c.chrg_bchno, rx_circ_flag="0") for x in c.lines]}


def _settle(c: Ctx, **more: Any) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            **_cert(c),
            "medfee_sumamt": Decimal(c.total),
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
    return _settle(c, med_type="11", chrg_bchno=c.chrg_bchno)


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
            "begntime": ADMITTED,
            **_cert(c),
            "med_type": "21",
            "ipt_no": "ERPZY0001",
            "atddr_no": "DR1",
            "chfpdr_name": "医生",
            "adm_dept_codg": "D02",
            "adm_dept_name": "外科",
        },
        "diseinfo": [],
    }


def b2301(c: Ctx) -> dict[str, Any]:
    return {"feedetail": [_line(c, x, med_type="21") for x in c.lines]}


def b2402(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "dscginfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "endtime": DISCHARGED,
        },
        "diseinfo": [],
    }


def b2303(c: Ctx) -> dict[str, Any]:
    return _settle(c, mid_setl_flag="0")


def b2304(c: Ctx) -> dict[str, Any]:
    return _settle(c, mid_setl_flag="0")


def b2305(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "mdtrt_id": c.mdtrt_id,
            "setl_id": c.setl_id,
            "psn_no": c.psn["psn_no"],
        }
    }


READS = {
    # extractSignNo: output.sign_no, else output.signinoutb.sign_no, into a Go string
    "9001": reads("str", "signinoutb.sign_no"),
}

STYLE = Style(
    name="go-gateway",
    language="Go",
    province="(a pharmacy chain; province not stated)",
    sources=(
        "Go module medicare-gateway, internal/gateway: MedicareEnvelope, ERPRequest (envelope types)",
        "Go module medicare-gateway, internal/gateway: service.go (envelope(), SignIn(), PersonInfo(), Call())",
        "Go module medicare-gateway, internal/gateway: NewMsgID(infno), NewTraceID()",
    ),
    msgid=msgid,
    envelope=envelope,
    path=lambda infno: CANONICAL_PATH,
    content_type="application/json",
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
    make_lines=lambda kind: numbered("E", OUTPATIENT_ITEMS if kind == "outpatient" else INPATIENT_ITEMS),
    deviations=(
        (
            "the client's path and content type come from its config and medicare.Client, which the "
            "search did not reach; the suite posts application/json to the canonical path"
        ),
    ),
)
