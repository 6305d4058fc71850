"""3301/3302 item mapping and 1316/1317, as a HIS calls them on its first day.

The own codes are this module's alone, so the scenario's later fee lines (sent with national codes)
are priced as before.
"""

from __future__ import annotations

from typing import Any

COVERED: set[str] = {"3301", "3302", "1316", "1317"}

PAGE = {"updt_time": "2026-01-01 00:00:00", "page_num": 1, "page_size": 100, "vali_flag": "1"}


def _mapping(own: str, name: str, list_type: str, code: str) -> dict[str, Any]:
    return {
        "fixmedins_hilist_id": own,
        "fixmedins_hilist_name": name,
        "list_type": list_type,
        "med_list_codg": code,
        "begndate": "2026-01-01",
        "enddate": "2026-12-31",
        "memo": "",
    }


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    s.step(
        "3301",
        {
            "data": [
                _mapping("DAY1-ZC001", "门诊诊查费(院内)", "201", "001102000010000"),
                _mapping("DAY1-YP001", "二甲双胍片0.25g(院内)", "101", "XA10BAA059A001010100001"),
            ]
        },
    )
    s.step("1317", {"data": {**PAGE, "medins_list_codg": "DAY1-ZC001"}})
    s.step("1316", {"data": {**PAGE, "hilist_code": "001102000010000"}})
    s.step(
        "3302",
        {
            "data": {
                "fixmedins_code": s.his.code,
                "fixmedins_hilist_id": "DAY1-YP001",
                "list_type": "101",
                "med_list_codg": "XA10BAA059A001010100001",
            }
        },
    )
