"""A partner nonce serves one request, also when two replicas see it at the same instant."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import settings_for

from medshared.db import upgrade
from medshared.runtime import Runtime
from remote_care.main import create_app
from remote_care.store import SqlStores
from remote_care.usecases import access

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
ROUNDS = 40


@pytest.fixture
def pg_runtime(postgres_url: str) -> Iterator[Runtime]:
    upgrade(ALEMBIC_INI, postgres_url)
    rt: Runtime = create_app(settings_for(postgres_url)).state.runtime
    yield rt
    rt.stop()


def use_at_once(runtime: Runtime, key_id: str, nonce: str) -> list[object]:
    """Two threads present one nonce together; each returns True, False or the exception it met."""
    start = threading.Barrier(2)
    results: list[object] = []

    def present() -> None:
        start.wait()
        try:
            results.append(access.record_partner_nonce(SqlStores(runtime), key_id, nonce, 300))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=present) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_simultaneous_uses_of_one_nonce_on_postgresql_are_one_use_and_one_clean_refusal(
    pg_runtime: Runtime,
) -> None:
    for i in range(ROUNDS):
        results = use_at_once(pg_runtime, "key-34", f"nonce-{i}")
        assert sorted(results, key=repr) == [False, True], f"round {i}: {results!r}"


def test_a_partner_nonce_serves_once_per_key_and_again_after_twice_the_window(runtime: Runtime) -> None:
    assert access.record_partner_nonce(SqlStores(runtime), "key-34", "n-1", 300) is True
    assert access.record_partner_nonce(SqlStores(runtime), "key-34", "n-1", 300) is False
    assert access.record_partner_nonce(SqlStores(runtime), "key-11", "n-1", 300) is True
    # A window of 0 s: the earlier use is older than twice the window, so the nonce is fresh again.
    assert access.record_partner_nonce(SqlStores(runtime), "key-34", "n-1", 0) is True
