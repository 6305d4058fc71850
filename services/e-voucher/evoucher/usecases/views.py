"""What the person reads in the app (where the voucher was used, their settlements) and the
figures the bureau reports per pool."""

from __future__ import annotations

from typing import Any

from evoucher.domain.figures import rate
from evoucher.domain.moments import utc

from .common import require_own_voucher
from .ports import Units


def my_usage(units: Units, openid: str) -> list[dict[str, Any]]:
    with units() as store:
        own = require_own_voucher(store, openid)
        rows = store.usage(own.psn_no)
    return [
        {
            "fixmedins_code": row.fixmedins_code,
            "fixmedins_name": row.fixmedins_name,
            "business_type": row.business_type,
            "office_name": row.office_name,
            "used_at": utc(row.created_at).isoformat(),
        }
        for row in rows
    ]


def my_settlements(units: Units, openid: str) -> list[dict[str, Any]]:
    with units() as store:
        own = require_own_voucher(store, openid)
        rows = store.settlements_of(own.psn_no)
    return [
        {
            "setl_id": row.setl_id,
            "fixmedins_code": row.fixmedins_code,
            "med_type": row.med_type,
            "setl_time": row.setl_time,
            "medfee_sumamt": str(row.medfee_sumamt),
            "fund_pay_sumamt": str(row.fund_pay_sumamt),
            "acct_pay": str(row.acct_pay),
            "psn_cash_pay": str(row.psn_cash_pay),
            "with_voucher": row.mdtrt_cert_type == "01",
            "reversed": row.reversed,
            "original_setl_id": row.original_setl_id,
        }
        for row in rows
    ]


def figures(units: Units) -> list[dict[str, Any]]:
    """Per pool: activated vouchers / enrolled people; voucher settlements / all settlements.

    Reversed settlements and the reversals themselves are left out of both counts.
    """
    with units() as store:
        counts = store.pool_counts()
    enrolled, activated = counts["enrolled"], counts["activated"]
    all_setl, with_voucher = counts["settlements"], counts["with_voucher"]
    pools = sorted(set(enrolled) | set(activated) | set(all_setl))
    return [
        {
            "insuplc_admdvs": pool,
            "enrolled_people": enrolled.get(pool, 0),
            "activated_vouchers": activated.get(pool, 0),
            "activation_rate": _text(rate(activated.get(pool, 0), enrolled.get(pool, 0))),
            "settlements": all_setl.get(pool, 0),
            "voucher_settlements": with_voucher.get(pool, 0),
            "settlement_use_rate": _text(rate(with_voucher.get(pool, 0), all_setl.get(pool, 0))),
        }
        for pool in pools
    ]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
