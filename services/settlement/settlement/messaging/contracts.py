"""Payloads of settlement.settlements.v1 and readers of the events we consume (docs/events.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from medshared.events import Event
from medshared.money import money

SETTLEMENTS_TOPIC = "settlement.settlements.v1"
PEOPLE_TOPIC = "enrollment.people.v1"
FILINGS_TOPIC = "remote_care.filings.v1"
PRODUCER = "settlement"


def visit_settled(settlement: dict[str, Any]) -> Event:
    return Event("VisitSettled", settlement["psn_no"], {"settlement": settlement}, PRODUCER)


def settlement_reversed(reversal: dict[str, Any], original_setl_id: str) -> Event:
    return Event(
        "SettlementReversed",
        reversal["psn_no"],
        {"settlement": reversal, "original_setl_id": original_setl_id},
        PRODUCER,
    )


def cost_threshold_passed(psn_no: str, year: int, kind: str, threshold: Decimal, amount_after: Decimal) -> Event:
    return Event(
        "CostThresholdPassed",
        psn_no,
        {
            "psn_no": psn_no,
            "year": year,
            "kind": kind,
            "threshold": money(threshold),
            "amount_after": money(amount_after),
        },
        PRODUCER,
    )


def parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def parse_datetime(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    moment = dt.datetime.fromisoformat(str(value).replace(" ", "T"))
    return moment.replace(tzinfo=None)
