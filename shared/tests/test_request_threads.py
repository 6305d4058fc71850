"""Request threads: sized from the settings when the service starts; liveness needs none of them."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient

from medshared.db import new_metadata
from medshared.outbox import outbox_table
from medshared.runtime import build_runtime, health_router
from medshared.settings import ServiceSettings


def _app(tmp_path, threads: int) -> tuple[FastAPI, threading.Event]:
    settings = ServiceSettings(database_url=f"sqlite:///{tmp_path}/s.db", request_threads=threads)
    runtime = build_runtime(settings, service="test", outbox=outbox_table(new_metadata()), publishes=[])
    release = threading.Event()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        yield
        runtime.stop()

    app = FastAPI(lifespan=lifespan)
    app.include_router(health_router(lambda: runtime))

    running = {"now": 0, "most": 0}
    lock = threading.Lock()

    @app.get("/work")
    def work() -> int:  # a blocking endpoint that counts how many of it run at once
        with lock:
            running["now"] += 1
            running["most"] = max(running["most"], running["now"])
        time.sleep(0.2)
        with lock:
            running["now"] -= 1
        return running["most"]

    @app.get("/block")
    def block() -> str:  # a blocking endpoint: holds one request thread until released
        release.wait(10)
        return "done"

    return app, release


def test_the_service_runs_no_more_blocking_requests_at_once_than_its_request_threads(tmp_path):
    app, _ = _app(tmp_path, 2)
    with TestClient(app) as client:
        callers = [threading.Thread(target=client.get, args=("/work",)) for _ in range(6)]
        for caller in callers:
            caller.start()
        for caller in callers:
            caller.join(10)
        assert client.get("/work").json() == 2  # six callers at once, never more than two inside


def test_liveness_answers_while_every_request_thread_is_busy(tmp_path):
    app, release = _app(tmp_path, 1)
    with TestClient(app) as client:
        blocked = threading.Thread(target=client.get, args=("/block",))
        blocked.start()
        try:
            time.sleep(0.3)  # the one request thread is now held by /block
            started = time.monotonic()
            answer = client.get("/healthz")
            assert answer.status_code == 200 and time.monotonic() - started < 2
        finally:
            release.set()
            blocked.join(5)
