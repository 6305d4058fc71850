"""1901 dictionaries and 1201 institutions, as a HIS calls them on its first day."""

from __future__ import annotations

from typing import Any

COVERED: set[str] = {"1901", "1201"}


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    # The code tables a HIS keeps: one type per call, the version in force today.
    for type_ in ("insutype", "med_type", "psn_type", "fund_pay_type"):
        s.step("1901", {"data": {"type": type_, "parentValue": "", "admdvs": "", "date": "", "vali_flag": "1"}})
    # Its own row, as a HIS checks its configuration; then the hospitals it may refer patients to.
    s.step("1201", {"medinsinfo": {"fixmedins_type": "1", "fixmedins_code": s.his.code, "fixmedins_name": ""}})
    s.step("1201", {"medinsinfo": {"fixmedins_type": "1", "fixmedins_code": "", "fixmedins_name": "医院"}})
