"""3401-3403 departments, as a HIS calls them on its first day."""

from __future__ import annotations

from typing import Any

COVERED: set[str] = {"3401", "3401A", "3402", "3403"}


def _dept(code: str, name: str, caty: str, **more: Any) -> dict[str, Any]:
    return {"hosp_dept_codg": code, "hosp_dept_name": name, "begntime": "2026-01-01 00:00:00", "caty": caty,
            "itro": name, "dept_resper_name": "科主任", "dept_resper_tel": "0891-6000000", "dept_estbdat": "2000-01-01",
            "aprv_bed_cnt": 40, "poolarea_no": "540100", "dr_psncnt": 10, "phar_psncnt": 2, "nurs_psncnt": 16,
            "tecn_psncnt": 3, **more}  # fmt: skip


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input).

    The departments the later fee lines bill to (bilg_dept_codg D01, tests/support.py line()) and
    the admitting department (D02) stay active: once departments exist, fee lines are checked."""
    s.step("3401", {"deptinfo": _dept("D01", "内科", "A03")})
    s.step("3401A", {"deptinfo": [_dept("D01", "内科", "A03"), _dept("D02", "外科", "A04"),
                                  _dept("D90", "临时发热门诊", "A16")]})  # fmt: skip
    s.step("3402", {"deptinfo": _dept("D02", "外科", "A04", aprv_bed_cnt=60)})
    s.step(
        "3403", {"data": {"hosp_dept_codg": "D90", "hosp_dept_name": "临时发热门诊", "begntime": "2026-01-01 00:00:00"}}
    )
