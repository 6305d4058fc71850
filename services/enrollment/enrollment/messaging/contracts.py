"""Payloads of enrollment.people.v1 (docs/events.md), built from domain snapshots."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from enrollment.domain.ids import new_id
from medshared import jsonutil
from medshared.events import Event

TOPIC = "enrollment.people.v1"
PRODUCER = "enrollment"


def _event(event_type: str, psn_no: str, payload: dict[str, Any]) -> Event:
    return Event(
        event_type=event_type,
        key=psn_no,
        payload=payload,
        producer=PRODUCER,
        event_id=new_id(),
    )


def person_event(event_type: str, person: dict[str, Any]) -> Event:
    return _event(event_type, str(person["psn_no"]), {"person": person})


def enrollment_event(event_type: str, person: dict[str, Any], enrollment: dict[str, Any]) -> Event:
    return _event(event_type, str(person["psn_no"]), {"person": person, "enrollment": enrollment})


def identity_event(event_type: str, identity: dict[str, Any]) -> Event:
    return _event(event_type, str(identity["psn_no"]), {"identity": identity})


def credit_event(credit: dict[str, Any]) -> Event:
    return _event("AccountCredited", str(credit["psn_no"]), {"credit": credit})


def contribution_event(contribution: dict[str, Any]) -> Event:
    return _event("ContributionPaid", str(contribution["psn_no"]), {"contribution": contribution})


_AS_IS = (str, int, bool, type(None))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v if isinstance(v, _AS_IS) else _plain(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [v if isinstance(v, _AS_IS) else _plain(v) for v in value]
    return value


def body(event: Event) -> str:
    """Event.to_json, written for the bulk import's hot path: identical text, a third of the time.

    The payloads here are shallow (strings, dates, one list of periods), so testing for
    the common case first saves most of the generic walk's calls.
    """
    return jsonutil.dumps(
        {
            "event_id": event.event_id,
            "event_type": event.event_type,
            "schema_version": event.schema_version,
            "occurred_at": event.occurred_at.isoformat(),
            "producer": event.producer,
            "key": event.key,
            "payload": _plain(event.payload),
        }
    )
