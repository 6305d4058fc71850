from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from enrollment.config import Settings
from enrollment.db import outbox
from enrollment.demo import load_demo
from enrollment.domain.gb11643 import check_character
from enrollment.main import build, create_app
from medshared.db import upgrade
from medshared.events import Event, unbatched
from medshared.runtime import Runtime

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"
AUDIT_TOKEN = "test-audit-token"
REVIEW_TOKEN = "test-review-token"
TOKEN = "test-operator-token"
OPERATOR_TOKENS = {
    TOKEN: {"operator": "desk-01", "roles": ["enrollment_desk"]},
    AUDIT_TOKEN: {"operator": "auditor-01", "roles": ["audit"]},
    REVIEW_TOKEN: {"operator": "review-01", "roles": ["filing_review"]},
}
AUTH = {"x-operator-token": TOKEN}


def settings_for(url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "kafka_bootstrap_servers": "",
        "environment": "test",
        "operator_tokens": OPERATOR_TOKENS,
    }
    values.update(overrides)
    return Settings(**values)


def valid_certno(first17: str) -> str:
    return first17 + check_character(first17)


def outbox_count(runtime: Runtime, event_type: str | None = None) -> int:
    query = select(func.count()).select_from(outbox)
    if event_type:
        query = query.where(outbox.c.event_type == event_type)
    with runtime.factory() as session:
        return int(session.execute(query).scalar_one())


def staged_events(runtime: Runtime) -> list[Event]:
    """Every event in the outbox, in order, a batch's as its events (as a consumer applies them)."""
    with runtime.factory() as session:
        bodies = session.execute(select(outbox.c.body).order_by(outbox.c.id)).scalars().all()
    return [each for body in bodies for each in unbatched(Event.from_json(body))]


@pytest.fixture
def migrated_url(database_url: str) -> str:
    upgrade(ALEMBIC_INI, database_url)
    return database_url


@pytest.fixture
def runtime(migrated_url: str) -> Iterator[Runtime]:
    rt = build(settings_for(migrated_url))
    yield rt
    rt.stop()


@pytest.fixture
def demo_runtime(runtime: Runtime) -> Runtime:
    load_demo(runtime)
    return runtime


@pytest.fixture
def client(migrated_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(migrated_url)), headers=AUTH) as c:
        yield c


@pytest.fixture
def demo_client(client: TestClient) -> TestClient:
    load_demo(client.app.state.runtime)
    return client
