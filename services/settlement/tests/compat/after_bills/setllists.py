"""4101-4104 settlement lists, as a HIS calls them once bills exist: 扎西's stay is admitted, billed,
discharged and settled, then its list is uploaded (4101, replaced by a 4101A upload while it is not
submitted), submitted (4102), read back (4103) and its quality control asked for (4104)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from support import PEOPLE, ZHAXI, line

COVERED: set[str] = {"4101", "4101A", "4102", "4103", "4104"}
POOL = "540100"


def _stay(s: Any) -> dict[str, Any] | None:
    p = PEOPLE[ZHAXI]
    admission = {"psn_no": ZHAXI, "insutype": "390", "begntime": "2026-11-20 08:00:00", "mdtrt_cert_type": "02",
                 "mdtrt_cert_no": p["certno"], "med_type": "21", "ipt_no": "IP-SL", "atddr_no": "D001",
                 "chfpdr_name": "张医生", "adm_dept_codg": "A07", "adm_dept_name": "外科"}  # fmt: skip
    admitted = s.step("2401", {"mdtrtinfo": admission, "diseinfo": []}, insuplc=POOL)
    if admitted is None:
        return None
    mdtrt_id = admitted["result"]["mdtrt_id"]
    s.step("2301", {"feedetail": [line("1", "003301000010000", "1", "1000", mdtrt_id, ZHAXI)]}, insuplc=POOL)
    discharge = {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI, "insutype": "390", "endtime": "2026-11-24 09:00:00"}
    s.step("2402", {"dscginfo": discharge}, insuplc=POOL)
    settle = {"psn_no": ZHAXI, "mdtrt_cert_type": "02", "mdtrt_cert_no": p["certno"], "med_type": "21",
              "medfee_sumamt": Decimal("1000.00"), "psn_setlway": "01", "mdtrt_id": mdtrt_id, "chrg_bchno": "B1",
              "acct_used_flag": "0", "insutype": "390", "mid_setl_flag": "0"}  # fmt: skip
    settled: dict[str, Any] | None = s.step("2304", {"data": settle}, insuplc=POOL)
    return settled


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    settled = _stay(s)
    if settled is None:
        for infno in COVERED:
            s.failures.setdefault(infno, "not reached: the stay was not settled")
        return
    info = settled["setlinfo"]
    setl_id = info["setl_id"]
    setlinfo = {"mdtrt_id": info["mdtrt_id"], "setl_id": setl_id, "psn_no": ZHAXI, "medcasno": "BA-SL",
                "adm_time": "2026-11-20 08:00:00", "dscg_time": "2026-11-24 09:00:00", "dscg_caty": "A07",
                "dscg_way": "1", "hi_paymtd": "3", "setl_begn_date": "2026-11-20", "setl_end_date": "2026-11-24",
                "medins_fill_dept": "病案科", "medins_fill_psn": "李梅"}  # fmt: skip
    diseinfo = [{"diag_type": "1", "diag_code": "K35.800", "diag_name": "急性阑尾炎", "maindiag_flag": "1"}]
    s.step("4101", {"setlinfo": setlinfo, "diseinfo": diseinfo}, insuplc=POOL)
    s.step("4101A", {"setlinfo": setlinfo, "diseinfo": diseinfo}, insuplc=POOL)
    s.step("4102", {"data": {"stastinfo": [{"psn_no": ZHAXI, "setl_id": setl_id, "stas_type": "1"}]}}, insuplc=POOL)
    s.step("4103", {"data": {"psn_no": ZHAXI, "setl_id": setl_id}}, insuplc=POOL)
    s.step("4104", {"data": {"setl_id": setl_id, "psn_no": ZHAXI}}, insuplc=POOL)
