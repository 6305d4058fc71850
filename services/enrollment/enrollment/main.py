"""create_app(settings) -> FastAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from enrollment.api import (
    employers,
    enrollments,
    errors,
    identities,
    imports,
    money,
    people,
)
from enrollment.api.deps import enrollment_desk, may_import, operators
from enrollment.config import Settings
from enrollment.db import outbox
from enrollment.messaging.contracts import TOPIC
from enrollment.store import SqlUnitOfWork
from medshared import docs, edge, logs
from medshared.runtime import Runtime, build_runtime


def build(settings: Settings) -> Runtime:
    return build_runtime(settings, service="enrollment", outbox=outbox, publishes=[TOPIC])


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    runtime = build(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        yield
        runtime.stop()

    app = FastAPI(
        title="Enrollment service (参保登记)", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.runtime = runtime
    app.state.uow = SqlUnitOfWork(runtime)
    app.state.settings = settings
    # The yearly resident collection is the one bulk body; only a desk operator may send it.
    edge.install(
        app,
        runtime,
        upload_paths=[imports.router.prefix],
        may_upload=may_import(settings.operator_tokens),
    )
    errors.install(app)
    docs.install(app)
    for module in (people, employers, enrollments, identities, money, imports):
        app.include_router(module.router, dependencies=[enrollment_desk])
    app.include_router(operators.audit_router())
    return app


def app() -> FastAPI:
    """uvicorn factory entry point: uvicorn --factory enrollment.main:app."""
    settings = Settings()
    logs.configure("enrollment", json_output=settings.log_json)
    return create_app(settings)
