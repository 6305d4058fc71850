"""What a service's lifespan starts and stops: engine, outbox relay, consumers."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # not on Windows: there each worker runs its own relay and consumers
    fcntl = None  # type: ignore[assignment]

import anyio
import anyio.to_thread
from fastapi import APIRouter, FastAPI
from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from medshared.db import make_engine, make_session_factory
from medshared.events import Event
from medshared.inbox import BatchHandler, InboxConsumer
from medshared.openapi import PUBLIC, problem_responses
from medshared.outbox import DEAD_LETTER_PENDING, OutboxRelay
from medshared.problems import Problem
from medshared.settings import ServiceSettings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    service: str
    engine: Engine
    factory: sessionmaker[Session]
    relay: OutboxRelay | None = None
    consumers: list[InboxConsumer] = field(default_factory=list)
    outbox: Table | None = None
    bootstrap: str = ""
    # Set by medshared.deadletters.install: readiness reports how many wait for an operator.
    dead_letters: Table | None = None
    request_threads: int = 40  # ServiceSettings.request_threads

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

    lease: BackgroundLease | None = None

    def start(self) -> None:
        """Size the request threads; start the relay and the consumers, in one worker only when
        uvicorn runs several. The lifespan calls it on the event loop; elsewhere there is no
        request thread to size."""
        with contextlib.suppress(anyio.NoEventLoopError):
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.request_threads
        if self.relay is None and not self.consumers:
            return
        self.lease = BackgroundLease.for_worker(self.service, str(self.engine.url))
        if self.lease is None:
            self._start_background()
        else:
            self.lease.when_held(self._start_background)

    def _start_background(self) -> None:
        if self.relay is not None:
            self.relay.start()
        for consumer in self.consumers:
            consumer.start()

    def stop(self) -> None:
        if self.lease is not None:
            self.lease.release()
        for consumer in self.consumers:
            consumer.stop()
        if self.relay is not None:
            self.relay.stop()
        self.engine.dispose()


class BackgroundLease:
    """Which of uvicorn's worker processes runs the relay and the consumers.

    `uvicorn --workers N` starts N copies of the app; N relays would be safe on PostgreSQL, but
    N consumers would each apply every event (the inbox absorbs the repeats, at N times the
    cost). The workers of one server take an exclusive lock on a file named after the server
    process, the service and its database: the holder runs the background work, the others
    wait for the lock and take over if the holder dies. A single process needs no lease.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._file: IO[bytes] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_worker(cls, service: str, database: str) -> BackgroundLease | None:
        parent = multiprocessing.parent_process()
        if parent is None or fcntl is None:
            return None
        digest = hashlib.sha256(f"{parent.pid}|{service}|{database}".encode()).hexdigest()[:16]
        return cls(Path(tempfile.gettempdir()) / f"medins-{service}-{digest}.lock")

    def try_acquire(self) -> bool:
        handle = open(self._path, "ab")  # noqa: SIM115 - held for the life of the lease
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._file = handle
        return True

    def when_held(self, start: Callable[[], None], retry_seconds: float = 2.0) -> None:
        """Run `start` now if the lock is free, otherwise as soon as it becomes free."""
        if self.try_acquire():
            start()
            return

        def wait() -> None:
            while not self._stop.wait(retry_seconds):
                if self.try_acquire():
                    log.info("this worker now runs the relay and the consumers")
                    start()
                    return

        self._thread = threading.Thread(target=wait, name="background-lease", daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._file is not None:
            self._file.close()  # closing the file releases the lock
            self._file = None


def build_runtime(
    settings: ServiceSettings,
    *,
    service: str,
    outbox: Table,
    publishes: list[str],
    inbox: Table | None = None,
    consumes: list[str] | None = None,
    handle: Callable[[Session, Event], None] | None = None,
    handle_many: BatchHandler | None = None,
    engine: Engine | None = None,
) -> Runtime:
    engine = engine or make_engine(settings.database_url)
    factory = make_session_factory(engine)
    bootstrap = settings.kafka_bootstrap_servers
    runtime = Runtime(
        service=service,
        engine=engine,
        factory=factory,
        outbox=outbox,
        bootstrap=bootstrap,
        request_threads=settings.request_threads,
    )
    if bootstrap and settings.relay_enabled:
        runtime.relay = OutboxRelay(factory, outbox, bootstrap, publishes)
    if bootstrap and settings.consumers_enabled and consumes and inbox is not None and handle is not None:
        runtime.consumers.append(
            InboxConsumer(
                factory,
                inbox,
                bootstrap,
                consumes,
                f"{service}-consumer",
                handle,
                max_tries=settings.consumer_max_tries,
                handle_many=handle_many,
            )
        )
    return runtime


def health_router(get_runtime: Callable[[], Runtime]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", openapi_extra=PUBLIC)
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers (on the event loop: busy request threads never delay it)."""
        return {"status": "ok", "service": get_runtime().service}

    @router.get("/readyz", openapi_extra=PUBLIC, responses=problem_responses(503))
    def readyz() -> dict[str, str | int]:
        """Readiness: the database answers and the broker accepts connections (503 otherwise); pending dead letters."""
        runtime = get_runtime()
        try:
            with runtime.engine.connect() as conn:
                conn.execute(text("select 1"))
        except Exception:
            raise Problem(503, "Not ready", "the database is unreachable", code="database_unreachable") from None
        if runtime.bootstrap and not broker_reachable(runtime.bootstrap):
            raise Problem(
                503, "Not ready", f"the broker at {runtime.bootstrap} is unreachable", code="broker_unreachable"
            )
        broker_state = "ok" if runtime.bootstrap else "not configured"
        ready: dict[str, str | int] = {
            "status": "ready",
            "service": runtime.service,
            "database": "ok",
            "broker": broker_state,
        }
        if runtime.dead_letters is not None:
            # Still ready: the service answers; the count (and the dead_letters metric) calls an operator.
            table = runtime.dead_letters
            try:
                with runtime.engine.connect() as conn:
                    query = select(func.count()).select_from(table).where(table.c.status == DEAD_LETTER_PENDING)
                    ready["dead_letters"] = int(conn.execute(query).scalar_one())
            except Exception:
                ready["dead_letters"] = "unknown"
        return ready

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
