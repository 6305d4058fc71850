"""Events of enrollment and remote-care -> the read models settlement answers from.

Snapshots carry a version; a row is replaced only by a higher version, so redelivered
or reordered events never roll a person back. Account credits are ledger entries keyed
by credit_id, so a redelivery cannot credit twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from medshared import jsonutil
from medshared.db import upsert_newer_many
from medshared.events import Event, utcnow
from medshared.money import to_decimal
from settlement.db import account_entry, enrollment, filing, identity, person

from .contracts import parse_date, parse_datetime


def handle(session: Session, event: Event) -> None:
    handle_many(session, [("", event)])


# Each snapshot a payload may carry: its key, its table, how an event's snapshot becomes a row.
_SNAPSHOTS = (
    ("person", person, "psn_no"),
    ("enrollment", enrollment, "enrollment_id"),
    ("identity", identity, "identity_id"),
    ("filing", filing, "filing_id"),
)


def handle_many(session: Session, events: list[tuple[str, Event]]) -> None:
    """`handle` for a whole poll: one upsert statement per read-model table, then the credits in order."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in _SNAPSHOTS}
    credits = []
    for _, event in events:
        for name, _, _ in _SNAPSHOTS:
            if name in event.payload:
                rows[name].append(_row(name, event.payload[name]))
        if event.event_type == "AccountCredited":
            credits.append(event.payload["credit"])
    for name, table, key in _SNAPSHOTS:
        upsert_newer_many(session, table, key, rows[name])
    for credit in credits:
        _credit(session, credit)


def _person(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "psn_no": snapshot["psn_no"],
        "psn_cert_type": snapshot["psn_cert_type"],
        "certno": snapshot["certno"],
        "psn_name": snapshot["psn_name"],
        "gend": snapshot.get("gend"),
        "naty": snapshot.get("naty"),
        "brdy": parse_date(snapshot.get("brdy")),
        "death_date": parse_date(snapshot.get("death_date")),
        "version": int(snapshot["version"]),
    }


def _enrollment(snapshot: dict[str, Any]) -> dict[str, Any]:
    periods = [
        {"status": x["status"], "begndate": x["begndate"], "enddate": x.get("enddate"), "reason": x.get("reason")}
        for x in snapshot.get("periods") or []
    ]
    return {
        "enrollment_id": snapshot["enrollment_id"],
        "psn_no": snapshot["psn_no"],
        "insutype": snapshot["insutype"],
        "insuplc_admdvs": snapshot["insuplc_admdvs"],
        "psn_type": snapshot["psn_type"],
        "emp_name": snapshot.get("emp_name"),
        "cvlserv_flag": snapshot.get("cvlserv_flag") or "0",
        "tier": snapshot.get("tier"),
        "begndate": parse_date(snapshot["begndate"]),
        "enddate": parse_date(snapshot.get("enddate")),
        "status": snapshot["status"],
        "periods": jsonutil.dumps(periods),
        "version": int(snapshot["version"]),
    }


def _identity(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "identity_id": snapshot["identity_id"],
        "psn_no": snapshot["psn_no"],
        "psn_idet_type": snapshot["psn_idet_type"],
        "psn_type_lv": snapshot.get("psn_type_lv"),
        "begntime": parse_datetime(snapshot["begntime"]),
        "endtime": _end_of(snapshot.get("endtime")),
        "memo": snapshot.get("memo"),
        "revoked": bool(snapshot.get("revoked")),
        "version": int(snapshot["version"]),
    }


def _end_of(value: Any) -> dt.datetime | None:
    """An identity ending on a date (enrollment sends dates) covers that whole day."""
    moment = parse_datetime(value)
    if moment is not None and len(str(value)) == 10:
        return dt.datetime.combine(moment.date(), dt.time(23, 59, 59))
    return moment


def _filing(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "filing_id": snapshot["filing_id"],
        "psn_no": snapshot["psn_no"],
        "insuplc_admdvs": snapshot["insuplc_admdvs"],
        "filing_type": snapshot["filing_type"],
        "target_admdvs": snapshot["target_admdvs"],
        "begndate": parse_date(snapshot["begndate"]),
        "enddate": parse_date(snapshot.get("enddate")),
        "status": snapshot["status"],
        "trt_dcla_detl_sn": snapshot.get("trt_dcla_detl_sn"),
        "version": int(snapshot["version"]),
    }


def _row(name: str, snapshot: dict[str, Any]) -> dict[str, Any]:
    if name == "person":
        return _person(snapshot)
    if name == "enrollment":
        return _enrollment(snapshot)
    if name == "identity":
        return _identity(snapshot)
    return _filing(snapshot)


def _credit(session: Session, credit: dict[str, Any]) -> None:
    entry_id = f"credit:{credit['credit_id']}"
    if session.execute(select(account_entry.c.entry_id).where(account_entry.c.entry_id == entry_id)).first():
        return
    session.execute(
        insert(account_entry).values(
            entry_id=entry_id,
            psn_no=credit["psn_no"],
            insutype=credit["insutype"],
            amount=to_decimal(credit["amount"]),
            kind=credit.get("kind") or "credit",
            memo=credit.get("memo"),
            posted_at=utcnow(),
        )
    )
