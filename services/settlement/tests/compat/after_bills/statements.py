"""3202-3204 reconciliation and clearing applications, as a HIS or pharmacy calls them once bills exist."""

from __future__ import annotations

import base64
import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

from support import CLEARING

COVERED: set[str] = {"3202", "3203", "3204"}
POOL = "540100"


def _detail_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("detail.txt", f"{POOL}0000000000000000000001\t{POOL}0000000000000000000001\t54010000000000000001"
                                       "\t15.00\t3.00\t0.00\t0\n")  # fmt: skip
    return buffer.getvalue()


def run(s: Any) -> None:
    """Call each infno of COVERED once, successfully, through s.step(infno, input)."""
    today = dt.date.today()
    node = {"in": base64.b64encode(_detail_zip()).decode(), "filename": "detail.zip", "fixmedins_code": s.his.code}
    uploaded = s.his.call("9101", {"fsUploadIn": node})
    file_qury_no = (uploaded.get("output") or {}).get("file_qury_no", "")
    s.step("3202", {"data": {"setl_optins": POOL, "file_qury_no": file_qury_no, "stmt_begndate": f"{today}",
                             "stmt_enddate": f"{today}", "medfee_sumamt": Decimal("15.00"),
                             "fund_pay_sumamt": Decimal("3.00"), "cash_payamt": Decimal("12.00"),
                             "fixmedins_setl_cnt": 1}})  # fmt: skip

    # Last month's statement, issued by the bureau; the scenario's visits are this month's, so it is a
    # nil statement and the application a nil one.
    last = today.replace(day=1) - dt.timedelta(days=1)
    s.his.client.post(
        "/admin/v1/statements", json={"fixmedins_code": s.his.code, "month": f"{last:%Y-%m}"}, headers=CLEARING
    )
    zero = Decimal("0.00")
    applied = s.step("3203", {"data": {"clr_type": "11", "clr_way": "1", "setlym": f"{last:%Y%m}", "psntime": 0,
                                       "medfee_sumamt": zero, "med_sumfee": zero, "fund_appy_sum": zero,
                                       "cash_payamt": zero, "acct_pay": zero, "begndate": f"{last:%Y-%m}-01",
                                       "enddate": f"{last}"}})  # fmt: skip

    def revoke() -> dict[str, Any]:
        if applied is None:
            raise LookupError("3203 was refused")
        return {"data": {"clr_appy_evt_id": applied["clr_appy_evt_id"]}}

    s.step("3204", revoke)
