"""The national answers, shaped from settled values: pure functions, no I/O.

Each function emits every field the national spec lists for its node, with the spec's type:
a field the spec types as a number is a number, never null (clients parse them into
non-nullable decimals). Where the platform has no value for such a field, the choice is
written beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from medshared.money import ZERO, money
from medshared.national import INF_TIME_FORMAT
from settlement.policy import Breakdown
from settlement.policy.model import SETLINFO_AMOUNTS, CatalogueItem

PAY_LOC = {"local": "2", "in_province": "3", "cross_province": "4"}
CLR_WAY = {"11": "1", "21": "3", "41": "1"}
PSN_INSU_STAS = {"active": "1", "suspended": "2", "terminated": "4"}
# An item without a price cap: the national platform answers 99999999.000000 (a Zhejiang sample of a
# self-pay line), so a client reading the cap into a decimal reads "no practical cap".
NO_PRICE_CAP = Decimal("99999999.000000")
# 医疗收费项目类别 by the national code's first letter when the catalogue row does not say:
# X 西药 09, Z 中成药 11, T 中药饮片 10, C 医用耗材 08; service items (digits) 14 其他 unless stated.
_CHRGITM_TYPE_BY_PREFIX = {"X": "09", "Z": "11", "T": "10", "C": "08"}
ITEM_FLAGS = (
    "bas_medn_flag",
    "hi_nego_drug_flag",
    "chld_medc_flag",
    "list_sp_item_flag",
    "lmt_used_flag",
    "drt_reim_flag",
)


def when(moment: dt.datetime | None) -> str | None:
    return moment.strftime(INF_TIME_FORMAT) if moment else None


def age_on(brdy: dt.date | None, today: dt.date) -> Decimal:
    if brdy is None:
        return Decimal("0.0")
    years = today.year - brdy.year - ((today.month, today.day) < (brdy.month, brdy.day))
    return Decimal(years).quantize(Decimal("0.1"))


def baseinfo(psn: Any, now: dt.datetime) -> dict[str, Any]:
    """1101 baseinfo; also the identity echoed in every setlinfo."""
    return {
        "psn_no": psn.psn_no,
        "psn_cert_type": psn.psn_cert_type,
        "certno": psn.certno,
        "psn_name": psn.psn_name,
        "gend": psn.gend,
        "naty": psn.naty,
        "brdy": psn.brdy.isoformat() if psn.brdy else None,
        "age": age_on(psn.brdy, now.date()),
        "expContent": None,
    }


def insuinfo(enrollment: Any, status: str, balc: Decimal, paus_insu_date: str | None) -> dict[str, Any]:
    return {
        "balc": money(balc),
        "insutype": enrollment.insutype,
        "psn_type": enrollment.psn_type,
        "psn_insu_stas": PSN_INSU_STAS.get(status, status),
        "psn_insu_date": enrollment.begndate.isoformat(),
        "paus_insu_date": paus_insu_date,
        "cvlserv_flag": enrollment.cvlserv_flag,
        "insuplc_admdvs": enrollment.insuplc_admdvs,
        "emp_name": enrollment.emp_name,
    }


def idetinfo(identity: Any) -> dict[str, Any]:
    return {
        "psn_idet_type": identity.psn_idet_type,
        "psn_type_lv": identity.psn_type_lv,
        "memo": identity.memo,
        "begntime": when(identity.begntime),
        "endtime": when(identity.endtime),
    }


def chrgitm_type(med_list_codg: str, item: CatalogueItem | None) -> str:
    if item is not None and item.med_chrgitm_type:
        return item.med_chrgitm_type
    return _CHRGITM_TYPE_BY_PREFIX.get(med_list_codg[:1].upper(), "14")


def fee_result(line: Any, classified: Any, item: CatalogueItem | None) -> dict[str, Any]:
    """One result[] row of 2204 / 2301: how the platform classified the uploaded line."""
    cap = classified.pric_uplmt_amt
    row = {
        "feedetl_sn": line.feedetl_sn,
        "det_item_fee_sumamt": money(line.det_item_fee_sumamt),
        "cnt": line.cnt,
        "pric": line.pric,
        "pric_uplmt_amt": NO_PRICE_CAP if cap is None else cap,
        "selfpay_prop": classified.selfpay_prop,
        "fulamt_ownpay_amt": money(classified.fulamt_ownpay_amt),
        "overlmt_amt": money(classified.overlmt_amt),
        "preselfpay_amt": money(classified.preselfpay_amt),
        "inscp_scp_amt": money(classified.inscp_scp_amt),
        "chrgitm_lv": classified.chrgitm_lv,
        "med_chrgitm_type": chrgitm_type(line.med_list_codg, item),
    }
    row.update({flag: getattr(item, flag) if item is not None else "0" for flag in ITEM_FLAGS})
    row["memo"] = (
        None if item is not None else f"{line.med_list_codg} is not in the catalogue: paid in full by the person"
    )
    return row


def setlinfo(
    psn: Any,
    enrollment: Any,
    visit: Any,
    breakdown: Breakdown,
    *,
    cert_type: str,
    now: dt.datetime,
    setl_id: str | None,
    msgid: str,
    clr_optins: str,
) -> dict[str, Any]:
    """2206/2207/2303/2304 setlinfo: identity echo, every amount of the breakdown, clearing fields."""
    info: dict[str, Any] = {
        "mdtrt_id": visit.mdtrt_id,
        "setl_id": setl_id,
        **baseinfo(psn, now),
        "insutype": visit.insutype,
        "psn_type": enrollment.psn_type,
        "cvlserv_flag": enrollment.cvlserv_flag,
        "setl_time": now.strftime(INF_TIME_FORMAT) if setl_id else None,
        "mdtrt_cert_type": cert_type,
        "med_type": visit.med_type,
    }
    info.pop("expContent")
    info.update({name: money(getattr(breakdown, name)) for name in SETLINFO_AMOUNTS})
    info.update(
        pool_prop_selfpay=breakdown.pool_prop_selfpay,
        hifdm_pay=money(ZERO),
        acct_mulaid_pay=money(ZERO),
        medins_setl_id=msgid,
        clr_optins=clr_optins,
        clr_way=CLR_WAY[breakdown.clr_type],
        clr_type=breakdown.clr_type,
        exp_content=None,
    )
    return info


def setldetail(part: Any) -> dict[str, Any]:
    """One setldetail[] row. A fund without a per-call limit can pay at most the in-scope amount,
    which is what crt_payb_lmt_amt then says (the spec types it as a number)."""
    limit = part.crt_payb_lmt_amt if part.crt_payb_lmt_amt is not None else part.inscp_scp_amt
    return {
        "fund_pay_type": part.fund_pay_type,
        "inscp_scp_amt": money(part.inscp_scp_amt),
        "crt_payb_lmt_amt": money(limit),
        "fund_payamt": money(part.fund_payamt),
        "fund_pay_type_name": part.fund_pay_type_name,
        "setl_proc_info": part.setl_proc_info,
    }


def negated(
    info: Mapping[str, Any], details: list[Mapping[str, Any]], setl_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A reversal's setlinfo and setldetail: the original's amounts with the opposite sign."""
    reversed_info = dict(info)
    for name in SETLINFO_AMOUNTS:
        if name != "balc":
            reversed_info[name] = money(-Decimal(reversed_info[name]))
    reversed_details = [
        dict(
            x,
            inscp_scp_amt=money(-Decimal(x["inscp_scp_amt"])),
            fund_payamt=money(-Decimal(x["fund_payamt"])),
            crt_payb_lmt_amt=money(Decimal(str(_limit_of(x)))),
            setl_proc_info=f"冲销 setl_id {setl_id}",
        )
        for x in details
    ]
    return reversed_info, reversed_details


def _limit_of(detail: Mapping[str, Any]) -> Any:
    limit = detail.get("crt_payb_lmt_amt")
    return detail["inscp_scp_amt"] if limit is None else limit


def complete_setlinfo(info: Mapping[str, Any]) -> dict[str, Any]:
    """A stored setlinfo with every field of today's answer (rows stored before a field was added)."""
    full = dict(info)
    for name in ("hifdm_pay", "acct_mulaid_pay"):
        if full.get(name) is None:
            full[name] = money(ZERO)
    full.setdefault("exp_content", None)
    return full


def trtinfo(
    psn_no: str, fund_pay_type: str, entitled: bool, begndate: str | None, enddate: str | None, reason: str
) -> dict[str, Any]:
    """One 2001 trtinfo[] row."""
    return {
        "psn_no": psn_no,
        "trt_chk_type": "01",
        "fund_pay_type": fund_pay_type,
        "trt_enjymnt_flag": "1" if entitled else "0",
        "begndate": begndate,
        "enddate": enddate,
        "trt_chk_rslt": reason,
    }


def settlement_event(
    info: Mapping[str, Any],
    details: Sequence[Mapping[str, Any]],
    visit: Any,
    *,
    msgid: str,
    infno: str,
    pay_loc: str,
    versions: Mapping[str, str],
    reversed_: bool,
) -> dict[str, Any]:
    """The `settlement` snapshot of docs/events.md."""
    payload = {
        "setl_id": info["setl_id"],
        "mdtrt_id": visit.mdtrt_id,
        "psn_no": visit.psn_no,
        "psn_name": info["psn_name"],
        "certno": info["certno"],
        "medins_setl_id": msgid,
        "infno": infno,
        "fixmedins_code": visit.fixmedins_code,
        "insutype": visit.insutype,
        "med_type": visit.med_type,
        "mdtrt_cert_type": visit.mdtrt_cert_type,
        "insuplc_admdvs": visit.insuplc_admdvs,
        "mdtrtarea_admvs": visit.mdtrtarea_admvs,
        "pay_loc": pay_loc,
        "clr_type": info["clr_type"],
        "clr_optins": info["clr_optins"],
        "setl_time": info["setl_time"],
    }
    payload.update({name: info[name] for name in SETLINFO_AMOUNTS})
    payload.update(
        pool_prop_selfpay=info["pool_prop_selfpay"],
        setldetail=list(details),
        policy_versions=dict(versions),
        reversed=reversed_,
    )
    return payload
