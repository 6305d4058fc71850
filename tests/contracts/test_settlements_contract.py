"""settlement.settlements.v1 and remote_care.filings.v1: a filing reaches settlement, the
out-of-area visit it allows is settled and reversed, and remote-care and e-voucher read both events.

The filing comes from remote-care's demo loader (its filing handler); the settlement and
its reversal from settlement's national use cases over its SQL store, for 吴刚 (insured in
430600, resettled to 110100) at a Beijing hospital.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from producers import WU_GANG

from remote_care.messaging.contracts import FILINGS_TOPIC
from settlement.messaging.contracts import SETTLEMENTS_TOPIC


def settlement_events(world) -> dict[str, dict]:
    return {e.event_type: e.payload for e in world.settlement.published(SETTLEMENTS_TOPIC)}


def fen(amount: str) -> int:
    return int(Decimal(amount) * 100)


def test_settlement_holds_the_filing_remote_care_publishes_with_its_values(world):
    from settlement.db import filing

    (sent,) = [
        e.payload["filing"] for e in world.remote_care.published(FILINGS_TOPIC) if e.event_type == "FilingCreated"
    ]
    (row,) = world.settlement.rows(filing, filing_id=sent["filing_id"])

    assert (row.psn_no, row.insuplc_admdvs, row.filing_type, row.target_admdvs, row.status, row.version) == (
        WU_GANG,
        sent["insuplc_admdvs"],
        sent["filing_type"],
        sent["target_admdvs"],
        "active",
        sent["version"],
    )
    assert (row.begndate, row.enddate) == (dt.date.fromisoformat(sent["begndate"]), None)


def test_the_filing_settlement_read_makes_the_beijing_visit_a_cross_province_settlement(world):
    settled = settlement_events(world)["VisitSettled"]["settlement"]

    assert (settled["psn_no"], settled["insuplc_admdvs"], settled["mdtrtarea_admvs"], settled["pay_loc"]) == (
        WU_GANG,
        "430600",
        "110100",
        "4",
    )
    assert Decimal(settled["fund_pay_sumamt"]) > 0


def test_remote_care_clears_the_settlement_and_its_reversal_with_settlements_amounts_in_fen(world):
    from remote_care.db import clearing_item

    events = settlement_events(world)
    settled, reversal = events["VisitSettled"]["settlement"], events["SettlementReversed"]["settlement"]
    assert events["SettlementReversed"]["original_setl_id"] == world.setl_id == settled["setl_id"]

    (line,) = world.remote_care.rows(clearing_item, setl_id=settled["setl_id"])
    (undo,) = world.remote_care.rows(clearing_item, setl_id=reversal["setl_id"])

    assert (line.line_setl_id, line.setl_cnt, line.period, line.pay_loc, line.clr_type) == (
        settled["setl_id"],
        1,
        "2026-11",
        "4",
        settled["clr_type"],
    )
    assert (line.insuplc_admdvs, line.mdtrtarea_admvs, line.psn_no, line.certno, line.fixmedins_code) == (
        "430600",
        "110100",
        WU_GANG,
        settled["certno"],
        settled["fixmedins_code"],
    )
    assert (line.medfee_fen, line.fund_fen, line.acct_fen) == (
        fen(settled["medfee_sumamt"]),
        fen(settled["fund_pay_sumamt"]),
        fen(settled["acct_pay"]),
    )
    assert (undo.line_setl_id, undo.setl_cnt) == (settled["setl_id"], -1)
    assert (undo.medfee_fen, undo.fund_fen, undo.acct_fen) == (-line.medfee_fen, -line.fund_fen, -line.acct_fen)


def test_evoucher_keeps_the_settlement_and_marks_it_reversed_when_the_reversal_arrives(world):
    from evoucher.db import settlement

    events = settlement_events(world)
    settled, reversal = events["VisitSettled"]["settlement"], events["SettlementReversed"]["settlement"]

    (row,) = world.evoucher.rows(settlement, setl_id=settled["setl_id"])
    (undo,) = world.evoucher.rows(settlement, setl_id=reversal["setl_id"])

    assert (row.psn_no, row.fixmedins_code, row.insuplc_admdvs, row.mdtrt_cert_type, row.med_type) == (
        WU_GANG,
        settled["fixmedins_code"],
        "430600",
        settled["mdtrt_cert_type"],
        settled["med_type"],
    )
    amounts = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")
    assert [Decimal(getattr(row, name)) for name in amounts] == [Decimal(settled[name]) for name in amounts]
    assert [Decimal(getattr(undo, name)) for name in amounts] == [Decimal(reversal[name]) for name in amounts]
    assert row.reversed is True
    assert undo.original_setl_id == settled["setl_id"]


def test_a_cost_threshold_event_changes_nothing_in_the_consumers_of_settlements(world):
    from evoucher.db import settlement as evoucher_settlement
    from evoucher.messaging import consumer as evoucher_consumer
    from medshared.events import Event
    from remote_care.db import clearing_item
    from remote_care.messaging import consumer as remote_care_consumer
    from settlement.messaging import contracts

    built = contracts.cost_threshold_passed(WU_GANG, 2026, "total_cost", Decimal("2000"), Decimal("3000"))
    event = Event.from_json(built.to_json())
    before = (world.remote_care.rows(clearing_item), world.evoucher.rows(evoucher_settlement))

    world.remote_care.apply(remote_care_consumer.handle, [event])
    world.evoucher.apply(evoucher_consumer.handle, [event])

    assert event.payload == {
        "psn_no": WU_GANG,
        "year": 2026,
        "kind": "total_cost",
        "threshold": "2000.00",
        "amount_after": "3000.00",
    }
    assert (world.remote_care.rows(clearing_item), world.evoucher.rows(evoucher_settlement)) == before
