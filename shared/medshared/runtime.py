"""What a service's lifespan starts and stops: engine, outbox relay, consumers."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI
from sqlalchemy import Table, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from medshared.db import make_engine, make_session_factory
from medshared.events import Event
from medshared.outbox import InboxConsumer, OutboxRelay
from medshared.problems import Problem
from medshared.settings import ServiceSettings


@dataclass
class Runtime:
    service: str
    engine: Engine
    factory: sessionmaker[Session]
    relay: OutboxRelay | None = None
    consumers: list[InboxConsumer] = field(default_factory=list)
    outbox: Table | None = None
    bootstrap: str = ""

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Commit on success, roll back on error, then nudge the relay if events were staged."""
        session = self.factory()
        try:
            yield session
            staged = session.info.pop("staged_events", False)
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.info.pop("staged_events", None)
            session.close()
        if staged and self.relay is not None:
            self.relay.wake()

    def start(self) -> None:
        if self.relay is not None:
            self.relay.start()
        for consumer in self.consumers:
            consumer.start()

    def stop(self) -> None:
        for consumer in self.consumers:
            consumer.stop()
        if self.relay is not None:
            self.relay.stop()
        self.engine.dispose()


def build_runtime(
    settings: ServiceSettings,
    *,
    service: str,
    outbox: Table,
    publishes: list[str],
    inbox: Table | None = None,
    consumes: list[str] | None = None,
    handle: Callable[[Session, Event], None] | None = None,
    engine: Engine | None = None,
) -> Runtime:
    engine = engine or make_engine(settings.database_url)
    factory = make_session_factory(engine)
    bootstrap = settings.kafka_bootstrap_servers
    runtime = Runtime(service=service, engine=engine, factory=factory, outbox=outbox, bootstrap=bootstrap)
    if bootstrap and settings.relay_enabled:
        runtime.relay = OutboxRelay(factory, outbox, bootstrap, publishes)
    if bootstrap and settings.consumers_enabled and consumes and inbox is not None and handle is not None:
        runtime.consumers.append(InboxConsumer(factory, inbox, bootstrap, consumes, f"{service}-consumer", handle))
    return runtime


def health_router(get_runtime: Callable[[], Runtime]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok", "service": get_runtime().service}

    @router.get("/readyz")
    def readyz() -> dict[str, str]:
        """Readiness: the database answers and the broker accepts connections (503 otherwise)."""
        runtime = get_runtime()
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("select 1"))
        except Exception:  # noqa: BLE001 - any failure here means "not ready", never a 500
            raise Problem(503, "Not ready", "the database is unreachable", code="database_unreachable") from None
        if runtime.bootstrap and not broker_reachable(runtime.bootstrap):
            raise Problem(503, "Not ready", f"the broker at {runtime.bootstrap} is unreachable", code="broker_unreachable")
        broker_state = "ok" if runtime.bootstrap else "not configured"
        return {"status": "ready", "service": runtime.service, "database": "ok", "broker": broker_state}

    return router


def broker_reachable(bootstrap: str, timeout: float = 0.5) -> bool:
    """True when any bootstrap server accepts a TCP connection: enough to know the relay can resume."""
    for server in bootstrap.split(","):
        host, _, port = server.strip().rpartition(":")
        try:
            with socket.create_connection((host or "localhost", int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


def attach(app: FastAPI, runtime: Runtime) -> None:
    app.state.runtime = runtime
