"""What a service's lifespan starts and stops: engine, outbox relay, consumers."""

from __future__ import annotations

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
from medshared.settings import ServiceSettings


@dataclass
class Runtime:
    service: str
    engine: Engine
    factory: sessionmaker[Session]
    relay: OutboxRelay | None = None
    consumers: list[InboxConsumer] = field(default_factory=list)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """Commit on success, roll back on error, then nudge the relay."""
        session = self.factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
        if self.relay is not None:
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
    runtime = Runtime(service=service, engine=engine, factory=factory)
    bootstrap = settings.kafka_bootstrap_servers
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
        """Readiness: the database answers."""
        runtime = get_runtime()
        with runtime.engine.connect() as conn:
            conn.execute(text("select 1"))
        return {"status": "ready", "service": runtime.service}

    return router


def attach(app: FastAPI, runtime: Runtime) -> None:
    app.state.runtime = runtime
