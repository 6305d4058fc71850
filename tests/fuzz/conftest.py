"""Each service's app in-process on its own SQLite file, migrated and loaded with demo data.

The fuzz drives the real routers and handlers through TestClient; no broker is needed
because a refused request must never get as far as the outbox anyway.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from medshared.db import upgrade

ROOT = Path(__file__).resolve().parents[2]
# `make test` runs a short fuzz; `make fuzz` raises this.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))

OPERATOR = "fuzz-operator-token"
INTERNAL = "fuzz-internal-token"
# One token with every operator role, so the fuzz reaches every /admin/v1 route.
OPERATOR_TOKENS = {
    OPERATOR: {
        "operator": "fuzz",
        "roles": ["enrollment_desk", "filing_review", "clearing", "policy", "audit", "operations"],
    }
}
# Written on purpose for refused requests too: the audit trail of attempted operator actions and
# the replay guards that remember every signed nonce.
RECORDS_REFUSALS = {"operator_action", "gateway_nonce", "partner_nonce", "dead_letter"}


@dataclass
class Service:
    name: str
    app: FastAPI
    client: TestClient
    # Valid credentials merged into generated requests, so the fuzz reaches past authentication.
    auth: dict[str, str]

    def row_counts(self) -> dict[str, int]:
        """Rows per table: a refused request must leave every one of them as it was."""
        engine = self.app.state.runtime.engine
        tables = _tables(engine)
        query = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
        with engine.connect() as conn:
            return dict(zip(tables, conn.execute(text(query)).one(), strict=True))


@functools.cache
def _tables(engine: Engine) -> list[str]:
    return sorted(set(inspect(engine).get_table_names()) - RECORDS_REFUSALS - {"alembic_version"})


def _start(
    tmp: Path, name: str, make: Callable[[str], FastAPI], load: Callable[[Any], Any] | None, auth: dict[str, str]
) -> Iterator[Service]:
    url = f"sqlite:///{tmp / (name + '.db')}"
    upgrade(ROOT / "services" / name / "alembic.ini", url)
    app = make(url)
    if load is not None:
        load(app.state.runtime)
    # No lifespan: without a broker it would start nothing but e-voucher's order worker, whose
    # background writes would blur the before/after row counts.
    yield Service(name, app, TestClient(app, raise_server_exceptions=False), auth)
    app.state.runtime.stop()


@pytest.fixture(scope="module")
def enrollment_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    from enrollment.config import Settings
    from enrollment.demo import load_demo
    from enrollment.main import create_app

    def make(url: str) -> FastAPI:
        return create_app(
            Settings(database_url=url, kafka_bootstrap_servers="", environment="test", operator_tokens=OPERATOR_TOKENS)
        )

    yield from _start(
        tmp_path_factory.mktemp("enrollment"), "enrollment", make, load_demo, {"x-operator-token": OPERATOR}
    )


@pytest.fixture(scope="module")
def settlement_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    import httpx

    from settlement.config import Settings
    from settlement.demo import load_demo
    from settlement.main import create_app

    # E-voucher and remote-care are away: settlement must still answer cleanly.
    def away(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("service away", request=request)

    def make(url: str) -> FastAPI:
        settings = Settings(
            database_url=url,
            kafka_bootstrap_servers="",
            environment="test",
            internal_token=INTERNAL,
            operator_tokens=OPERATOR_TOKENS,
        )
        return create_app(settings, transport=httpx.MockTransport(away))

    yield from _start(
        tmp_path_factory.mktemp("settlement"), "settlement", make, load_demo, {"x-operator-token": OPERATOR}
    )


@pytest.fixture(scope="module")
def remote_care_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    from remote_care.config import Settings
    from remote_care.main import create_app

    def make(url: str) -> FastAPI:
        return create_app(
            Settings(
                database_url=url,
                kafka_bootstrap_servers="",
                environment="test",
                operator_tokens=OPERATOR_TOKENS,
                internal_token=INTERNAL,
            )
        )

    auth = {"x-operator-token": OPERATOR, "x-internal-token": INTERNAL}
    yield from _start(tmp_path_factory.mktemp("remote-care"), "remote-care", make, None, auth)


@pytest.fixture(scope="module")
def evoucher_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    from evoucher.config import Settings
    from evoucher.demo import load_demo
    from evoucher.main import create_app

    def make(url: str) -> FastAPI:
        settings = Settings(
            database_url=url,
            kafka_bootstrap_servers="",
            environment="test",
            internal_token=INTERNAL,
            operator_tokens=OPERATOR_TOKENS,
            wechat_base_url="http://127.0.0.1:9",
            settlement_url="http://127.0.0.1:9",
            wechat_timeout_seconds=0.5,
            settlement_timeout_seconds=0.5,
        )
        return create_app(settings)

    auth = {"x-internal-token": INTERNAL, "x-operator-token": OPERATOR}
    yield from _start(tmp_path_factory.mktemp("e-voucher"), "e-voucher", make, load_demo, auth)
