"""Events of enrollment and remote-care -> the read models settlement answers from.

Snapshots carry a version; a row is replaced only by a higher version, so redelivered
or reordered events never roll a person back. Account credits are ledger entries keyed
by credit_id, so a redelivery cannot credit twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from medshared import jsonutil
from medshared.events import Event, utcnow
from medshared.money import to_decimal
from settlement.db import account_entry, enrollment, filing, identity, person

from .contracts import parse_date, parse_datetime


def handle(session: Session, event: Event) -> None:
    payload = event.payload
    if "person" in payload:
        _upsert(session, person, "psn_no", _person(payload["person"]))
    if "enrollment" in payload:
        _upsert(session, enrollment, "enrollment_id", _enrollment(payload["enrollment"]))
    if "identity" in payload:
        _upsert(session, identity, "identity_id", _identity(payload["identity"]))
    if "filing" in payload:
        _upsert(session, filing, "filing_id", _filing(payload["filing"]))
    if event.event_type == "AccountCredited":
        _credit(session, payload["credit"])


def _upsert(session: Session, table: Table, key: str, row: dict[str, Any]) -> None:
    column = table.c[key]
    current = session.execute(select(table.c.version).where(column == row[key])).scalar()
    if current is None:
        session.execute(insert(table).values(**row))
    elif row["version"] > current:
        session.execute(update(table).where(column == row[key]).values(**row))


def _person(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "psn_no": p["psn_no"],
        "psn_cert_type": p["psn_cert_type"],
        "certno": p["certno"],
        "psn_name": p["psn_name"],
        "gend": p.get("gend"),
        "naty": p.get("naty"),
        "brdy": parse_date(p.get("brdy")),
        "death_date": parse_date(p.get("death_date")),
        "version": int(p["version"]),
    }


def _enrollment(e: dict[str, Any]) -> dict[str, Any]:
    periods = [
        {"status": x["status"], "begndate": x["begndate"], "enddate": x.get("enddate"), "reason": x.get("reason")}
        for x in e.get("periods") or []
    ]
    return {
        "enrollment_id": e["enrollment_id"],
        "psn_no": e["psn_no"],
        "insutype": e["insutype"],
        "insuplc_admdvs": e["insuplc_admdvs"],
        "psn_type": e["psn_type"],
        "emp_name": e.get("emp_name"),
        "cvlserv_flag": e.get("cvlserv_flag") or "0",
        "tier": e.get("tier"),
        "begndate": parse_date(e["begndate"]),
        "enddate": parse_date(e.get("enddate")),
        "status": e["status"],
        "periods": jsonutil.dumps(periods),
        "version": int(e["version"]),
    }


def _identity(i: dict[str, Any]) -> dict[str, Any]:
    return {
        "identity_id": i["identity_id"],
        "psn_no": i["psn_no"],
        "psn_idet_type": i["psn_idet_type"],
        "psn_type_lv": i.get("psn_type_lv"),
        "begntime": parse_datetime(i["begntime"]),
        "endtime": _end_of(i.get("endtime")),
        "memo": i.get("memo"),
        "revoked": bool(i.get("revoked")),
        "version": int(i["version"]),
    }


def _end_of(value: Any) -> dt.datetime | None:
    """An identity ending on a date (enrollment sends dates) covers that whole day."""
    moment = parse_datetime(value)
    if moment is not None and len(str(value)) == 10:
        return dt.datetime.combine(moment.date(), dt.time(23, 59, 59))
    return moment


def _filing(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "filing_id": f["filing_id"],
        "psn_no": f["psn_no"],
        "insuplc_admdvs": f["insuplc_admdvs"],
        "filing_type": f["filing_type"],
        "target_admdvs": f["target_admdvs"],
        "begndate": parse_date(f["begndate"]),
        "enddate": parse_date(f.get("enddate")),
        "status": f["status"],
        "trt_dcla_detl_sn": f.get("trt_dcla_detl_sn"),
        "version": int(f["version"]),
    }


def _credit(session: Session, c: dict[str, Any]) -> None:
    entry_id = f"credit:{c['credit_id']}"
    if session.execute(select(account_entry.c.entry_id).where(account_entry.c.entry_id == entry_id)).first():
        return
    session.execute(
        insert(account_entry).values(
            entry_id=entry_id,
            psn_no=c["psn_no"],
            insutype=c["insutype"],
            amount=to_decimal(c["amount"]),
            kind=c.get("kind") or "credit",
            memo=c.get("memo"),
            posted_at=utcnow(),
        )
    )
