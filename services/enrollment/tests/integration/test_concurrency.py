"""Two desks at once, on PostgreSQL (SQLite serialises writers, so it cannot race)."""

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest

from enrollment.demo import load_demo
from enrollment.domain import commands as c
from enrollment.main import build
from enrollment.store import SqlUnitOfWork
from enrollment.usecases import enrollments, people
from medshared.db import upgrade
from medshared.runtime import Runtime
from tests.conftest import ALEMBIC_INI, outbox_count, settings_for, valid_certno


@pytest.fixture
def pg_runtime(postgres_url: str) -> Runtime:
    upgrade(ALEMBIC_INI, postgres_url)
    runtime = build(settings_for(postgres_url))
    load_demo(runtime)
    yield runtime
    runtime.stop()


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_desks_enrolling_one_person_in_two_pools_at_once_leave_one_enrollment(
    pg_runtime: Runtime,
) -> None:
    person = people.register_person(
        SqlUnitOfWork(pg_runtime),
        c.RegisterPerson(
            admdvs="341300",
            psn_cert_type="01",
            certno=valid_certno("34130219910101001"),
            psn_name="孙八",
        ),
    )
    before = outbox_count(pg_runtime)
    results = race(
        [
            lambda pool=pool: enrollments.enroll(
                SqlUnitOfWork(pg_runtime),
                c.Enroll(person.psn_no, "390", pool, "1501", dt.date(2026, 1, 1), tier="320"),
            )
            for pool in ("341300", "430600")
        ]
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Enrollment"]
    assert outbox_count(pg_runtime) == before + 1


def test_two_desks_registering_one_id_number_at_once_issue_one_psn_no(
    pg_runtime: Runtime,
) -> None:
    cmd = c.RegisterPerson(
        admdvs="430600",
        psn_cert_type="01",
        certno=valid_certno("43060219920202002"),
        psn_name="周九",
    )
    before = outbox_count(pg_runtime, "PersonRegistered")
    results = race([lambda: people.register_person(SqlUnitOfWork(pg_runtime), cmd)] * 2)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Person"]
    assert outbox_count(pg_runtime, "PersonRegistered") == before + 1
