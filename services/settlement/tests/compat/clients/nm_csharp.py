"""Inner Mongolia (Ulanqab) hospital HIS, C#, Newtonsoft.Json with default settings.

Source: newtouch-cloud/openhis at commit 68c8c6235b027eac2c493701c6edfcea9a1e6405
- WinServiceAPI/NeiMengGuYiBaoApp/Models/Input/YiBao/InputPost.cs (envelope fields)
- WinServiceAPI/NeiMengGuYiBaoApp/Service/YiBaoHelper.cs (SettingsBase: values; one URL for all
  infnos, application/json; 2207/2304 put an RSA-encrypted password in cainfo)
- WinServiceAPI/NeiMengGuYiBaoApp/App.config (recer_sys_code MBS_LOCAL, signtype PRCSSC, infver V1.0)
- WinServiceAPI/NeiMengGuYiBaoApp/Models/Input/YiBao/Input_*.cs (bodies: property names and C# types)
- WinServiceAPI/NeiMengGuYiBaoApp/Models/Output/YiBao/Output*.cs (what it deserialises)

Newtonsoft's defaults shape the JSON: every property the code leaves unset is sent as null;
a C# decimal is a JSON number; a DateTime is ISO-8601 with a `T`; an int field left unset is 0.
Deserialising null (or a missing number) into a non-nullable decimal fails for the whole answer.
"""

from __future__ import annotations

import random
import uuid
from decimal import Decimal
from typing import Any

from . import (
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

RSA_PASSWORD = "Qm9ndXNSU0FQYXNzd29yZA==" * 7  # stands for the 172-character RSA ciphertext


def msgid(env: Env, infno: str) -> str:
    return f"{env.fixmedins_code}{env.now:%Y%m%d%H%M%S}{random.randint(1, 9998):04d}"


def envelope(env: Env, infno: str, msg: str, input_: Any) -> dict[str, Any]:
    return {
        "infno": infno,
        "msgid": msg,
        "mdtrtarea_admvs": env.admdvs,
        "insuplc_admdvs": "" if infno == "9001" else env.insuplc,
        "recer_sys_code": "MBS_LOCAL",
        "dev_no": "",
        "dev_safe_info": "",
        "cainfo": RSA_PASSWORD if infno in ("2207", "2304") else "",
        "signtype": "PRCSSC",
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


def _iso(text: str) -> str:
    return text.replace(" ", "T")  # a C# DateTime through Newtonsoft


def _disease() -> dict[str, Any]:
    # Input_2203A.cs `diseinfo` (also the class 2401 uses: its own is commented out)
    return {
        "diag_type": "1",
        "diag_srt_no": 1,
        "diag_code": "J06.900",
        "diag_name": "急性上呼吸道感染",
        "diag_dept": "内科",
        "dise_dor_no": "DR1",
        "dise_dor_name": "医生",
        "diag_time": BEGNTIME,
        "vali_flag": "1",
    }


def _cert(c: Ctx) -> dict[str, Any]:
    return {"mdtrt_cert_type": "02", "mdtrt_cert_no": c.psn["certno"]}


def b9001(c: Ctx) -> dict[str, Any]:
    return {"signIn": {"opter_no": "HIS1", "mac": "001A2B3C4D5E", "ip": "192.168.100.21"}}


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
    return {
        "data": {
            "psn_no": c.psn["psn_no"],
            "insutype": c.psn["insutype"],
            "begntime": _iso(BEGNTIME),
            **_cert(c),
            "ipt_otp_no": "2111241810003",
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
            "main_cond_dscr": None,
            "dise_codg": None,
            "dise_name": None,
            "birctrl_type": None,
            "birctrl_matn_date": None,
            "matn_type": None,
            "geso_val": 0,
            "expContent": None,
        },
        "diseinfo": [_disease()],
    }


_UNSET_2204 = (
    "dise_codg", "rxno", "sin_dos_dscr", "used_frqu_dscr", "medc_way_dscr", "acord_dept_codg",
    "acord_dept_name", "orders_dr_code", "orders_dr_name", "tcmdrug_used_way", "etip_flag",
    "etip_hosp_code", "dscg_tkdrug_flag", "matn_fee_flag", "expContent",
)  # fmt: skip


def b2204(c: Ctx) -> dict[str, Any]:
    return {
        "feedetail": [
            {
                "feedetl_sn": x.sn,
                "mdtrt_id": c.mdtrt_id,
                "psn_no": c.psn["psn_no"],
                "chrg_bchno": c.chrg_bchno,
                "rx_circ_flag": "0",
                "fee_ocur_time": FEE_TIME,
                "med_list_codg": x.code,
                "medins_list_codg": "H" + x.code,
                "det_item_fee_sumamt": Decimal(x.total),
                "cnt": Decimal(x.cnt),
                "pric": Decimal(x.pric),
                "prd_days": Decimal(0),
                "bilg_dept_codg": "D01",
                "bilg_dept_name": "内科",
                "bilg_dr_codg": "DR1",
                "bilg_dr_name": "医生",
                "hosp_appr_flag": "1",
                **dict.fromkeys(_UNSET_2204),
            }
            for x in c.lines
        ]
    }


def _settle(c: Ctx, **more: Any) -> dict[str, Any]:
    return {
        "psn_no": c.psn["psn_no"],
        **_cert(c),
        "med_type": "11",
        "medfee_sumamt": Decimal(c.total),
        "psn_setlway": "01",
        "mdtrt_id": c.mdtrt_id,
        "chrg_bchno": c.chrg_bchno,
        "acct_used_flag": "1",
        "insutype": c.psn["insutype"],
        **more,
        "expContent": None,
    }


def b2206(c: Ctx) -> dict[str, Any]:
    return {"data": _settle(c)}


_ECHOED = ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def _echo(c: Ctx, infno: str) -> dict[str, Decimal]:
    # non-nullable decimals: a value the trial did not give stays 0
    info = c.setlinfo(infno)
    return {k: Decimal(str(info.get(k) if info.get(k) is not None else 0)) for k in _ECHOED}


def b2207(c: Ctx) -> dict[str, Any]:
    return {"data": _settle(c, invono=None, **_echo(c, "2206"))}


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
    return {
        "mdtrtinfo": {
            "psn_no": c.psn["psn_no"],
            "insutype": c.psn["insutype"],
            "begntime": "2026-11-24 08:00:00",
            **_cert(c),
            "med_type": "21",
            "ipt_no": "ZY2111240001",
            "atddr_no": "DR1",
            "chfpdr_name": "医生",
            "adm_dept_codg": "D02",
            "adm_dept_name": "外科",
            **dict.fromkeys(_UNSET_2401),
        },
        "diseinfo": [_disease()],
    }


_UNSET_2301 = (
    "init_feedetl_sn", "drord_no", "acord_dept_codg", "acord_dept_name", "orders_dr_code",
    "orders_dr_name", "tcmdrug_used_way", "etip_flag", "etip_hosp_code", "dscg_tkdrug_flag",
    "matn_fee_flag", "memo", "expContent",
)  # fmt: skip


def b2301(c: Ctx) -> dict[str, Any]:
    # Input_2301.cs types the amounts as string
    return {
        "feedetail": [
            {
                "feedetl_sn": x.sn,
                "mdtrt_id": c.mdtrt_id,
                "psn_no": c.psn["psn_no"],
                "med_type": "21",
                "fee_ocur_time": FEE_TIME,
                "med_list_codg": x.code,
                "medins_list_codg": "H" + x.code,
                "det_item_fee_sumamt": x.total,
                "cnt": x.cnt,
                "pric": x.pric,
                "bilg_dept_codg": "D02",
                "bilg_dept_name": "外科",
                "bilg_dr_codg": "DR1",
                "bilg_dr_name": "医生",
                "hosp_appr_flag": "1",
                **dict.fromkeys(_UNSET_2301),
            }
            for x in c.lines
        ]
    }


def b2402(c: Ctx) -> dict[str, Any]:
    unset = (
        "dise_codg", "dise_name", "oprn_oprt_code", "oprn_oprt_name", "fpsc_no", "matn_type",
        "birctrl_type", "latechb_flag", "geso_val", "fetts", "fetus_cnt", "pret_flag",
        "birctrl_matn_date", "cop_flag", "dscg_bed", "die_date", "expContent",
    )  # fmt: skip
    return {
        "dscginfo": {
            "mdtrt_id": c.mdtrt_id,
            "psn_no": c.psn["psn_no"],
            "insutype": c.psn["insutype"],
            "endtime": DISCHARGED,
            "dscg_dept_codg": "D02",
            "dscg_dept_name": "外科",
            "dscg_way": "1",
            **dict.fromkeys(unset),
        },
        "diseinfo": [
            {
                "psn_no": c.psn["psn_no"],
                "diag_type": "1",
                "maindiag_flag": "1",
                "diag_srt_no": "1",
                "diag_code": "K35.900",
                "diag_name": "急性阑尾炎",
                "adm_cond": None,
                "diag_dept": "外科",
                "dise_dor_no": "DR1",
                "dise_dor_name": "医生",
                "diag_time": DISCHARGED,
            }
        ],
    }


def _inpatient_settle(c: Ctx, amounts: dict[str, Any], total: Any) -> dict[str, Any]:
    return {
        "data": {
            "psn_no": c.psn["psn_no"],
            **_cert(c),
            "medfee_sumamt": total,
            "psn_setlway": "01",
            "mdtrt_id": c.mdtrt_id,
            "insutype": c.psn["insutype"],
            "acct_used_flag": "0",
            "invono": None,
            "mid_setl_flag": "0",
            **amounts,
            "dscg_time": None,
            "expContent": None,
        }
    }


def b2303(c: Ctx) -> dict[str, Any]:
    # Input_2303.cs: every amount is a string; the trial does not know them yet (null)
    return _inpatient_settle(c, dict.fromkeys(_ECHOED), c.total)


def b2304(c: Ctx) -> dict[str, Any]:
    # Input_2304.cs: medfee_sumamt string, the four amounts decimal
    return _inpatient_settle(c, _echo(c, "2303"), c.total)


def b2302(c: Ctx) -> dict[str, Any]:
    # Input_2302.cs: `data` is a LIST of {feedetl_sn, mdtrt_id, psn_no}. The chain sends the
    # withdraw-all serial 0000 before the first upload, as deployed HIS software does to start clean.
    return {"data": [{"feedetl_sn": "0000", "mdtrt_id": c.mdtrt_id, "psn_no": c.psn["psn_no"], "expContent": None}]}


def b2305(c: Ctx) -> dict[str, Any]:
    return {
        "data": {
            "mdtrt_id": c.mdtrt_id,
            "setl_id": c.setl_id,
            "psn_no": c.psn["psn_no"],
            "expContent": None,
        }
    }


_LINE_DECIMALS = (
    "det_item_fee_sumamt", "cnt", "pric", "pric_uplmt_amt", "selfpay_prop", "fulamt_ownpay_amt",
    "overlmt_amt", "preselfpay_amt", "inscp_scp_amt",
)  # fmt: skip
_FLAGS = (
    "chrgitm_lv", "med_chrgitm_type", "bas_medn_flag", "hi_nego_drug_flag", "chld_medc_flag",
    "list_sp_item_flag", "lmt_used_flag", "drt_reim_flag", "memo",
)  # fmt: skip
_SETL = (
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
    "act_pay_dedc", "hifp_pay", "pool_prop_selfpay", "cvlserv_pay", "hifes_pay", "hifmi_pay",
    "hifob_pay", "maf_pay", "oth_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay",
    "psn_cash_pay", "hosp_part_amt", "balc", "acct_mulaid_pay",
)  # fmt: skip

READS = {
    # Output9001.cs; YiBaoHelper reads output.signinoutb.sign_no
    "9001": reads("text", "signinoutb.sign_no", "signinoutb.sign_time"),
    # Output_1101.cs: age and balc are non-nullable decimals
    "1101": reads(
        "text",
        "baseinfo.psn_no",
        "baseinfo.psn_name",
        "insuinfo[0].insutype",
        "insuinfo[0].insuplc_admdvs",
    )
    + reads("decimal", "baseinfo.age", "insuinfo[].balc")
    + reads("list", "insuinfo", "idetinfo"),
    "2201": reads("text", "data.mdtrt_id"),
    # Output_2204.cs: every amount a non-nullable decimal, the seven flags strings
    "2204": reads("list", "result")
    + reads("text", "result[].feedetl_sn")
    + tuple(r for n in _LINE_DECIMALS for r in reads("decimal", f"result[].{n}"))
    + tuple(r for n in _FLAGS for r in reads("text?", f"result[].{n}")),
    # Output_2206.cs: decimal? amounts (setl_time is typed DateTime but the platform's own
    # sample trial answer has it null, so it is not required here)
    "2206": tuple(r for n in _SETL for r in reads("decimal?", f"setlinfo.{n}"))
    + reads("text", "setlinfo.medins_setl_id", "setlinfo.clr_type")
    + reads("list", "setldetail"),
    # Output_2207.cs: all strings
    "2207": reads("text", "setlinfo.setl_id", "setlinfo.medfee_sumamt", "setlinfo.psn_cash_pay")
    + tuple(r for n in _SETL for r in reads("text?", f"setlinfo.{n}"))
    + reads("list", "setldetail"),
    # Output_2208.cs (its pdn_cash_pay is the spec's typo; a missing property stays null in C#)
    "2208": reads("text", "setlinfo.setl_id", "setlinfo.medfee_sumamt"),
    "2401": reads("text", "result.mdtrt_id"),
    # Output_2301.cs: all strings
    "2301": reads("list", "result")
    + tuple(r for n in ("feedetl_sn", *_LINE_DECIMALS, *_FLAGS) for r in reads("text?", f"result[].{n}")),
    "2303": tuple(r for n in _ECHOED for r in reads("decimal?", f"setlinfo.{n}")),
    "2304": reads(
        "text",
        "setlinfo.setl_id",
        "setlinfo.medfee_sumamt",
        "setlinfo.clr_way",
        "setlinfo.clr_type",
    )
    + reads("list", "setldetail"),
    "2305": reads("text", "setlinfo.setl_id") + reads("text?", "setlinfo.hifdm_pay"),
}

STYLE = Style(
    name="nm-csharp",
    language="C#",
    province="Inner Mongolia",
    sources=(
        "newtouch-cloud/openhis@68c8c623: WinServiceAPI/NeiMengGuYiBaoApp/Service/YiBaoHelper.cs",
        "newtouch-cloud/openhis@68c8c623: WinServiceAPI/NeiMengGuYiBaoApp/Models/Input/YiBao/*.cs",
        "newtouch-cloud/openhis@68c8c623: WinServiceAPI/NeiMengGuYiBaoApp/Models/Output/YiBao/*.cs",
    ),
    msgid=msgid,
    envelope=envelope,
    # One configured URL for every infno (production: .../uif-hsaf-med-api/api/medical/service);
    # an integrator points it at the platform's door.
    path=lambda infno: CANONICAL_PATH,
    content_type="application/json",
    nonce=lambda: str(uuid.uuid4()),
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
        "2302": b2302,
        "2301": b2301,
        "2402": b2402,
        "2303": b2303,
        "2304": b2304,
        "2305": b2305,
    },
    reads=READS,
    outpatient=("1101", "2201", "2203A", "2204", "2206", "2207", "2208"),
    inpatient=("2401", "2302", "2301", "2402", "2303", "2304", "2305"),
    make_lines=lambda kind: numbered("XM51296", OUTPATIENT_ITEMS if kind == "outpatient" else INPATIENT_ITEMS),
    deviations=(
        (
            "the source sends an `apikey` header (x-tif headers commented out); the suite signs x-tif "
            "because the platform's gateway signature stays strict"
        ),
    ),
)
