from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from enrollment.config import Settings
from enrollment.main import create_app
from medshared.db import upgrade

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture
def migrated_url(database_url: str) -> str:
    upgrade(ALEMBIC_INI, database_url)
    return database_url


@pytest.fixture
def client(migrated_url: str):
    settings = Settings(database_url=migrated_url, kafka_bootstrap_servers="", environment="test")
    with TestClient(create_app(settings)) as c:
        yield c
