"""Each service as it runs, minus HTTP and Kafka: its migrated database, its outbox, its consumer.

A producer stages events through its own code (demo loaders and use cases that call the
messaging contracts' builders); `published` reads them back from its outbox exactly as the
relay would put them on the wire (the row's JSON body). A consumer applies an event the way
its inbox consumer does: its `handle` in one unit of work per event. Nothing here writes a
payload by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from medshared.db import make_engine, make_session_factory, upgrade
from medshared.events import Event, unbatched
from medshared.national import parse_request
from medshared.runtime import Runtime

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"

Handle = Callable[[Session, Event], None]


@dataclass
class Service:
    name: str
    runtime: Runtime

    def published(self, topic: str) -> list[Event]:
        """The events this service staged on `topic`, in order, decoded from the outbox bodies (a batch's
        as its events, as the inbox consumer hands them to the handlers)."""
        outbox = self.runtime.outbox
        assert outbox is not None
        with self.runtime.factory() as session:
            rows = session.execute(select(outbox.c.body).where(outbox.c.topic == topic).order_by(outbox.c.id)).all()
        return [each for row in rows for each in unbatched(Event.from_json(row.body))]

    def apply(self, handle: Handle, events: list[Event]) -> None:
        for event in events:
            with self.runtime.unit_of_work() as session:
                handle(session, event)

    def apply_polled(
        self, handle_many: Callable[[Session, list[tuple[str, Event]]], None], events: list[Event]
    ) -> None:
        """All events in one transaction through the batch handler, as the running consumer applies a poll."""
        with self.runtime.unit_of_work() as session:
            handle_many(session, [("", event) for event in events])

    def rows(self, table: Table, **match: Any) -> list[Any]:
        query = select(table)
        for column, value in match.items():
            query = query.where(table.c[column] == value)
        with self.runtime.factory() as session:
            return list(session.execute(query).all())


def migrated(name: str, directory: str, outbox: Table, url: str) -> Service:
    upgrade(SERVICES / directory / "alembic.ini", url)
    engine = make_engine(url, pool_size=2)
    return Service(name, Runtime(service=name, engine=engine, factory=make_session_factory(engine), outbox=outbox))


# settlement: one visit of 吴刚 (enrolled in 430600, resettled to 110100 by his remote-care filing)
# at a Beijing hospital, settled and then reversed through the national use cases.
WU_GANG = "43060000000000000002"
BEIJING_HOSPITAL = SimpleNamespace(fixmedins_code="H11010000001", admdvs="110100", hosp_lv="3")
VISIT_TIME = dt.datetime(2026, 11, 24, 10, 0, 0)
CONSULTATION = "002501010010000"


def _call(infno: str) -> Any:
    from settlement.usecases.common import HIS, Call

    envelope = {
        "infno": infno,
        "msgid": f"{BEIJING_HOSPITAL.fixmedins_code}20261124100000{infno}",
        "mdtrtarea_admvs": BEIJING_HOSPITAL.admdvs,
        "insuplc_admdvs": "430600",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": VISIT_TIME.strftime("%Y-%m-%d %H:%M:%S"),
        "fixmedins_code": BEIJING_HOSPITAL.fixmedins_code,
        "fixmedins_name": "北京市第一医院(演示)",
        "input": {},
    }
    return Call(
        req=parse_request(envelope),
        inst=BEIJING_HOSPITAL,
        received=VISIT_TIME,
        sender=BEIJING_HOSPITAL.fixmedins_code,
        channel=HIS,
    )


def settle_and_reverse_an_out_of_area_visit(settlement: Service, total: str = "3000.00") -> str:
    """Returns the setl_id of the settlement; its VisitSettled and SettlementReversed are in the outbox."""
    from settlement.domain import inputs as inp
    from settlement.store import SqlStore
    from settlement.usecases import fees, settling, visits

    with settlement.runtime.unit_of_work() as session:
        store = SqlStore(session)
        certno = store.person(WU_GANG).certno
        register = inp.Register(
            psn_no=WU_GANG,
            insutype="310",
            begntime=VISIT_TIME,
            mdtrt_cert_type="02",
            mdtrt_cert_no=certno,
            ipt_otp_no="OP-CONTRACT-1",
            atddr_no="D1",
            dr_name="医生",
            dept_code="D1",
            dept_name="内科",
            caty="A03",
        )
        mdtrt_id = visits.register(store, _call("2201"), register).ref_id
        visits.visit_info(
            store, _call("2203"), inp.VisitInfo(mdtrt_id=mdtrt_id, psn_no=WU_GANG, med_type="11", begntime=VISIT_TIME)
        )
        amount = Decimal(total)
        line = inp.FeeDetail(
            feedetl_sn="1",
            mdtrt_id=mdtrt_id,
            psn_no=WU_GANG,
            chrg_bchno="B1",
            med_list_codg=CONSULTATION,
            medins_list_codg="H-" + CONSULTATION,
            det_item_fee_sumamt=amount,
            cnt=Decimal("1"),
            pric=amount,
            fee_ocur_time=VISIT_TIME,
        )
        fees.outpatient_fees(store, _call("2204"), [line])
        settle = inp.Settle(
            psn_no=WU_GANG,
            mdtrt_cert_type="02",
            mdtrt_cert_no=certno,
            medfee_sumamt=amount,
            psn_setlway="01",
            mdtrt_id=mdtrt_id,
            insutype="310",
            acct_used_flag="1",
        )
        setl_id = str(settling.settle_visit(store, _call("2207"), settle).ref_id)
    with settlement.runtime.unit_of_work() as session:
        store = SqlStore(session)
        settling.reverse_settlement(
            store, _call("2208"), inp.Reverse(setl_id=setl_id, mdtrt_id=mdtrt_id, psn_no=WU_GANG)
        )
    return setl_id
