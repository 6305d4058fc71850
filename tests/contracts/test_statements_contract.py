"""settlement.settlements.v1 also carries an institution's monthly statement and its clearing applications:
InstitutionStatementIssued, ClearingApplied, ClearingApplicationRevoked, InstitutionStatementConfirmed.

They are produced by settlement's own use cases over its SQL store, for the Beijing hospital whose
November visit the world settled and reversed; remote-care and e-voucher, which consume the topic for
settlements, must apply them without changing anything, and each payload must read as docs/events.md
describes it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from producers import BEIJING_HOSPITAL

from medshared.events import Event
from medshared.national import parse_request
from settlement.messaging.contracts import SETTLEMENTS_TOPIC

STATEMENT_EVENTS = (
    "InstitutionStatementIssued",
    "ClearingApplied",
    "ClearingApplicationRevoked",
    "InstitutionStatementConfirmed",
)
LATER = dt.datetime(2026, 12, 2, 10, 0, 0)


def _call(infno: str):
    from settlement.usecases.common import Call

    envelope = {"infno": infno, "msgid": f"{BEIJING_HOSPITAL.fixmedins_code}20261202100000{infno}",
                "mdtrtarea_admvs": BEIJING_HOSPITAL.admdvs, "insuplc_admdvs": "", "recer_sys_code": "YBXT",
                "infver": "V1.0", "opter_type": "1", "opter": "001", "opter_name": "收费员",
                "inf_time": "2026-12-02 10:00:00", "fixmedins_code": BEIJING_HOSPITAL.fixmedins_code,
                "fixmedins_name": "北京市第一医院(演示)", "input": {}}  # fmt: skip
    return Call(
        req=parse_request(envelope), inst=BEIJING_HOSPITAL, received=LATER, sender=BEIJING_HOSPITAL.fixmedins_code
    )


@pytest.fixture(scope="module")
def statement_events(world) -> list[Event]:
    from settlement.domain import statements as st
    from settlement.store import SqlStore
    from settlement.usecases import statements

    with world.settlement.runtime.unit_of_work() as session:
        view, _ = statements.generate_statement(
            SqlStore(session), BEIJING_HOSPITAL.fixmedins_code, "2026-11", LATER, "contract"
        )
    zero = "0.00"
    application = st.ClearingApplication.model_validate(
        {"clr_type": "11", "setlym": "202611", "psntime": 0, "medfee_sumamt": zero, "med_sumfee": zero,
         "fund_appy_sum": zero, "cash_payamt": zero, "acct_pay": zero, "begndate": "2026-11-01", "enddate": "2026-11-30"}
    )  # fmt: skip
    with world.settlement.runtime.unit_of_work() as session:
        evt_id = statements.apply_for_clearing(SqlStore(session), _call("3203"), application).ref_id
    with world.settlement.runtime.unit_of_work() as session:
        statements.revoke_clearing(SqlStore(session), _call("3204"), st.ClearingRevocation(clr_appy_evt_id=evt_id))
    with world.settlement.runtime.unit_of_work() as session:
        statements.confirm_statement(SqlStore(session), view["statement_id"], LATER, "contract")
    return [e for e in world.settlement.published(SETTLEMENTS_TOPIC) if e.event_type in STATEMENT_EVENTS]


def test_each_statement_change_is_one_event_keyed_by_the_statement(statement_events) -> None:
    assert [e.event_type for e in statement_events] == list(STATEMENT_EVENTS)
    assert {e.key for e in statement_events} == {"ST-H11010000001-2026-11"}
    issued = statement_events[0].payload["statement"]
    # the world's November settlement and its reversal, both in November: they net to nothing
    assert (issued["month"], issued["status"], issued["setl_cnt"], issued["settlements"]) == ("2026-11", "issued", 0, 2)
    assert Decimal(issued["owed_amt"]) == Decimal("0.00") and isinstance(issued["owed_amt"], str)
    applied = statement_events[1].payload["application"]
    assert (applied["status"], applied["clr_type"], applied["month"]) == ("applied", "11", "2026-11")
    assert statement_events[2].payload["application"]["status"] == "revoked"
    confirmed = statement_events[3].payload["statement"]
    assert (confirmed["status"], confirmed["confirmed_by"], confirmed["version"]) == ("confirmed", "contract", 2)


def test_remote_care_and_evoucher_apply_the_statement_events_and_change_nothing(world, statement_events) -> None:
    from evoucher.db import settlement as evoucher_settlement
    from evoucher.messaging import consumer as evoucher_consumer
    from remote_care.db import clearing_item
    from remote_care.messaging import consumer as remote_care_consumer

    events = [Event.from_json(e.to_json()) for e in statement_events]
    before = (world.remote_care.rows(clearing_item), world.evoucher.rows(evoucher_settlement))
    world.remote_care.apply(remote_care_consumer.handle, events)
    world.evoucher.apply(evoucher_consumer.handle, events)
    assert (world.remote_care.rows(clearing_item), world.evoucher.rows(evoucher_settlement)) == before
