"""2101-2103 pharmacy settlement, as a HIS or pharmacy calls them once bills exist.

The calls come from the demo pharmacy P54010000001 (拉萨市民生药房), signed in on its own: 王强 buys
metformin (trial, settlement, reversal). The spec lists no output of its own for 2101-2103; each
answers as 2206 / 2207 / 2208 do, which tests/compat/test_pharmacy_clients.py checks field by field.
"""

from __future__ import annotations

from typing import Any

from support import PEOPLE, WANGQIANG, His

COVERED: set[str] = {"2101", "2102", "2103"}
PHARMACY, POOL = "P54010000001", "540100"


def purchase(psn_no: str, **more: str) -> dict[str, Any]:
    p = PEOPLE[psn_no]
    drug = {"feedetl_sn": "1", "rxno": "", "rx_circ_flag": "0", "fee_ocur_time": "2026-11-24 10:00:00",
            "med_list_codg": "XA10BAA059A001010100001", "medins_list_codg": "YP0001", "det_item_fee_sumamt": "20.00",
            "cnt": "10", "pric": "2.00", "sin_dos_dscr": "", "used_frqu_dscr": "", "prd_days": "",
            "medc_way_dscr": "", "bilg_dr_codg": "", "bilg_dr_name": "", "tcmdrug_used_way": ""}  # fmt: skip
    info = {"psn_no": psn_no, "mdtrt_cert_type": "02", "mdtrt_cert_no": p["certno"],
            "begntime": "2026-11-24 10:00:00", "medfee_sumamt": "20.00", "insutype": p["insutype"], "dise_codg": "",
            "dise_name": "", "acct_used_flag": "1", "med_type": "41"}  # fmt: skip
    return {"druginfo": {**info, **more}, "drugdetail": [drug]}


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    hospital = s.his
    s.his = His(hospital.client, PHARMACY, POOL)
    try:
        s.his.sign_in()
        s.step("2101", purchase(WANGQIANG), insuplc=POOL)
        settled = s.step("2102", purchase(WANGQIANG, invono="FP0001"), insuplc=POOL)
        info = (settled or {}).get("setlinfo") or {}

        def reversal() -> dict[str, Any]:
            if not info:
                raise LookupError("2102 was refused")
            return {"data": {"setl_id": info["setl_id"], "mdtrt_id": info["mdtrt_id"], "psn_no": WANGQIANG}}

        s.step("2103", reversal, insuplc=POOL)
    finally:
        s.his = hospital
