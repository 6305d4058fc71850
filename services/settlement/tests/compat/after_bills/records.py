"""5201-5205, 5301-5304 queries and 2505/2506 designations, as a HIS or pharmacy calls them once bills exist.

The hospital H54010000001 files 王强's chronic disease (2503), treats it in a visit of med_type 14 with the
visit's diagnosis and two fee lines, settles it, admits 扎西 and leaves him in hospital; remote-care's
referral filing for 王强 arrives as its event. Then every query reads that back once, and a designation
is filed, listed and revoked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from support import PEOPLE, WANGQIANG, ZHAXI, line

from medshared.events import Event
from settlement.messaging import consumer

COVERED: set[str] = {"5201", "5202", "5204", "5205", "5301", "5302", "5303", "5304", "2505", "2506"}
POOL = "540100"
NOVEMBER = {"begntime": "2026-11-01 00:00:00", "endtime": "2026-11-30 23:59:59"}


def _after(value: Any, build: Callable[[Any], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    def body() -> dict[str, Any]:
        if value is None:
            raise LookupError("an earlier step was refused")
        return build(value)

    return body


def _diagnosis(code: str, name: str) -> list[dict[str, Any]]:
    return [{"diag_type": "1", "diag_srt_no": "1", "diag_code": code, "diag_name": name, "diag_dept": "内科",
             "dise_dor_no": "DR1", "dise_dor_name": "医生", "diag_time": "2026-11-24 09:10:00", "vali_flag": "1"}]  # fmt: skip


def _chronic_visit(s: Any) -> tuple[Any, Any]:
    p = PEOPLE[WANGQIANG]
    chronic = {"psn_no": WANGQIANG, "insutype": "310", "opsp_dise_code": "M03900", "opsp_dise_name": "高血压",
               "begndate": "2026-01-01"}  # fmt: skip
    s.his.call("2503", {"data": chronic}, insuplc=POOL)
    register = {"psn_no": WANGQIANG, "insutype": "310", "begntime": "2026-11-24 09:00:00", "mdtrt_cert_type": "02",
                "mdtrt_cert_no": p["certno"], "ipt_otp_no": "OP5", "atddr_no": "DR1", "dr_name": "医生",
                "dept_code": "D01", "dept_name": "内科", "caty": "A03"}  # fmt: skip
    opened = s.his.call("2201", {"data": register}, insuplc=POOL)
    if opened["infcode"] != 0:
        return None, None
    mdtrt_id = opened["output"]["data"]["mdtrt_id"]
    info = {"mdtrt_id": mdtrt_id, "psn_no": WANGQIANG, "med_type": "14", "begntime": "2026-11-24 09:00:00",
            "dise_codg": "M03900"}  # fmt: skip
    s.his.call("2203", {"mdtrtinfo": info, "diseinfo": _diagnosis("I10.x00", "原发性高血压")}, insuplc=POOL)
    lines = [line("1", "XA10BAA059A001010100001", "10", "2.00", mdtrt_id, WANGQIANG),
             line("2", "001102000010000", "1", "15.00", mdtrt_id, WANGQIANG)]  # fmt: skip
    s.his.call("2204", {"feedetail": lines}, insuplc=POOL)
    settle = {"psn_no": WANGQIANG, "mdtrt_cert_type": "02", "mdtrt_cert_no": p["certno"], "med_type": "14",
              "medfee_sumamt": Decimal("35.00"), "psn_setlway": "01", "mdtrt_id": mdtrt_id, "chrg_bchno": "B1",
              "acct_used_flag": "0", "insutype": "310"}  # fmt: skip
    settled = s.his.call("2207", {"data": settle}, insuplc=POOL)
    setl_id = settled["output"]["setlinfo"]["setl_id"] if settled["infcode"] == 0 else None
    return mdtrt_id, setl_id


def _stay(s: Any) -> None:
    z = PEOPLE[ZHAXI]
    admission = {"psn_no": ZHAXI, "insutype": "390", "begntime": "2026-11-25 08:00:00", "mdtrt_cert_type": "02",
                 "mdtrt_cert_no": z["certno"], "med_type": "21", "ipt_no": "IP5", "atddr_no": "DR2",
                 "chfpdr_name": "医生", "adm_dept_codg": "D02", "adm_dept_name": "外科"}  # fmt: skip
    s.his.call("2401", {"mdtrtinfo": admission, "diseinfo": _diagnosis("N39.000", "泌尿道感染")}, insuplc=POOL)


def _referral(s: Any) -> None:
    referral = {"filing_id": "F-REF-COMPLETENESS", "psn_no": WANGQIANG, "insuplc_admdvs": POOL,
                "filing_type": "referral", "target_admdvs": "110100", "begndate": "2026-11-24",
                "enddate": "2027-02-21", "status": "active", "channel": "his", "trt_dcla_detl_sn": "RC-COMPLETENESS",
                "insutype": "310", "version": 1}  # fmt: skip
    with s.his.client.app.state.runtime.unit_of_work() as session:
        consumer.handle(session, Event("FilingCreated", WANGQIANG, {"filing": referral}, "remote_care"))


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    mdtrt_id, setl_id = _chronic_visit(s)
    _stay(s)
    _referral(s)
    s.step("5201", {"data": {"psn_no": WANGQIANG, **NOVEMBER, "med_type": "14"}}, insuplc=POOL)
    s.step("5202", _after(mdtrt_id, lambda v: {"data": {"mdtrt_id": v, "psn_no": WANGQIANG}}), insuplc=POOL)
    s.step(
        "5204",
        _after(setl_id, lambda sid: {"data": {"psn_no": WANGQIANG, "mdtrt_id": mdtrt_id, "setl_id": sid}}),
        insuplc=POOL,
    )
    s.step("5205", {"data": {"psn_no": WANGQIANG, **NOVEMBER}}, insuplc=POOL)
    s.step("5301", {"data": {"psn_no": WANGQIANG}}, insuplc=POOL)
    s.step("5303", {"data": {"psn_no": "", "begntime": "", "endtime": ""}})
    s.step("5304", {"data": {"psn_no": WANGQIANG, **NOVEMBER}}, insuplc=POOL)

    designation = {"psn_no": WANGQIANG, "tel": "13800000000", "biz_appy_type": "03",
                   "begndate": dt.date.today().isoformat(), "fix_srt_no": "1", "fixmedins_code": "H54010000001",
                   "fixmedins_name": "拉萨市第一人民医院(演示)"}  # fmt: skip
    filed = s.step("2505", {"data": designation}, insuplc=POOL)
    serial = filed and filed["result"]["trt_dcla_detl_sn"]
    s.step("5302", {"data": {"psn_no": WANGQIANG, "biz_appy_type": "03"}}, insuplc=POOL)
    s.step(
        "2506",
        _after(serial, lambda sn: {"data": {"trt_dcla_detl_sn": sn, "psn_no": WANGQIANG, "memo": "改点"}}),
        insuplc=POOL,
    )
