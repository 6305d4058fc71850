"""Concurrent settlements for one person never spend the same cap twice (PostgreSQL row locks)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlalchemy import func, select
from support import ALEMBIC_INI, ZHAXI, His, line, make_client, open_outpatient, seed, settle_input

from medshared.db import upgrade
from settlement.db import settlement
from settlement.demo import load_demo


def test_fifty_concurrent_settlements_leave_the_outpatient_fund_exactly_at_its_cap(postgres_url, partners):
    upgrade(ALEMBIC_INI, postgres_url)
    with make_client(postgres_url, partners) as client:
        load_demo(client.app.state.runtime)
        seed(client.app, ZHAXI)
        his = His(client, "H54010000001", "540100")
        his.sign_in()
        visits = []
        for _ in range(50):
            mdtrt_id = open_outpatient(his, ZHAXI)
            his.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "150", mdtrt_id, ZHAXI)]}, insuplc="540100")
            visits.append(mdtrt_id)

        def settle_one(mdtrt_id: str):
            return his.call("2207", settle_input(ZHAXI, mdtrt_id, "150"), insuplc="540100")

        with ThreadPoolExecutor(max_workers=25) as pool:
            answers = list(pool.map(settle_one, visits))

        assert all(a["infcode"] == 0 for a in answers), [a["err_msg"] for a in answers if a["infcode"]]
        paid = sum((a["output"]["setlinfo"]["hifp_pay"] for a in answers), Decimal("0"))
        assert paid == Decimal("300.00")  # 540100 residents' outpatient annual cap
        with client.app.state.runtime.factory() as session:
            assert session.execute(select(func.count()).select_from(settlement)).scalar_one() == 50
