"""The event envelope every topic carries.

Topics are `<service>.<stream>.v<major>`; `event_type` is past tense (PersonEnrolled) and
`schema_version` lets a consumer refuse what it cannot read. Amounts inside payloads are
decimal strings so no consumer ever reads them through float.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from medshared import jsonutil


class UnreadableEvent(ValueError):
    """A message on a topic that is not one of our envelopes."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Event:
    event_type: str
    key: str
    payload: dict[str, Any]
    producer: str
    schema_version: int = 1
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: dt.datetime = field(default_factory=utcnow)

    def to_json(self) -> str:
        return jsonutil.dumps(
            {
                "event_id": self.event_id,
                "event_type": self.event_type,
                "schema_version": self.schema_version,
                "occurred_at": self.occurred_at.isoformat(),
                "producer": self.producer,
                "key": self.key,
                "payload": _stringify_decimals(self.payload),
            }
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        try:
            data = jsonutil.loads(raw)
            return cls(
                event_id=str(data["event_id"]),
                event_type=str(data["event_type"]),
                schema_version=int(data["schema_version"]),
                occurred_at=dt.datetime.fromisoformat(data["occurred_at"]),
                producer=str(data["producer"]),
                key=str(data["key"]),
                payload=dict(data["payload"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UnreadableEvent(f"not an event envelope: {exc}") from exc


def _stringify_decimals(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _stringify_decimals(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_stringify_decimals(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value
