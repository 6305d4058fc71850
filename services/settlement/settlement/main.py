"""create_app(settings) -> FastAPI."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from medshared import deadletters, docs, edge, logs
from medshared.runtime import build_runtime
from settlement.adapters import EvoucherClient, RemoteCareClient, make_http
from settlement.api import (
    admin,
    admin_catalogues,
    admin_dictionaries,
    admin_setllists,
    admin_statements,
    admin_supervision,
    institution_supervision,
    national,
)
from settlement.config import Settings
from settlement.db import inbox, outbox
from settlement.door import OFFERED, FrontDoor
from settlement.messaging import consumer
from settlement.messaging.contracts import FILINGS_TOPIC, PEOPLE_TOPIC, SETTLEMENTS_TOPIC
from settlement.messaging.supervision_contracts import SUPERVISION_TOPIC


def create_app(settings: Settings | None = None, *, transport: httpx.BaseTransport | None = None) -> FastAPI:
    """`transport` replaces the network under the e-voucher and remote-care clients (tests)."""
    settings = settings or Settings()
    runtime = build_runtime(
        settings,
        service="settlement",
        outbox=outbox,
        publishes=[SETTLEMENTS_TOPIC, SUPERVISION_TOPIC],
        inbox=inbox,
        consumes=[PEOPLE_TOPIC, FILINGS_TOPIC],
        handle=consumer.handle,
        handle_many=consumer.handle_many,
    )
    http = make_http(settings.http_timeout_seconds, transport)
    front_door = FrontDoor(
        runtime,
        settings,
        EvoucherClient(http, settings.evoucher_url, settings.internal_token),
        RemoteCareClient(http, settings.remote_care_url, settings.internal_token),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        runtime.start()
        yield
        runtime.stop()
        http.close()

    app = FastAPI(title="Settlement service (结算)", version="1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.front_door = front_door
    edge.install(app, runtime, offered_infnos=OFFERED, upload_paths=national.DOOR_PATHS)
    docs.install(app)
    app.add_middleware(national.MultipartUploads, max_file_bytes=settings.file_max_bytes)  # 9101 as multipart
    app.state.metrics.registry.register(front_door)
    app.include_router(national.router(front_door))
    app.include_router(admin.router(runtime))
    app.include_router(admin_catalogues.router(runtime))
    app.include_router(admin_dictionaries.router(runtime))
    app.include_router(admin_setllists.router(runtime))
    app.include_router(admin_statements.router(runtime))
    app.include_router(admin_supervision.router(runtime))
    app.include_router(institution_supervision.router(runtime))
    app.include_router(admin.operators.audit_router())
    deadletters.install(app, admin.operators, inbox, consumer.handle)
    return app


def app() -> FastAPI:
    """uvicorn factory entry point: uvicorn --factory settlement.main:app."""
    settings = Settings()
    logs.configure("settlement", json_output=settings.log_json)
    return create_app(settings)
