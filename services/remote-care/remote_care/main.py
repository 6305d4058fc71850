"""create_app(settings) -> FastAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from medshared import deadletters, docs, edge, logs
from medshared.runtime import build_runtime
from medshared.security import RateLimiter
from remote_care.api import admin, internal, mobile, partner
from remote_care.api.deps import operators
from remote_care.config import Settings
from remote_care.db import inbox, outbox
from remote_care.messaging import consumer
from remote_care.messaging.contracts import CLEARING_TOPIC, FILINGS_TOPIC
from remote_care.store import SqlStores


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build_runtime(
        settings,
        service="remote-care",
        outbox=outbox,
        publishes=[FILINGS_TOPIC, CLEARING_TOPIC],
        inbox=inbox,
        consumes=consumer.TOPICS,
        handle=consumer.handle,
        handle_many=consumer.handle_many,
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        yield
        runtime.stop()

    app = FastAPI(
        title="Remote-care service (异地就医)", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.runtime = runtime
    app.state.stores = SqlStores(runtime)
    app.state.settings = settings
    app.state.partner_limiter = RateLimiter(settings.partner_rate_per_second, settings.partner_rate_burst)
    app.state.mobile_limiter = RateLimiter(settings.mobile_rate_per_second, settings.mobile_rate_burst)
    edge.install(app, runtime)
    docs.install(app)
    for module in (internal, mobile, partner, admin):
        app.include_router(module.router)
    app.include_router(operators.audit_router())
    deadletters.install(app, operators, inbox, consumer.handle)
    return app


def app() -> FastAPI:
    """uvicorn factory entry point: uvicorn --factory remote_care.main:app --port 8003."""
    settings = Settings()
    logs.configure("remote-care", json_output=settings.log_json)
    return create_app(settings)
