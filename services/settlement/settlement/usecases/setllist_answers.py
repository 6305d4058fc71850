"""The 4103 answer: a stored 医疗保障基金结算清单 in the query's own field names (they differ from the
upload's: adm_way -> adm_way_code, poscode -> emp_poscode, iteminfo amt -> item_sumamt, ...), with
the platform's values (person, settlement, visit) where the list is silent. Numbers are numbers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from medshared import jsonutil
from medshared.money import ZERO, money
from settlement import outputs
from settlement.domain import setllist_nodes as nd

# query field <- upload field, copied as sent
_COPIED = (
    ("hi_setl_lv", "hi_setl_lv"),
    ("medcasno", "medcasno"),
    ("dcla_time", "dcla_time"),
    ("ntly", "ntly"),
    ("prfs", "prfs"),
    ("curr_addr", "curr_addr"),
    ("emp_name", "emp_name"),
    ("emp_addr", "emp_addr"),
    ("emp_tel", "emp_tel"),
    ("emp_poscode", "poscode"),
    ("coner_name", "coner_name"),
    ("patn_rlts", "patn_rlts"),
    ("coner_addr", "coner_addr"),
    ("coner_tel", "coner_tel"),
    ("sp_psn_type", "sp_psn_type"),
    ("nwb_adm_type", "nwb_adm_type"),
    ("mul_nwb_bir_wt", "mul_nwb_bir_wt"),
    ("mul_nwb_adm_wt", "mul_nwb_adm_wt"),
    ("opsp_diag_caty", "opsp_diag_caty"),
    ("opsp_mdtrt_time", "opsp_mdtrt_date"),
    ("ipt_med_type", "ipt_med_type"),
    ("adm_way_code", "adm_way"),
    ("trt_type", "trt_type"),
    ("adm_time", "adm_time"),
    ("dscg_time", "dscg_time"),
    ("adm_caty", "adm_caty"),
    ("refl_caty", "refldept_dept"),
    ("dscg_caty", "dscg_caty"),
    ("otp_wm_diag", "otp_wm_dise"),
    ("otp_wm_diag_dise_code", "wm_dise_code"),
    ("otp_tcm_diag", "otp_tcm_dise"),
    ("otp_tcm_diag_dise_code", "tcm_dise_code"),
    ("dscg_way", "dscg_way"),
    ("acp_optins_name", "acp_medins_name"),
    ("acp_optins_code", "acp_optins_code"),
    ("dscg31days_rinp_flag", "days_rinp_flag_31"),
    ("rinp_pup", "days_rinp_pup_31"),
    ("chfpdr_name", "chfpdr_name"),
    ("chfpdr_code", "chfpdr_code"),
    ("biz_sn", "biz_sn"),
    ("bill_code", "bill_code"),
    ("bill_no", "bill_no"),
    ("setl_begndate", "setl_begn_date"),
    ("setl_enddate", "setl_end_date"),
    ("hi_paymtd", "hi_paymtd"),
    ("medins_fill_dept", "medins_fill_dept"),
    ("medins_fill_psn", "medins_fill_psn"),
    ("hi_no", "hi_no"),
    ("hi_type", "hi_type"),
    ("resp_nurs_code", "resp_nurs_code"),
    ("hsorg_opter_name", "hsorg_opter"),
    ("hsorg_name", "hsorg"),
)
# whole numbers: query field <- upload field
_COUNTED = (
    ("age_days", "nwb_age"),
    ("act_ipt_days", "act_ipt_days"),
    ("spga_nurscare_days", "spga_nurscare_days"),
    ("lv1_nurscare_days", "lv1_nurscare_days"),
    ("scd_nurscare_days", "scd_nurscare_days"),
    ("lv3_nurscare_days", "lv3_nurscare_days"),
)
# durations sent as days/hours/minutes ("1/13/24"), answered as three numbers
_DURATIONS = (
    ("vent_used_dura", ("vent_used_days", "vent_used_h_cnt", "vent_used_m_cnt")),
    ("pwcry_bfadm_coma_dura", ("bfadm_coma_days", "bfadm_coma_h_cnt", "bfadm_coma_m_cnt")),
    ("pwcry_afadm_coma_dura", ("afadm_coma_days", "afadm_coma_h_cnt", "afadm_coma_m_cnt")),
)


def _number(value: Any) -> Decimal:
    try:
        return Decimal(str(value).strip()) if value not in (None, "") else ZERO
    except InvalidOperation:
        return ZERO


def _count(value: Any) -> int:
    return int(_number(value))


def _duration(value: Any) -> list[int]:
    parts = str(value or "").split("/")
    return [_count(parts[i]) if i < len(parts) else 0 for i in range(3)]


def list_4103(found: Any, body: dict[str, Any], setl: Any, person: Any, visit: Any, inst: Any) -> dict[str, Any]:
    head: dict[str, Any] = body["setlinfo"]
    info = jsonutil.loads(setl.setlinfo)
    keys = {"setl_id": found.setl_id, "psn_no": found.psn_no, "mdtrt_id": found.mdtrt_id}
    diseinfo = body.get("diseinfo", [])
    main: dict[str, Any] = next((d for d in diseinfo if d.get("maindiag_flag") == "1"), {})
    opsp = body.get("opspdiseinfo", [])
    ownpay = money(info.get("fulamt_ownpay_amt", ZERO) + info.get("overlmt_selfpay", ZERO))
    setlinfo: dict[str, Any] = {
        "setl_id": found.setl_id,
        "setl_list_sn": found.setl_list_id,
        "psn_no": found.psn_no,
        "mdtrt_id": found.mdtrt_id,
        "fixmedins_name": head.get("fixmedins_name") or getattr(inst, "fixmedins_name", None),
        "fixmedins_code": found.fixmedins_code,
        "psn_name": head.get("psn_name") or person.psn_name,
        "gend": head.get("gend") or person.gend,
        "brdy": head.get("brdy") or (person.brdy.isoformat() if person.brdy else None),
        "age": _number(head["age"]) if head.get("age") else outputs.age_on(person.brdy, setl.setl_time.date()),
        "naty": head.get("naty") or person.naty,
        "psn_cert_type": head.get("patn_cert_type") or person.psn_cert_type,
        "certno": head.get("certno") or person.certno,
        "insutype": setl.insutype,
        "insu_admdvs": head.get("insuplc") or visit.insuplc_admdvs,
        "nwb_bir_wt": _number(head.get("nwb_bir_wt")),
        "nwb_adm_wt": _number(head.get("nwb_adm_wt")),
        "diag_code_cnt": _count(head.get("diag_code_cnt")) or len(diseinfo),
        "oprn_oprt_code_cnt": _count(head.get("oprn_oprt_code_cnt")) or len(body.get("oprninfo", [])),
        "psn_selfpay_amt": money(head.get("psn_selfpay", setl.medfee_sumamt - setl.fund_pay_sumamt - ownpay)),
        "psn_ownpay_fee": money(head.get("psn_ownpay", ownpay)),
        "acct_payamt": money(head.get("acct_pay", setl.acct_pay)),
        "psn_cashpay": money(head.get("psn_cashpay", setl.psn_cash_pay)),
        "opsp_dise_name": opsp[0].get("diag_name") if opsp else None,
        "opsp_dise_code": opsp[0].get("diag_code") if opsp else None,
        "dscg_diag": main.get("diag_name"),
        "resp_nurs_name": None,
        "hsorg_opter_code": None,
        "hsorg_code": None,
        "stas_type": found.stas_type,
        "chk_cont": "质控通过" if found.qltctrl_rslt == nd.PASSED else "质控未通过, 见 4104",
    }
    setlinfo.update({query: head.get(sent) for query, sent in _COPIED})
    setlinfo.update({query: _count(head.get(sent)) for query, sent in _COUNTED})
    for sent, names in _DURATIONS:
        setlinfo.update(zip(names, _duration(head.get(sent)), strict=True))
    n = found.setl_list_id
    return {
        "setlinfo": setlinfo,
        "payinfo": [
            {
                **keys,
                "fund_pay_type": x.get("fund_pay_type"),
                "poolarea_fund_pay_type": x.get("fund_pay_type"),
                "poolarea_fund_pay_name": None,
                "fund_payamt": money(x.get("fund_payamt", ZERO)),
            }
            for x in body.get("payinfo", [])
        ],
        "opspdiseinfo": [
            {"setl_list_opsp_trt_id": f"{n}-S{i + 1}", **keys, **_pick(x, nd.OpspDiseInfo)} for i, x in enumerate(opsp)
        ],
        "diseinfo": [
            {"setl_list_diag_id": f"{n}-D{i + 1}", **keys, **_pick(x, nd.DiseInfo)} for i, x in enumerate(diseinfo)
        ],
        "iteminfo": [
            {
                "setl_list_chrgitm_id": f"{n}-I{i + 1}",
                **keys,
                "med_chrgitm_type": x.get("med_chrgitm"),
                "item_sumamt": money(x.get("amt", ZERO)),
                "item_claa_amt": money(x.get("claa_sumfee", ZERO)),
                "item_clab_amt": money(x.get("clab_amt", ZERO)),
                "item_ownpay_amt": money(x.get("fulamt_ownpay_amt", ZERO)),
                "item_oth_amt": money(x.get("oth_amt", ZERO)),
                "sindise_code_name": None,
                "daysrg_code_name": None,
            }
            for i, x in enumerate(body.get("iteminfo", []))
        ],
        "oprninfo": [
            {"setl_list_oprn_id": f"{n}-O{i + 1}", **keys, **_pick(x, nd.OprnInfo)}
            for i, x in enumerate(body.get("oprninfo", []))
        ],
        "icuinfo": [
            {"setl_list_scs_cutd_id": f"{n}-C{i + 1}", **keys, **_pick(x, nd.IcuInfo)}
            for i, x in enumerate(body.get("icuinfo", []))
        ],
        # setl_List_bld_Id is spelt as the clients that read it spell it
        "bldinfo": [
            {"setl_List_bld_Id": f"{n}-B{i + 1}", **keys, **_pick(x, nd.BldInfo)}
            for i, x in enumerate(body.get("bldinfo", []))
        ],
    }


def _pick(row: dict[str, Any], model: type[Any]) -> dict[str, Any]:
    """Every field of the node, None where the list did not send it."""
    return {name: row.get(name) for name in model.model_fields}
