"""Payloads of evoucher.vouchers.v1, and readers for the events this service consumes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from medshared.events import Event

TOPIC = "evoucher.vouchers.v1"
PEOPLE_TOPIC = "enrollment.people.v1"
SETTLEMENTS_TOPIC = "settlement.settlements.v1"
PRODUCER = "e-voucher"

PERSON_EVENTS = {"PersonRegistered", "PersonUpdated", "PersonDied"}
ENROLLMENT_EVENTS = {
    "PersonEnrolled",
    "EnrollmentSuspended",
    "EnrollmentResumed",
    "EnrollmentTerminated",
    "PersonRetired",
    "EnrollmentTransferredOut",
    "EnrollmentTransferredIn",
}


def voucher_payload(row: Any) -> dict[str, Any]:
    return {
        "voucher": {
            "voucher_id": row.voucher_id,
            "psn_no": row.psn_no,
            "insuplc_admdvs": row.insuplc_admdvs,
            "status": row.status,
            "activated_at": _iso(row.activated_at),
            "version": row.version,
        }
    }


def voucher_event(event_type: str, row: Any, **extra: str) -> Event:
    """extra: why, when it is not the holder's own command (a reclaim: reason, replaced_by, reclaimed_from)."""
    return Event(event_type=event_type, key=row.psn_no, payload={**voucher_payload(row), **extra}, producer=PRODUCER)


def voucher_used_event(voucher: Any, fixmedins_code: str, used_at: dt.datetime) -> Event:
    return Event(
        event_type="VoucherUsed",
        key=voucher.psn_no,
        payload={
            "voucher_id": voucher.voucher_id,
            "psn_no": voucher.psn_no,
            "insuplc_admdvs": voucher.insuplc_admdvs,
            "fixmedins_code": fixmedins_code,
            "used_at": _iso(used_at),
        },
        producer=PRODUCER,
    )


def _iso(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.isoformat()
