"""Applies enrollment, settlement and e-voucher events to the local read models.

Snapshots carry a version: a row is replaced only by a higher version, so a redelivered
or out-of-order event never rolls a person back. A death or a terminated enrollment revokes
the person's active filings in the same transaction, with their FilingRevoked events.
Settlements have no version; they are keyed by setl_id and inserted once. A settlement whose
amounts exceed N(16,2) raises AmountOutOfBounds: the consumer sets it aside as a dead letter.
Voucher snapshots (evoucher.vouchers.v1) keep the phone sessions honest (api/auth.py).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from medshared.events import Event, utcnow
from medshared.outbox import stage
from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from remote_care.db import clearing_item, enrollment, filing, outbox, person, voucher
from remote_care.domain.filings import ExistingFiling, FilingType, end_when_cover_lapses
from remote_care.messaging.contracts import (
    FILINGS_TOPIC,
    PEOPLE_TOPIC,
    PRODUCER,
    SETTLEMENTS_TOPIC,
    VOUCHERS_TOPIC,
    filing_snapshot,
    parse_date,
    settlement_item,
    voucher_row,
)

SETTLEMENT_EVENTS = {"VisitSettled": False, "SettlementReversed": True}


def handle(session: Session, event: Event) -> None:
    payload = event.payload
    if event.event_type in SETTLEMENT_EVENTS:
        _record_settlement(session, payload, reversal=SETTLEMENT_EVENTS[event.event_type])
        return
    if "voucher" in payload:
        _upsert(session, voucher, "voucher_id", voucher_row(payload))
        return
    if "person" in payload:
        row = _person_row(payload["person"])
        if _upsert(session, person, "psn_no", row) and row["death_date"] is not None:
            lapse_filings(session, row["psn_no"], None, row["death_date"] + dt.timedelta(days=1), "died")
    if "enrollment" in payload:
        row = _enrollment_row(payload["enrollment"])
        if _upsert(session, enrollment, "enrollment_id", row) and row["status"] == "terminated":
            left = row["enddate"] + dt.timedelta(days=1) if row["enddate"] else _terminated_from(row)
            lapse_filings(session, row["psn_no"], row["insutype"], left, "enrollment terminated")


def _upsert(session: Session, table: Table, key: str, row: dict[str, Any]) -> bool:
    """True when the snapshot was newer than what we hold and was applied."""
    current = session.execute(select(table.c.version).where(table.c[key] == row[key])).scalar_one_or_none()
    if current is None:
        session.execute(insert(table).values(**row))
        return True
    if row["version"] > current:
        session.execute(update(table).where(table.c[key] == row[key]).values(**row))
        return True
    return False


def _terminated_from(row: dict[str, Any]) -> dt.date:
    periods = [p for p in json.loads(row["periods"]) if p["status"] == "terminated"]
    return dt.date.fromisoformat(periods[-1]["begndate"]) if periods else row["begndate"]


def lapse_filings(session: Session, psn_no: str, insutype: str | None, lapse_day: dt.date, reason: str) -> None:
    """Revoke active filings whose holder died or left the pool, so settlement stops applying them."""
    query = select(filing).where(filing.c.psn_no == psn_no, filing.c.status == "active")
    if insutype is not None:
        query = query.where(filing.c.insutype == insutype)
    for row in session.execute(query).all():
        current = ExistingFiling(
            row.filing_id, FilingType(row.filing_type), row.target_admdvs, row.begndate, row.enddate, row.status
        )
        session.execute(
            update(filing)
            .where(filing.c.filing_id == row.filing_id)
            .values(
                status="revoked",
                enddate=end_when_cover_lapses(current, lapse_day),
                revoked_by="enrollment",
                memo=reason,
                updated_at=utcnow(),
                version=row.version + 1,
            )
        )
        updated = session.execute(select(filing).where(filing.c.filing_id == row.filing_id)).one()
        stage(
            session,
            outbox,
            FILINGS_TOPIC,
            Event("FilingRevoked", psn_no, {"filing": filing_snapshot(updated)}, PRODUCER),
        )


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
