from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import settings_for
from fastapi.testclient import TestClient

from medshared.db import upgrade
from medshared.runtime import Runtime
from remote_care.main import create_app

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture
def migrated_url(database_url: str) -> str:
    upgrade(ALEMBIC_INI, database_url)
    return database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'api.db'}"
    upgrade(ALEMBIC_INI, url)
    return url


@pytest.fixture
def runtime(migrated_url: str) -> Iterator[Runtime]:
    app = create_app(settings_for(migrated_url))
    rt: Runtime = app.state.runtime
    yield rt
    rt.stop()


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(sqlite_url))) as c:
        yield c
