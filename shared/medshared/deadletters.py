"""Dead letters: the events a consumer set aside, for an operator to see and replay after a fix.

`install(app, operators, inbox, handle)` in a service's create_app, after `edge.install`:

- `GET  /admin/v1/dead-letters` lists them (pending by default, newest first),
  `GET  /admin/v1/dead-letters/{id}` shows one with the message as it was on the topic,
  `POST /admin/v1/dead-letters/{id}/replay` applies it through the consumer's handler in one
  transaction with its inbox row: 200 and `status: replayed`, or a 409 problem with the new
  error (the dead letter stays pending). Role `operations`; the audit role may read.
- `/readyz` stays 200 and reports `dead_letters: N` (pending): a set-aside event is work for
  an operator, not a reason to take the service out of the load balancer.
- `/metrics`: `events_dead_lettered_total{service,topic,event_type}` counts what this process
  set aside; `dead_letters{service}` is how many are pending in the database. The alert:
  `dead_letters > 0` (or `increase(events_dead_lettered_total[15m]) > 0`), page in office hours.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Path, Query, Request
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from pydantic import BaseModel, Field
from sqlalchemy import Table, func, select

from medshared.inbox import Handler, ReplayFailed, replay_dead_letter
from medshared.openapi import problem_responses
from medshared.outbox import DEAD_LETTER_PENDING, dead_letter_table
from medshared.problems import Problem
from medshared.runtime import Runtime
from medshared.security import Operator, OperatorGate, Role


class DeadLetter(BaseModel):
    """An event a consumer set aside after its last try."""

    dead_letter_id: int
    status: str = Field(description="pending or replayed")
    topic: str
    partition: int
    offset: int
    event_id: str | None = Field(description="None for a message that is not an event envelope")
    event_type: str
    key: str | None
    error_class: str
    error: str
    tries: int
    first_failed_at: str | None = Field(description="ISO 8601 (UTC)")
    last_failed_at: str | None = Field(description="ISO 8601 (UTC)")
    replayed_at: str | None = Field(description="ISO 8601 (UTC); None while pending")
    replayed_by: str | None


class DeadLetterWithMessage(DeadLetter):
    message: Any = Field(description="the message as it was on the topic: its JSON, or its text when unreadable")


_ID = Path(ge=1, le=2**62, description="dead_letter_id, from the list")


def install(app: FastAPI, operators: OperatorGate, inbox: Table, handle: Handler, prefix: str = "/admin/v1") -> None:
    """The operator API, the readiness count and the metrics of this service's dead letters."""
    runtime: Runtime = app.state.runtime
    table = dead_letter_table(inbox.metadata)
    runtime.dead_letters = table
    metrics = getattr(app.state, "metrics", None)
    if metrics is not None:
        metrics.registry.register(DeadLetterCollector(runtime, table))
    app.include_router(router(operators, inbox, handle, table, prefix))


def pending_count(runtime: Runtime, table: Table) -> int:
    with runtime.engine.connect() as conn:
        query = select(func.count()).select_from(table).where(table.c.status == DEAD_LETTER_PENDING)
        return int(conn.execute(query).scalar_one())


def _aware(moment: dt.datetime | None) -> str | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).isoformat()


def view(row: Any, *, with_message: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "dead_letter_id": row.dead_letter_id,
        "status": row.status,
        "topic": row.topic,
        "partition": row.kafka_partition,
        "offset": row.kafka_offset,
        "event_id": row.event_id,
        "event_type": row.event_type,
        "key": row.key,
        "error_class": row.error_class,
        "error": row.error,
        "tries": row.tries,
        "first_failed_at": _aware(row.first_failed_at),
        "last_failed_at": _aware(row.last_failed_at),
        "replayed_at": _aware(row.replayed_at),
        "replayed_by": row.replayed_by,
    }
    if with_message:
        try:
            out["message"] = json.loads(row.payload)
        except ValueError:
            out["message"] = row.payload  # an unreadable message, shown as it came
    return out


def router(
    operators: OperatorGate, inbox: Table, handle: Handler, table: Table, prefix: str = "/admin/v1"
) -> APIRouter:
    api = APIRouter(prefix=prefix, tags=["operations"], responses=problem_responses(401, 403, 422))
    # Dependencies as defaults, not Annotated aliases: the aliases would be local names, and
    # string annotations are resolved in this module's globals.
    acting = operators.require(Role.OPERATIONS)

    def found(request: Request, dead_letter_id: int) -> Any:
        with request.app.state.runtime.factory() as session:
            row = session.execute(select(table).where(table.c.dead_letter_id == dead_letter_id)).first()
        if row is None:
            raise Problem(
                404,
                "Not found",
                f"no dead letter {dead_letter_id}; list them with GET {prefix}/dead-letters",
                code="not_found",
            )
        return row

    @api.get("/dead-letters", response_model=list[DeadLetter])
    def list_dead_letters(
        request: Request,
        status: str = Query(
            DEAD_LETTER_PENDING, description="pending, replayed or all", pattern="^(pending|replayed|all)$"
        ),
        topic: str | None = Query(None, max_length=100),
        limit: int = Query(100, ge=1, le=1000),
        _: Operator = acting,
    ) -> list[dict[str, Any]]:
        """Events the consumers set aside, newest first, with their error and how often they were tried."""
        query = select(table).order_by(table.c.dead_letter_id.desc()).limit(limit)
        if status != "all":
            query = query.where(table.c.status == status)
        if topic:
            query = query.where(table.c.topic == topic)
        with request.app.state.runtime.factory() as session:
            return [view(r) for r in session.execute(query).all()]

    @api.get("/dead-letters/{dead_letter_id}", response_model=DeadLetterWithMessage, responses=problem_responses(404))
    def get_dead_letter(request: Request, dead_letter_id: int = _ID, _: Operator = acting) -> dict[str, Any]:
        """One dead letter with the message as it was on the topic."""
        return view(found(request, dead_letter_id), with_message=True)

    @api.post("/dead-letters/{dead_letter_id}/replay", response_model=DeadLetter, responses=problem_responses(404, 409))
    def replay(request: Request, dead_letter_id: int = _ID, operator: Operator = acting) -> dict[str, Any]:
        """Apply a dead letter again through the consumer's handler (after a fix); it stays set aside if it fails."""
        runtime: Runtime = request.app.state.runtime
        row = found(request, dead_letter_id)
        if row.status != DEAD_LETTER_PENDING:
            raise Problem(
                409,
                "Conflict",
                f"dead letter {dead_letter_id} was replayed at {_aware(row.replayed_at)} already",
                code="already_replayed",
            )
        try:
            replayed = replay_dead_letter(
                runtime.factory, inbox, table, handle, dead_letter_id, replayed_by=operator.operator
            )
        except ReplayFailed as failed:
            raise Problem(
                409,
                "Replay failed",
                f"dead letter {dead_letter_id} still cannot be applied ({failed}); it stays set aside: fix the cause and replay it again",
                code="replay_failed",
                dead_letter=view(failed.row),
            ) from None
        return view(replayed)

    return api


class DeadLetterCollector(Collector):
    """Read at scrape time: what the consumers set aside, and how many wait for an operator."""

    def __init__(self, runtime: Runtime, table: Table) -> None:
        self._runtime = runtime
        self._table = table

    def collect(self) -> Iterator[Any]:
        runtime = self._runtime
        total = CounterMetricFamily(
            "events_dead_lettered",
            "Events set aside after failed tries, by this process",
            labels=["service", "topic", "event_type"],
        )
        for consumer in runtime.consumers:
            for (topic, event_type), count in sorted(consumer.dead_lettered.items()):
                total.add_metric([runtime.service, topic, event_type], count)
        yield total
        try:
            pending = pending_count(runtime, self._table)
        except Exception:
            return
        gauge = GaugeMetricFamily("dead_letters", "Dead letters waiting for an operator (pending)", labels=["service"])
        gauge.add_metric([runtime.service], pending)
        yield gauge
