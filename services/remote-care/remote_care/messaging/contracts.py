"""Payloads we publish and the parts of other services' payloads we read (docs/events.md)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from medshared.money import to_decimal
from remote_care.domain.clearing import fen, scope, yuan

FILINGS_TOPIC = "remote_care.filings.v1"
CLEARING_TOPIC = "remote_care.clearing.v1"
PEOPLE_TOPIC = "enrollment.people.v1"
SETTLEMENTS_TOPIC = "settlement.settlements.v1"
VOUCHERS_TOPIC = "evoucher.vouchers.v1"
PRODUCER = "remote-care"
OUT_OF_AREA_PAY_LOC = frozenset({"3", "4"})
# The national N(16,2): 14 digits before the point. Clearing keeps fen in BIGINT, which holds
# this bound (and the sums of a month's lines) with room to spare; 1e20 would not fit.
LARGEST_AMOUNT = Decimal("99999999999999.99")


class AmountOutOfBounds(ValueError):
    """A settlement amount the national interface cannot carry; the event is set aside, never stored."""


def filing_snapshot(row: Any) -> dict[str, Any]:
    return {
        "filing_id": row.filing_id,
        "psn_no": row.psn_no,
        "insutype": row.insutype,
        "insuplc_admdvs": row.insuplc_admdvs,
        "filing_type": row.filing_type,
        "target_admdvs": row.target_admdvs,
        "begndate": row.begndate.isoformat(),
        "enddate": row.enddate.isoformat() if row.enddate else None,
        "status": row.status,
        "channel": row.channel,
        "trt_dcla_detl_sn": row.trt_dcla_detl_sn,
        "version": row.version,
    }


def amounts(setl_cnt: int, medfee_fen: int, fund_fen: int, acct_fen: int) -> dict[str, Any]:
    """Counts and amounts of a statement or of one clr_type; owed_amt is what the insured side pays back."""
    return {
        "setl_cnt": setl_cnt,
        "medfee_sumamt": yuan(medfee_fen),
        "fund_pay_sumamt": yuan(fund_fen),
        "acct_pay": yuan(acct_fen),
        "owed_amt": yuan(fund_fen + acct_fen),
    }


def statement_snapshot(row: Any) -> dict[str, Any]:
    by_clr_type = {
        clr_type: amounts(v["setl_cnt"], v["medfee_fen"], v["fund_fen"], v["acct_fen"])
        for clr_type, v in sorted(json.loads(row.by_clr_type).items())
    }
    return {
        "statement_id": row.statement_id,
        "period": row.period,
        "insured_admdvs": row.insured_admdvs,
        "treating_admdvs": row.treating_admdvs,
        "scope": scope(row.insured_admdvs, row.treating_admdvs),
        **amounts(row.setl_cnt, row.medfee_fen, row.fund_fen, row.acct_fen),
        "by_fund": {"fund_pay_sumamt": yuan(row.fund_fen), "acct_pay": yuan(row.acct_fen)},
        "by_clr_type": by_clr_type,
        "status": row.status,
        "revision": row.revision,
        "dispute_reason": row.dispute_reason,
        "version": row.version,
    }


def parse_date(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


@dataclass(frozen=True)
class SettlementItem:
    """One out-of-area settlement or reversal, in fen."""

    setl_id: str
    line_setl_id: str
    period: str
    insuplc_admdvs: str
    mdtrtarea_admvs: str
    pay_loc: str
    clr_type: str
    psn_no: str
    certno: str
    mdtrt_id: str
    fixmedins_code: str
    setl_time: dt.datetime
    setl_cnt: int
    medfee_fen: int
    fund_fen: int
    acct_fen: int


def settlement_item(payload: dict[str, Any], *, reversal: bool) -> SettlementItem | None:
    """The clearing view of a settlement event; None when it was settled locally (pay_loc 1/2)."""
    s = payload["settlement"]
    if str(s.get("pay_loc")) not in OUT_OF_AREA_PAY_LOC:
        return None
    setl_time = dt.datetime.fromisoformat(str(s["setl_time"]))
    if setl_time.tzinfo is not None:
        setl_time = setl_time.replace(tzinfo=None)
    return SettlementItem(
        setl_id=str(s["setl_id"]),
        line_setl_id=str(payload["original_setl_id"]) if reversal else str(s["setl_id"]),
        period=setl_time.strftime("%Y-%m"),
        insuplc_admdvs=str(s["insuplc_admdvs"]),
        mdtrtarea_admvs=str(s["mdtrtarea_admvs"]),
        pay_loc=str(s["pay_loc"]),
        clr_type=str(s.get("clr_type") or ""),
        psn_no=str(s["psn_no"]),
        certno=str(s.get("certno") or ""),
        mdtrt_id=str(s.get("mdtrt_id") or ""),
        fixmedins_code=str(s.get("fixmedins_code") or ""),
        setl_time=setl_time,
        setl_cnt=-1 if reversal else 1,
        medfee_fen=fen(_amount(s, "medfee_sumamt")),
        fund_fen=fen(_amount(s, "fund_pay_sumamt")),
        acct_fen=fen(_amount(s, "acct_pay")),
    )


def _amount(s: dict[str, Any], name: str) -> Decimal:
    value = s.get(name)
    amount = to_decimal(value) if value is not None else Decimal("0")
    if abs(amount) > LARGEST_AMOUNT:
        raise AmountOutOfBounds(
            f"settlement {s.get('setl_id')}: {name} {value} is beyond N(16,2) (at most {LARGEST_AMOUNT}); "
            "it cannot be cleared"
        )
    return amount


def voucher_row(payload: dict[str, Any]) -> dict[str, Any]:
    """What remote-care keeps of an evoucher.vouchers.v1 snapshot: whose, which state, since when bound."""
    v = payload["voucher"]
    activated_at = dt.datetime.fromisoformat(str(v["activated_at"]))
    return {
        "voucher_id": str(v["voucher_id"]),
        "psn_no": str(v["psn_no"]),
        "status": str(v["status"]),
        "activated_at": activated_at if activated_at.tzinfo else activated_at.replace(tzinfo=dt.UTC),
        "version": int(v["version"]),
    }
