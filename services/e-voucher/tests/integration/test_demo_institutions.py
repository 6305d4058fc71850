"""The demo institutions carry the reference names (settlement's), also in a database loaded before."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import insert, select

from evoucher.config import Settings
from evoucher.db import institution, outbox
from evoucher.demo import DEMO_INSTITUTIONS, demo_token, load_demo
from medshared.db import upgrade
from medshared.runtime import Runtime, build_runtime
from tests.conftest import ALEMBIC_INI


@pytest.fixture
def runtime(database_url: str) -> Any:
    upgrade(ALEMBIC_INI, database_url)
    rt = build_runtime(
        Settings(database_url=database_url, kafka_bootstrap_servers=""),
        service="e-voucher",
        outbox=outbox,
        publishes=[],
    )
    yield rt
    rt.stop()


def names(runtime: Runtime) -> dict[str, tuple[str, str]]:
    with runtime.unit_of_work() as session:
        rows = session.execute(select(institution.c.fixmedins_code, institution.c.fixmedins_name, institution.c.admdvs))
        return {code: (name, admdvs) for code, name, admdvs in rows}


def test_a_database_holding_an_old_demo_name_shows_the_reference_name_after_the_demo_loads(runtime: Runtime) -> None:
    with runtime.unit_of_work() as session:
        session.execute(
            insert(institution).values(
                fixmedins_code="H11010000001",
                fixmedins_name="北京协和医院",
                admdvs="110100",
                gateway_token=demo_token("H11010000001"),
            )
        )
    assert load_demo(runtime) == len(DEMO_INSTITUTIONS) - 1
    assert names(runtime) == {code: (name, admdvs) for code, name, admdvs in DEMO_INSTITUTIONS}
    assert names(runtime)["H11010000001"] == ("北京市第一医院(演示)", "110100")
    # A second run changes nothing.
    assert load_demo(runtime) == 0
    assert names(runtime)["H11010000001"] == ("北京市第一医院(演示)", "110100")
