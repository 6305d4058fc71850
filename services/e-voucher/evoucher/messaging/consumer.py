"""Events from enrollment and settlement -> the local read models (idempotent, version-aware)."""

from __future__ import annotations

from typing import Any

from medshared.events import Event
from medshared.money import money
from medshared.outbox import stage
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from evoucher.db import outbox, person, person_enrollment, settlement, voucher
from evoucher.domain import vouchers
from evoucher.messaging.contracts import (
    ENROLLMENT_EVENTS,
    PERSON_EVENTS,
    TOPIC,
    voucher_event,
)


def handle(session: Session, event: Event) -> None:
    payload = event.payload
    if event.event_type in PERSON_EVENTS or event.event_type in ENROLLMENT_EVENTS:
        if isinstance(payload.get("person"), dict):
            _apply_person(session, payload["person"])
        if isinstance(payload.get("enrollment"), dict):
            _apply_enrollment(session, payload["enrollment"])
    elif event.event_type == "VisitSettled":
        _apply_settlement(session, payload["settlement"], original_setl_id=None)
    elif event.event_type == "SettlementReversed":
        _apply_settlement(session, payload["settlement"], original_setl_id=str(payload["original_setl_id"]))


def _apply_person(session: Session, data: dict[str, Any]) -> None:
    values = {
        "psn_cert_type": str(data.get("psn_cert_type") or "01"),
        "certno": str(data["certno"]),
        "psn_name": str(data["psn_name"]),
        "gend": data.get("gend"),
        "naty": data.get("naty"),
        "brdy": data.get("brdy"),
        "death_date": data.get("death_date"),
        "version": int(data["version"]),
    }
    current = session.execute(select(person.c.version).where(person.c.psn_no == data["psn_no"])).scalar()
    if current is None:
        session.execute(insert(person).values(psn_no=data["psn_no"], **values))
    elif values["version"] > current:
        session.execute(update(person).where(person.c.psn_no == data["psn_no"]).values(**values))
    else:
        return
    if values["death_date"]:
        _revoke_on_death(session, str(data["psn_no"]))


def _revoke_on_death(session: Session, psn_no: str) -> None:
    row = session.execute(select(voucher).where(voucher.c.active_psn_no == psn_no)).first()
    if row is None:
        return
    status, event_type = vouchers.transition(row.status, "revoke")
    session.execute(
        update(voucher)
        .where(voucher.c.voucher_id == row.voucher_id)
        .values(status=status, active_psn_no=None, active_openid=None, version=row.version + 1)
    )
    changed = session.execute(select(voucher).where(voucher.c.voucher_id == row.voucher_id)).one()
    stage(session, outbox, TOPIC, voucher_event(event_type, changed))


def _apply_enrollment(session: Session, data: dict[str, Any]) -> None:
    values = {
        "psn_no": str(data["psn_no"]),
        "insutype": str(data["insutype"]),
        "insuplc_admdvs": str(data["insuplc_admdvs"]),
        "status": str(data["status"]),
        "version": int(data["version"]),
    }
    key = str(data["enrollment_id"])
    current = session.execute(
        select(person_enrollment.c.version).where(person_enrollment.c.enrollment_id == key)
    ).scalar()
    if current is None:
        session.execute(insert(person_enrollment).values(enrollment_id=key, **values))
    elif values["version"] > current:
        session.execute(update(person_enrollment).where(person_enrollment.c.enrollment_id == key).values(**values))


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
