"""Pytest fixtures every service's suite uses: a real PostgreSQL and a real broker.

PostgreSQL: TEST_POSTGRES_URL if set (make test starts one server for all suites),
otherwise a throwaway server started here with the Debian binaries. Each test that asks
for a database gets a fresh one, on SQLite and on PostgreSQL (`database_url` is
parametrized over both).

Test layers: every test carries one marker (unit, integration, api, contracts, e2e) taken
from its directory, so `pytest -m unit` (and `make test-unit`) runs one layer of any suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medshared import broker

# Directory -> layer. A test outside these directories (the common library's own suite) is
# integration when it asks for a database or the broker, unit otherwise.
LAYERS = {
    "unit": "unit: pure code with fakes, no database, no HTTP",
    "integration": "integration: repositories, outbox, inbox, consumers on SQLite and PostgreSQL",
    "api": "api: one service's app through TestClient",
    "contracts": "contracts: every producer's events applied by every consumer of its topic",
    "e2e": "e2e: the four services and a real broker, driven over HTTP",
}
LAYER_OF_DIRECTORY = {
    **{name: name for name in LAYERS},
    "compat": "api",
    "fuzz": "api",
    "bench": "unit",
    "deploy": "unit",
}
_INFRASTRUCTURE_FIXTURES = {"database_url", "postgres_url", "postgres_server", "kafka_bootstrap"}


def pytest_configure(config: pytest.Config) -> None:
    for line in LAYERS.values():
        config.addinivalue_line("markers", line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(_layer(item))


def _layer(item: pytest.Item) -> str:
    for part in reversed(item.path.parent.parts):
        if part in LAYER_OF_DIRECTORY:
            return LAYER_OF_DIRECTORY[part]
        if part == "tests":
            break
    return "integration" if _INFRASTRUCTURE_FIXTURES & set(getattr(item, "fixturenames", ())) else "unit"


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for version in ("17", "16", "15", "14", "13"):
        candidate = Path(f"/usr/lib/postgresql/{version}/bin/{name}")
        if candidate.exists():
            return str(candidate)
    raise RuntimeError(f"{name} not found: install Debian's postgresql (make test does)")


def start_postgres(root: Path, port: int, settings: dict[str, str] | None = None) -> str:
    """initdb + pg_ctl start as the postgres user (PostgreSQL refuses to run as root).

    `settings` are more server settings (`shared_buffers`, say) for a server sized for its data."""
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_postgres, _pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            *as_postgres,
            _pg_bin("pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=300"
            + "".join(f" -c {name}={value}" for name, value in (settings or {}).items()),
            "start",
        ],
        check=True,
        capture_output=True,
    )
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def stop_postgres(root: Path) -> None:
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [*as_postgres, _pg_bin("pg_ctl"), "-D", str(root / "data"), "-m", "immediate", "stop"], capture_output=True
    )


def create_database(server_url: str) -> str:
    from sqlalchemy import create_engine, text

    name = "t_" + uuid.uuid4().hex[:16]
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


def query_plan(session: Any, statement: Any) -> str:
    """The plan the database chooses for a statement (PostgreSQL's EXPLAIN, SQLite's EXPLAIN QUERY
    PLAN), as text: to assert which index a read goes through. Tables are analysed first."""
    from sqlalchemy import text

    dialect = session.get_bind().dialect
    sql = str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
    if dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        return "\n".join(str(r[0]) for r in session.execute(text("EXPLAIN " + sql)))
    return "\n".join(str(r[-1]) for r in session.execute(text("EXPLAIN QUERY PLAN " + sql)))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        yield url
        return
    root = Path(tempfile.mkdtemp(prefix="medpg-"))
    url = start_postgres(root, broker.free_port())
    try:
        yield url
    finally:
        stop_postgres(root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return create_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A fresh PostgreSQL database, for tests that need row locks."""
    return create_database(postgres_server)


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real Kafka-protocol broker (the embedded Tansu) for the whole session."""
    port = broker.free_port()
    proc = broker.start_embedded_broker(port)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
