from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parent))

from support import ALEMBIC_INI, His, Partners, make_client, seed

from medshared.db import upgrade
from settlement.demo import load_demo


@pytest.fixture
def migrated_url(database_url: str) -> str:
    upgrade(ALEMBIC_INI, database_url)
    return database_url


@pytest.fixture
def partners() -> Partners:
    return Partners()


@pytest.fixture
def client(migrated_url: str, partners: Partners) -> Iterator[TestClient]:
    with make_client(migrated_url, partners) as c:
        load_demo(c.app.state.runtime)
        seed(
            c.app,
            "54010000000000000001",
            "54010000000000000002",
            "54010000000000000003",
            "54010000000000000004",
            "54010000000000000005",
            "43060000000000000002",
        )
        yield c


@pytest.fixture
def lhasa(client: TestClient) -> His:
    his = His(client, "H54010000001", "540100")
    his.sign_in()
    return his


@pytest.fixture
def clinic(client: TestClient) -> His:
    his = His(client, "H54010000002", "540100")
    his.sign_in()
    return his
