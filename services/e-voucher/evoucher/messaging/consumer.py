"""Events from enrollment and settlement -> the local read models (idempotent, version-aware)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from evoucher.db import person, person_enrollment, settlement
from evoucher.messaging.contracts import ENROLLMENT_EVENTS, PERSON_EVENTS
from evoucher.store import SqlStore
from evoucher.usecases.vouchers import revoke_on_death
from medshared.db import upsert_newer_many
from medshared.events import Event
from medshared.money import money


def handle(session: Session, event: Event) -> None:
    handle_many(session, [("", event)])


def handle_many(session: Session, events: list[tuple[str, Event]]) -> None:
    """`handle` for a whole poll: one upsert per read-model table for the snapshots, then settlements in order."""
    people: list[dict[str, Any]] = []
    enrollments: list[dict[str, Any]] = []
    for _, event in events:
        payload = event.payload
        if event.event_type in PERSON_EVENTS or event.event_type in ENROLLMENT_EVENTS:
            if isinstance(payload.get("person"), dict):
                people.append(_person_row(payload["person"]))
            if isinstance(payload.get("enrollment"), dict):
                enrollments.append(_enrollment_row(payload["enrollment"]))
    changed = upsert_newer_many(session, person, "psn_no", people)
    upsert_newer_many(session, person_enrollment, "enrollment_id", enrollments)
    for psn_no, row in changed.items():
        if row["death_date"]:
            revoke_on_death(SqlStore(session), psn_no)
    for _, event in events:
        if event.event_type == "VisitSettled":
            _apply_settlement(session, event.payload["settlement"], original_setl_id=None)
        elif event.event_type == "SettlementReversed":
            payload = event.payload
            _apply_settlement(session, payload["settlement"], original_setl_id=str(payload["original_setl_id"]))


def _person_row(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "psn_no": str(data["psn_no"]),
        "psn_cert_type": str(data.get("psn_cert_type") or "01"),
        "certno": str(data["certno"]),
        "psn_name": str(data["psn_name"]),
        "gend": data.get("gend"),
        "naty": data.get("naty"),
        "brdy": data.get("brdy"),
        "death_date": data.get("death_date"),
        "version": int(data["version"]),
    }


def _enrollment_row(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "enrollment_id": str(data["enrollment_id"]),
        "psn_no": str(data["psn_no"]),
        "insutype": str(data["insutype"]),
        "insuplc_admdvs": str(data["insuplc_admdvs"]),
        "status": str(data["status"]),
        "version": int(data["version"]),
    }


def _apply_settlement(session: Session, data: dict[str, Any], original_setl_id: str | None) -> None:
    setl_id = str(data["setl_id"])
    if session.execute(select(settlement.c.setl_id).where(settlement.c.setl_id == setl_id)).first():
        return
    reversal_seen_first = session.execute(
        select(settlement.c.setl_id).where(settlement.c.original_setl_id == setl_id)
    ).first()
    session.execute(
        insert(settlement).values(
            setl_id=setl_id,
            psn_no=str(data["psn_no"]),
            fixmedins_code=str(data["fixmedins_code"]),
            insuplc_admdvs=str(data["insuplc_admdvs"]),
            mdtrt_cert_type=str(data.get("mdtrt_cert_type") or ""),
            med_type=data.get("med_type"),
            medfee_sumamt=money(data.get("medfee_sumamt", "0")),
            fund_pay_sumamt=money(data.get("fund_pay_sumamt", "0")),
            acct_pay=money(data.get("acct_pay", "0")),
            psn_cash_pay=money(data.get("psn_cash_pay", "0")),
            setl_time=data.get("setl_time"),
            original_setl_id=original_setl_id,
            reversed=bool(data.get("reversed", False)) or reversal_seen_first is not None,
        )
    )
    if original_setl_id:
        session.execute(update(settlement).where(settlement.c.setl_id == original_setl_id).values(reversed=True))
