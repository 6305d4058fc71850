"""Applies enrollment, settlement and e-voucher events to the local read models.

Snapshots carry a version: a row is replaced only by a higher version, so a redelivered
or out-of-order event never rolls a person back. A death or a terminated enrollment revokes
the person's active filings in the same transaction, with their FilingRevoked events
(usecases/filings.lapse_filings).
Settlements have no version; they are keyed by setl_id and inserted once. A settlement whose
amounts exceed N(16,2) raises AmountOutOfBounds: the consumer sets it aside as a dead letter.
Voucher snapshots (evoucher.vouchers.v1) keep the phone sessions honest (api/auth.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from medshared.db import upsert_newer_many
from medshared.events import Event
from remote_care.db import clearing_item, enrollment, person, voucher
from remote_care.messaging.contracts import (
    PEOPLE_TOPIC,
    SETTLEMENTS_TOPIC,
    VOUCHERS_TOPIC,
    parse_date,
    settlement_item,
    voucher_row,
)
from remote_care.store import SqlStore
from remote_care.usecases import filings

SETTLEMENT_EVENTS = {"VisitSettled": False, "SettlementReversed": True}


def handle(session: Session, event: Event) -> None:
    handle_many(session, [("", event)])


def handle_many(session: Session, events: list[tuple[str, Event]]) -> None:
    """`handle` for a whole poll: one upsert per read-model table, the filings a death or a
    terminated enrollment lapses, then the settlements in order."""
    vouchers, people, enrollments, settlements = [], [], [], []
    for _, event in events:
        payload = event.payload
        if event.event_type in SETTLEMENT_EVENTS:
            settlements.append((payload, SETTLEMENT_EVENTS[event.event_type]))
        elif "voucher" in payload:
            vouchers.append(voucher_row(payload))
        else:
            if "person" in payload:
                people.append(_person_row(payload["person"]))
            if "enrollment" in payload:
                enrollments.append(_enrollment_row(payload["enrollment"]))
    upsert_newer_many(session, voucher, "voucher_id", vouchers)
    people_changed = upsert_newer_many(session, person, "psn_no", people)
    enrollments_changed = upsert_newer_many(session, enrollment, "enrollment_id", enrollments)
    store = SqlStore(session)
    for row in people_changed.values():
        if row["death_date"] is not None:
            filings.lapse_filings(store, row["psn_no"], None, row["death_date"] + dt.timedelta(days=1), "died")
    for row in enrollments_changed.values():
        if row["status"] == "terminated":
            left = row["enddate"] + dt.timedelta(days=1) if row["enddate"] else _terminated_from(row)
            filings.lapse_filings(store, row["psn_no"], row["insutype"], left, "enrollment terminated")
    for payload, reversal in settlements:
        _record_settlement(session, payload, reversal=reversal)


def _terminated_from(row: dict[str, Any]) -> dt.date:
    periods = [p for p in json.loads(row["periods"]) if p["status"] == "terminated"]
    return dt.date.fromisoformat(periods[-1]["begndate"]) if periods else row["begndate"]


def _person_row(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "psn_no": str(p["psn_no"]),
        "psn_name": str(p.get("psn_name") or ""),
        "certno": str(p.get("certno") or ""),
        "death_date": parse_date(p.get("death_date")),
        "version": int(p["version"]),
    }


def _enrollment_row(e: dict[str, Any]) -> dict[str, Any]:
    periods = [
        {"status": str(p["status"]), "begndate": str(p["begndate"]), "enddate": p.get("enddate")}
        for p in e.get("periods") or []
    ]
    return {
        "enrollment_id": str(e["enrollment_id"]),
        "psn_no": str(e["psn_no"]),
        "insutype": str(e["insutype"]),
        "insuplc_admdvs": str(e["insuplc_admdvs"]),
        "psn_type": str(e.get("psn_type") or ""),
        "begndate": parse_date(e["begndate"]),
        "enddate": parse_date(e.get("enddate")),
        "status": str(e["status"]),
        "periods": json.dumps(periods),
        "version": int(e["version"]),
    }


def _record_settlement(session: Session, payload: dict[str, Any], *, reversal: bool) -> None:
    item = settlement_item(payload, reversal=reversal)
    if item is None:
        return
    seen = session.execute(select(clearing_item.c.setl_id).where(clearing_item.c.setl_id == item.setl_id)).first()
    if seen is None:
        session.execute(insert(clearing_item).values(**asdict(item)))


TOPICS = [PEOPLE_TOPIC, SETTLEMENTS_TOPIC, VOUCHERS_TOPIC]
