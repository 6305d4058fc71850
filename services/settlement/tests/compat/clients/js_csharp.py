"""Jiangsu self-service / refund gateway of a hospital group, C#, Newtonsoft.Json defaults.

Source: liwerAKM/YbRefund
- YbRefund/BusinessCSB/Models/InputRoot.cs (envelope fields incl. fixmedins_soft_fcty, enc_type)
- YbRefund/BusinessCSB/CSBHelper.cs (CreateInputRoot values; msgid code + yyyyMMddHHmmss +
  random 0-9999 as "0000"; signtype SM2; operator mac/ip defaults; posts application/json to
  the configured CSB URL)
- YbRefund/BusinessCSB/Models/QD/T9001.cs, YbRefund/Plat/Models/T1101.cs,
  YbRefund/Plat/Models/MZJS/T2201..T2208.cs, YbRefund/Plat/Models/ZYDJ/T2401.cs, T2402.cs,
  YbRefund/Plat/Models/ZYJS/T2301..T2305.cs (bodies and the answer classes)

Unset properties are sent as null; 2201 carries a second node `psnbaseinfo` beside `data`;
2203 a list `diseinfos` beside `diseinfo`; int? fields (geso_val, fetts) are null.
"""

from __future__ import annotations

import random
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
    return f"{env.fixmedins_code}{env.now:%Y%m%d%H%M%S}{random.randint(0, 9998):04d}"


def envelope(env: Env, infno: str, msg: str, input_: Any) -> dict[str, Any]:
    return {
        "infno": infno,
        "msgid": msg,
        "mdtrtarea_admvs": env.admdvs,
        "insuplc_admdvs": "" if infno == "9001" else env.insuplc,
        "recer_sys_code": "YBXT",
        "dev_no": "",
        "dev_safe_info": "",
        "cainfo": "",
        "signtype": "SM2",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": env.opter,
        "opter_name": env.opter,  # an operator registered on first use gets its number as name
        "inf_time": env.inf_time,
        "fixmedins_code": env.fixmedins_code,
        "fixmedins_name": env.fixmedins_name,
        "sign_no": env.sign_no,
        "fixmedins_soft_fcty": "江苏启航开创软件有限公司",
        "enc_type": "",
        "input": input_,
    }


def _cert(c: Ctx) -> dict[str, str]:
    return {"mdtrt_cert_type": "02", "mdtrt_cert_no": c.psn["certno"]}


def b9001(c: Ctx) -> dict[str, Any]:
    return {"signIn": {"opter_no": "0001", "mac": "00:00:00:00:00:00", "ip": "127.0.0.1"}}


def b1101(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            **_cert(c),
            "card_sn": None,
            "begntime": None,
            "psn_cert_type": "01",
            "certno": c.psn["certno"],
            "psn_name": c.psn["psn_name"],
        }
    }


def b2201(c: Ctx) -> dict[str, Any]:
    p, base = c.psn, (c.out.get("1101") or {}).get("baseinfo") or {}
    return {
        "data": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "begntime": BEGNTIME,
            **_cert(c),
            "ipt_otp_no": "MZ202611240001",
            "atddr_no": "DR1",
            "dr_name": "医生",
            "dept_code": "D01",
            "dept_name": "内科",
            "caty": "A03",
            "expContent": None,
        },
        "psnbaseinfo": {
            "psn_no": p["psn_no"],
            "psn_cert_type": p["psn_cert_type"],
            "certno": p["certno"],
            "psn_name": p["psn_name"],
            "gend": p["gend"],
            "naty": base.get("naty"),
            "brdy": p["brdy"],
            "age": None if base.get("age") is None else str(base["age"]),
            "expContent": None,
        },
    }


def _diagnosis() -> dict[str, Any]:
    return {
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


def b2203(c: Ctx) -> dict[str, Any]:
    return {
        "mdtrtinfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
            "med_type": "11",
            "begntime": BEGNTIME,
            "main_cond_dscr": None,
            "dise_codg": None,
            "dise_name": None,
            "birctrl_type": None,
            "birctrl_matn_date": None,
            "matn_type": None,
            "geso_val": None,
            "expContent": None,
        },
        "diseinfo": [_diagnosis()],  # typed object: the list is assigned to it
        "diseinfos": None,
    }


_UNSET_LINE = (
    "sin_dos_dscr", "used_frqu_dscr", "medc_way_dscr", "acord_dept_codg", "acord_dept_name",
    "orders_dr_code", "orders_dr_name", "tcmdrug_used_way", "etip_flag", "etip_hosp_code",
    "dscg_tkdrug_flag", "matn_fee_flag", "expContent",
)  # fmt: skip


def _line(c: Ctx, x: Any, dept: tuple[str, str]) -> dict[str, Any]:
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
        "bilg_dept_codg": dept[0],
        "bilg_dept_name": dept[1],
        "bilg_dr_codg": "DR1",
        "bilg_dr_name": "医生",
        "hosp_appr_flag": "1",
        **dict.fromkeys(_UNSET_LINE),
    }


def b2204(c: Ctx) -> dict[str, Any]:
    more = {
        "chrg_bchno": c.chrg_bchno,
        "dise_codg": None,
        "rxno": None,
        "rx_circ_flag": "0",
        "prd_days": None,
    }
    return {"feedetail": [{**_line(c, x, ("D01", "内科")), **more} for x in c.lines]}


_AMOUNTS = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def _echo(c: Ctx, infno: str) -> dict[str, Any]:
    info = c.setlinfo(infno)
    return {k: info.get(k) for k in _AMOUNTS}  # decimal? keeps a null


def b2206(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "data": {
            "psn_no": p["psn_no"],
            **_cert(c),
            "med_type": "11",
            "medfee_sumamt": Decimal(c.total),
            "psn_setlway": "01",
            "mdtrt_id": c.mdtrt_id,
            "chrg_bchno": c.chrg_bchno,
            "acct_used_flag": "1",
            "insutype": p["insutype"],
            "expContent": None,
        }
    }


def b2207(c: Ctx) -> dict[str, Any]:
    data = b2206(c)["data"]
    data.pop("expContent")
    return {"data": {**data, "invono": None, **_echo(c, "2206"), "expContent": None}}


def b2208(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "setl_id": c.setl_id,
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
            "expContent": None,
        }
    }


_UNSET_2401 = (
    "coner_name", "tel", "medrcdno", "adm_diag_dscr", "adm_bed", "dscg_maindiag_code",
    "dscg_maindiag_name", "main_cond_dscr", "dise_codg", "dise_name", "oprn_oprt_code",
    "oprn_oprt_name", "fpsc_no", "matn_type", "birctrl_type", "latechb_flag", "geso_val", "fetts",
    "fetus_cnt", "pret_flag", "birctrl_matn_date", "dise_type_code", "expContent",
)  # fmt: skip


def b2401(c: Ctx) -> dict[str, Any]:
    p = c.psn
    return {
        "mdtrtinfo": {
            "psn_no": p["psn_no"],
            "insutype": p["insutype"],
            "begntime": ADMITTED,
            **_cert(c),
            "med_type": "21",
            "ipt_no": "ZY202611240001",
            "atddr_no": "DR1",
            "chfpdr_name": "医生",
            "adm_dept_codg": "D02",
            "adm_dept_name": "外科",
            **dict.fromkeys(_UNSET_2401),
        },
        "diseinfo": [
            {
                "psn_no": p["psn_no"],
                "diag_type": "1",
                "maindiag_flag": "1",
                "diag_srt_no": "1",
                "diag_code": "K35.900",
                "diag_name": "急性阑尾炎",
                "adm_cond": None,
                "diag_dept": "外科",
                "dise_dor_no": "DR1",
                "dise_dor_name": "医生",
                "diag_time": ADMITTED,
            }
        ],
    }


def b2301(c: Ctx) -> dict[str, Any]:
    more = {"init_feedetl_sn": None, "drord_no": None, "med_type": "21", "memo": None}
    return {"feedetail": [{**_line(c, x, ("D02", "外科")), **more} for x in c.lines]}


def b2402(c: Ctx) -> dict[str, Any]:
    p = c.psn
    unset = (
        "dise_codg", "dise_name", "oprn_oprt_code", "oprn_oprt_name", "fpsc_no", "matn_type",
        "birctrl_type", "latechb_flag", "geso_val", "fetts", "fetus_cnt", "pret_flag",
        "birctrl_matn_date", "cop_flag", "dscg_bed", "die_date", "expContent",
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
            **dict.fromkeys(unset),
        },
        "diseinfo": [
            {
                "mdtrt_id": c.mdtrt_id,
                "psn_no": p["psn_no"],
                "diag_type": "1",
                "maindiag_flag": "1",
                "diag_srt_no": Decimal(1),
                "diag_code": "K35.900",
                "diag_name": "急性阑尾炎",
                "diag_dept": "外科",
                "dise_dor_no": "DR1",
                "dise_dor_name": "医生",
                "diag_time": DISCHARGED,
            }
        ],
    }


def _inpatient_settle(c: Ctx, amounts: dict[str, Any]) -> dict[str, Any]:
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
            "invono": None,
            "mid_setl_flag": "0",
            **amounts,
            "dscgTime": DISCHARGED,
            "expContent": None,
        }
    }


def b2303(c: Ctx) -> dict[str, Any]:
    return _inpatient_settle(c, dict.fromkeys(_AMOUNTS))


def b2304(c: Ctx) -> dict[str, Any]:
    return _inpatient_settle(c, _echo(c, "2303"))


def b2305(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "mdtrt_id": c.mdtrt_id,
            "setl_id": c.setl_id,
            "psn_no": c.psn["psn_no"],
        }
    }


_SETL = (
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
    "act_pay_dedc", "hifp_pay", "pool_prop_selfpay", "cvlserv_pay", "hifes_pay", "hifmi_pay",
    "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay",
    "psn_cash_pay", "hosp_part_amt", "balc", "acct_mulaid_pay",
)  # fmt: skip
_FLAGS = (
    "chrgitm_lv", "med_chrgitm_type", "bas_medn_flag", "hi_nego_drug_flag", "chld_medc_flag",
    "list_sp_item_flag", "lmt_used_flag", "drt_reim_flag", "memo",
)  # fmt: skip


def _setlinfo(*extra: str) -> tuple[Any, ...]:
    return (
        reads("object", "setlinfo")
        + tuple(r for n in (*_SETL, *extra) for r in reads("decimal?", f"setlinfo.{n}"))
        + reads("list", "setldetail")
        + reads(
            "decimal?",
            "setldetail[].inscp_scp_amt",
            "setldetail[].crt_payb_lmt_amt",
            "setldetail[].fund_payamt",
        )
    )


READS = {
    "9001": reads("text", "signinoutb.sign_no") + reads("text?", "signinoutb.sign_time"),
    # RT1101.Insuinfo.balc is a non-nullable decimal
    "1101": reads("text", "baseinfo.psn_no", "baseinfo.psn_name") + reads("decimal", "insuinfo[].balc"),
    "2201": reads("text", "data.mdtrt_id"),
    # RT2204.Result: det/cnt/pric decimal, the rest decimal?, seven flags strings
    "2204": reads("list", "result")
    + reads("decimal", "result[].det_item_fee_sumamt", "result[].cnt", "result[].pric")
    + reads(
        "decimal?",
        "result[].pric_uplmt_amt",
        "result[].selfpay_prop",
        "result[].fulamt_ownpay_amt",
        "result[].overlmt_amt",
        "result[].preselfpay_amt",
        "result[].inscp_scp_amt",
    )
    + tuple(r for n in _FLAGS for r in reads("text?", f"result[].{n}")),
    "2206": _setlinfo() + reads("decimal?", "setlinfo.age"),
    "2207": _setlinfo() + reads("text", "setlinfo.setl_id") + reads("decimal?", "setlinfo.age"),
    "2208": _setlinfo() + reads("text", "setlinfo.setl_id"),
    "2401": reads("text", "result.mdtrt_id"),
    # RT2301.Result: pric_uplmt_amt and selfpay_prop are NON-nullable decimals
    "2301": reads("list", "result")
    + reads("decimal", "result[].det_item_fee_sumamt", "result[].cnt", "result[].pric")
    + reads("decimal", "result[].pric_uplmt_amt", "result[].selfpay_prop")
    + reads(
        "decimal?",
        "result[].fulamt_ownpay_amt",
        "result[].overlmt_amt",
        "result[].preselfpay_amt",
        "result[].inscp_scp_amt",
    )
    + tuple(r for n in _FLAGS for r in reads("text?", f"result[].{n}")),
    "2303": _setlinfo() + reads("decimal?", "setlinfo.age"),
    "2304": _setlinfo("hifdm_pay") + reads("text", "setlinfo.setl_id"),
    "2305": _setlinfo("hifdm_pay") + reads("text", "setlinfo.setl_id"),
}

STYLE = Style(
    name="js-csharp",
    language="C#",
    province="Jiangsu",
    sources=(
        "liwerAKM/YbRefund: YbRefund/BusinessCSB/Models/InputRoot.cs",
        "liwerAKM/YbRefund: YbRefund/BusinessCSB/CSBHelper.cs",
        "liwerAKM/YbRefund: YbRefund/Plat/Models/{T1101.cs,MZJS/*.cs,ZYDJ/*.cs,ZYJS/*.cs}",
    ),
    msgid=msgid,
    envelope=envelope,
    path=lambda infno: CANONICAL_PATH,  # hospital.api_uri, one configured URL
    content_type="application/json;charset=utf-8",
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
    make_lines=lambda kind: numbered("F", OUTPATIENT_ITEMS if kind == "outpatient" else INPATIENT_ITEMS),
    deviations=("the source signs with Jiangsu CSB _api_* headers; the suite signs x-tif (the platform's gateway)",),
)
