"""Payloads of supervision.violations.v1: every change of a violation found at settlement (docs/events.md).

Each event carries the violation's full snapshot (`violation`, with a `version` that grows by one per
change) and is keyed by its jr_id, so one violation's story stays in order.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from medshared.events import Event
from medshared.jsonutil import loads
from medshared.money import money

SUPERVISION_TOPIC = "supervision.violations.v1"
PRODUCER = "settlement"

FOUND, CONFIRMED, DISMISSED = "ViolationFound", "ViolationConfirmed", "ViolationDismissed"
RECOVERED, EVIDENCE_SUBMITTED, WITHDRAWN = "ViolationRecovered", "ViolationEvidenceSubmitted", "ViolationWithdrawn"
EVENT_TYPES = (FOUND, CONFIRMED, DISMISSED, RECOVERED, EVIDENCE_SUBMITTED, WITHDRAWN)


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _when(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def violation_snapshot(row: Any) -> dict[str, Any]:
    """A violation as events and answers carry it."""
    keys = _get(row, "line_keys")
    return {
        "jr_id": _get(row, "jr_id"),
        "setl_id": _get(row, "setl_id"),
        "mdtrt_id": _get(row, "mdtrt_id"),
        "psn_no": _get(row, "psn_no"),
        "fixmedins_code": _get(row, "fixmedins_code"),
        "admdvs": _get(row, "admdvs"),
        "rule_set_version": _get(row, "rule_set_version"),
        "rule_id": _get(row, "rule_id"),
        "rule_name": _get(row, "rule_name"),
        "category": _get(row, "category"),
        "sev_deg": _get(row, "severity"),
        "action": _get(row, "action"),
        "vola_bhvr_type": _get(row, "vola_bhvr_type"),
        "vola_cont": _get(row, "vola_cont"),
        "vola_amt": money(_get(row, "vola_amt")),
        "line_keys": [str(k) for k in (loads(keys) if isinstance(keys, str) else keys)],
        "vola_evid": _get(row, "evidence"),
        "found_at": _when(_get(row, "found_at")),
        "month": _get(row, "month"),
        "status": _get(row, "status"),
        "recovered_amt": money(_get(row, "recovered_amt")),
        "reviewer": _get(row, "reviewer"),
        "reviewed_at": _when(_get(row, "reviewed_at")),
        "review_note": _get(row, "review_note"),
        "withdrawn_by": _get(row, "withdrawn_by"),
        "withdrawn_at": _when(_get(row, "withdrawn_at")),
        "version": _get(row, "version"),
    }


def _event(event_type: str, row: Any, **extra: Any) -> Event:
    return Event(event_type, str(_get(row, "jr_id")), {"violation": violation_snapshot(row), **extra}, PRODUCER)


def violation_found(row: Any) -> Event:
    """A final settlement found it (stored open)."""
    return _event(FOUND, row)


def violation_reviewed(row: Any) -> Event:
    """A reviewer confirmed or dismissed it: the event type follows its new status."""
    return _event(CONFIRMED if _get(row, "status") == "confirmed" else DISMISSED, row)


def violation_recovered(row: Any, amount: Decimal, *, by: str, at: dt.datetime) -> Event:
    """Money recovered from the institution (追回): this step's amount; the snapshot holds the total."""
    return _event(RECOVERED, row, recovery={"amount": money(amount), "by": by, "at": at.isoformat()})


def evidence_submitted(row: Any, evidence: Any) -> Event:
    """The institution answered (疑点举证)."""
    return _event(
        EVIDENCE_SUBMITTED,
        row,
        evidence={
            "evidence_id": _get(evidence, "id"),
            "text": _get(evidence, "text"),
            "submitted_by": _get(evidence, "submitted_by"),
            "submitted_at": _get(evidence, "submitted_at").isoformat(),
        },
    )


def violation_withdrawn(row: Any) -> Event:
    """Its settlement was reversed while it was open: withdrawn_by names the reversal."""
    return _event(WITHDRAWN, row)
