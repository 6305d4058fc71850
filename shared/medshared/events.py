"""The event envelope every topic carries.

Topics are `<service>.<stream>.v<major>`; `event_type` is past tense (PersonEnrolled) and
`schema_version` lets a consumer refuse what it cannot read. Amounts inside payloads are
decimal strings so no consumer ever reads them through float.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
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

    def envelope(self) -> dict[str, Any]:
        """The envelope as a dict, payload as given (`to_json` writes its decimals and dates as text)."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "occurred_at": self.occurred_at,
            "producer": self.producer,
            "key": self.key,
            "payload": self.payload,
        }

    def to_json(self) -> str:
        return jsonutil.dumps_text_amounts(self.envelope())

    @classmethod
    def from_json(cls, raw: str | bytes) -> Event:
        try:
            data = jsonutil.loads(raw)
        except ValueError as exc:
            raise UnreadableEvent(f"not an event envelope: {exc}") from exc
        return cls.from_envelope(data)

    @classmethod
    def from_envelope(cls, data: Any) -> Event:
        """An event from its envelope as read from JSON (or as `envelope` gave it)."""
        try:
            occurred_at = data["occurred_at"]
            return cls(
                event_id=str(data["event_id"]),
                event_type=str(data["event_type"]),
                schema_version=int(data["schema_version"]),
                occurred_at=occurred_at
                if isinstance(occurred_at, dt.datetime)
                else dt.datetime.fromisoformat(occurred_at),
                producer=str(data["producer"]),
                key=str(data["key"]),
                payload=dict(data["payload"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise UnreadableEvent(f"not an event envelope: {exc}") from exc


# A bulk change (the yearly resident import) travels as batches: one message carrying many events,
# each exactly the envelope it would have travelling alone, in the order they were staged. Per
# message, the producer's relay, the broker and every consumer (its fetch, its parse, its inbox row)
# do their work once for the whole batch instead of once per event. Snapshots carry versions, so a
# batch, keyed by its own id, and a person's later events keyed by psn_no may arrive in either order.
BATCH = "EventBatch"
BATCH_SIZE = 100  # events per batch: an import's are about 1 KB each, so a batch stays far below 1 MB


def batched(
    events: Sequence[Event], producer: str, *, size: int = BATCH_SIZE, new_id: Callable[[], str] | None = None
) -> list[Event]:
    """`events` as batches of up to `size`, in order; a lone event (or a last one left over) travels as itself."""
    out: list[Event] = []
    for start in range(0, len(events), size):
        group = events[start : start + size]
        if len(group) == 1:
            out.append(group[0])
            continue
        event_id = new_id() if new_id else str(uuid.uuid4())
        payload = {"events": [e.envelope() for e in group]}
        out.append(Event(event_type=BATCH, key=event_id, payload=payload, producer=producer, event_id=event_id))
    return out


def unbatched(event: Event) -> list[Event]:
    """The events a message carries: a batch's, in order; any other event is itself.

    A batch that is not a list of envelopes raises UnreadableEvent."""
    if event.event_type != BATCH:
        return [event]
    inner = event.payload.get("events")
    if not isinstance(inner, list) or not inner:
        raise UnreadableEvent(f"batch {event.event_id} carries no list of events")
    events = [Event.from_envelope(item) for item in inner]
    if any(e.event_type == BATCH for e in events):
        raise UnreadableEvent(f"batch {event.event_id} carries a batch; batches do not nest")
    return events
