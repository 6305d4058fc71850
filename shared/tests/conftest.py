"""Fixtures the common library's tests share."""

import pytest

from medshared.db import make_engine, make_session_factory


@pytest.fixture
def factory(request, database_url):
    """Sessions on `database_url` (SQLite and PostgreSQL), with the test module's `metadata` created."""
    engine = make_engine(database_url)
    request.module.metadata.create_all(engine)
    yield make_session_factory(engine)
    engine.dispose()
