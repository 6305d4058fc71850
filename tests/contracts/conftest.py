"""The four services' databases, filled the way the system fills them, once per backend.

Enrollment loads its demo dataset through its handlers; every consumer of
enrollment.people.v1 applies what enrollment's outbox holds. Remote-care then files its demo
filing (it needs the person from enrollment first) and settlement applies the FilingCreated;
settlement settles and reverses one out-of-area visit through its use cases, and remote-care
and e-voucher apply both events. Each test then compares a producer's payloads with the rows
its consumers wrote.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from medshared.testing import create_database

sys.path.insert(0, str(Path(__file__).resolve().parent))

from producers import Service, migrated, settle_and_reverse_an_out_of_area_visit


@dataclass
class World:
    enrollment: Service
    settlement: Service
    remote_care: Service
    evoucher: Service
    setl_id: str

    def services(self) -> list[Service]:
        return [self.enrollment, self.settlement, self.remote_care, self.evoucher]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    from enrollment.db import outbox as enrollment_outbox
    from enrollment.demo import load_demo as load_enrollment_demo
    from enrollment.messaging.contracts import TOPIC as PEOPLE
    from evoucher.db import outbox as evoucher_outbox
    from evoucher.messaging import consumer as evoucher_consumer
    from remote_care.db import outbox as remote_care_outbox
    from remote_care.demo import load_demo as load_remote_care_demo
    from remote_care.messaging import consumer as remote_care_consumer
    from remote_care.messaging.contracts import FILINGS_TOPIC
    from settlement.db import outbox as settlement_outbox
    from settlement.demo import load_demo as load_settlement_demo
    from settlement.messaging import consumer as settlement_consumer
    from settlement.messaging.contracts import SETTLEMENTS_TOPIC

    directory = tmp_path_factory.mktemp(f"contracts-{request.param}")

    def url(name: str) -> str:
        if request.param == "sqlite":
            return f"sqlite:///{directory / name}.db"
        return create_database(request.getfixturevalue("postgres_server"))

    enrollment = migrated("enrollment", "enrollment", enrollment_outbox, url("enrollment"))
    settlement = migrated("settlement", "settlement", settlement_outbox, url("settlement"))
    remote_care = migrated("remote-care", "remote-care", remote_care_outbox, url("remote_care"))
    evoucher = migrated("e-voucher", "e-voucher", evoucher_outbox, url("evoucher"))
    try:
        load_enrollment_demo(enrollment.runtime)
        load_settlement_demo(settlement.runtime)
        people = enrollment.published(PEOPLE)
        # People as the running consumers apply a poll (one statement per table); settlements one by one.
        settlement.apply_polled(settlement_consumer.handle_many, people)
        remote_care.apply_polled(remote_care_consumer.handle_many, people)
        evoucher.apply_polled(evoucher_consumer.handle_many, people)

        load_remote_care_demo(remote_care.runtime, wait_seconds=0)
        settlement.apply(settlement_consumer.handle, remote_care.published(FILINGS_TOPIC))

        setl_id = settle_and_reverse_an_out_of_area_visit(settlement)
        settlements = settlement.published(SETTLEMENTS_TOPIC)
        remote_care.apply(remote_care_consumer.handle, settlements)
        evoucher.apply(evoucher_consumer.handle, settlements)
        yield World(enrollment, settlement, remote_care, evoucher, setl_id)
    finally:
        for service in (enrollment, settlement, remote_care, evoucher):
            service.runtime.engine.dispose()
