"""A payment order as the HIS and the person read it: the record, its snapshot, its callback's state."""

from __future__ import annotations

from typing import Any

from evoucher.domain import orders as rules
from evoucher.domain.errors import NotFound
from evoucher.domain.moments import utc
from medshared.national import INF_TIME_FORMAT

from .ports import Store


def callback_view(row: Any) -> dict[str, Any]:
    """Where the callback for the order's current status stands: none | pending | delivered | failed."""
    if row.status not in rules.FINAL:
        state = "none"
    elif row.notified_status == row.status:
        state = "delivered"
    elif row.callback_failed_status == row.status:
        state = "failed"
    else:
        state = "pending"
    return {"callbackStas": state, "callbackAttempts": row.callback_attempts}


def find_order(store: Store, pay_ord_id: str) -> Any:
    row = store.order(pay_ord_id)
    if row is None:
        raise NotFound("no_order", f"no order {pay_ord_id}; check payOrdId from 6201")
    return row


def snapshot(row: Any) -> dict[str, Any]:
    code, name = rules.ORD_STAS[row.status]
    return {
        "payOrdId": row.pay_ord_id,
        "medOrgOrd": row.med_org_ord,
        "ordStas": code,
        "ordStasName": name,
        "feeSumamt": row.medfee_sumamt,
        "ownPayAmt": row.psn_cash_pay,
        "psnAcctPay": row.acct_pay,
        "fundPay": row.fund_pay_sumamt,
        "mdtrtId": row.mdtrt_id,
        "setlId": row.setl_id,
        "failReason": row.fail_reason,
        "traceTime": utc(row.updated_at).strftime(INF_TIME_FORMAT),
    }
