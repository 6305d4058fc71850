"""settlement.settlements.v1 carries a pharmacy purchase as it carries a visit: 吴刚 (insured in 岳阳 430600)
buys metformin at the demo pharmacy of 拉萨 (P54010000001, cross-province), pays from his account, and the
pharmacy gives it back; remote-care clears both as clr_type 41 and e-voucher keeps both as med_type 41.

The purchase and its reversal come from settlement's pharmacy use cases (2102, 2103) over its SQL store;
remote-care and e-voucher apply the events as their inbox consumers do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from producers import WU_GANG, Service, migrated

from medshared.national import parse_request
from medshared.testing import create_database

LHASA_PHARMACY = SimpleNamespace(fixmedins_code="P54010000001", admdvs="540100", hosp_lv="pharmacy")
SALE_TIME = dt.datetime(2026, 11, 24, 10, 0, 0)


def _call(infno: str, input_: dict[str, Any]) -> Any:
    from settlement.usecases.common import HIS, Call

    envelope = {
        "infno": infno,
        "msgid": f"{LHASA_PHARMACY.fixmedins_code}20261124100000{infno}",
        "mdtrtarea_admvs": LHASA_PHARMACY.admdvs,
        "insuplc_admdvs": "430600",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "店员",
        "inf_time": SALE_TIME.strftime("%Y-%m-%d %H:%M:%S"),
        "fixmedins_code": LHASA_PHARMACY.fixmedins_code,
        "fixmedins_name": "拉萨市民生药房(演示)",
        "input": input_,
    }
    return Call(
        req=parse_request(envelope),
        inst=LHASA_PHARMACY,
        received=SALE_TIME,
        sender=LHASA_PHARMACY.fixmedins_code,
        channel=HIS,
    )


def buy_and_give_back(settlement: Service) -> str:
    """The setl_id of the purchase; its VisitSettled and the reversal's SettlementReversed are in the outbox."""
    from settlement.domain import inputs as inp
    from settlement.domain import pharmacy as ph
    from settlement.store import SqlStore
    from settlement.usecases import pharmacy

    with settlement.runtime.unit_of_work() as session:
        store = SqlStore(session)
        certno = store.person(WU_GANG).certno
        druginfo = {"psn_no": WU_GANG, "mdtrt_cert_type": "02", "mdtrt_cert_no": certno,
                    "begntime": "2026-11-24 10:00:00", "medfee_sumamt": "20.00", "insutype": "310",
                    "acct_used_flag": "1", "med_type": "41"}  # fmt: skip
        drug = {"feedetl_sn": "1", "fee_ocur_time": "2026-11-24 10:00:00", "med_list_codg": "XA10BAA059A001010100001",
                "medins_list_codg": "YP0001", "det_item_fee_sumamt": "20.00", "cnt": "10", "pric": "2.00"}  # fmt: skip
        call = _call("2102", {"druginfo": druginfo, "drugdetail": [drug]})
        settled = pharmacy.settle(store, call, inp.read(ph.DrugInfo, druginfo, "input.druginfo"))
        setl_id = str(settled.ref_id)
        mdtrt_id = settled.output["setlinfo"]["mdtrt_id"]
    with settlement.runtime.unit_of_work() as session:
        undo = {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": WU_GANG}
        pharmacy.reverse(SqlStore(session), _call("2103", {"data": undo}), ph.PurchaseReversal(**undo))
    return setl_id


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shops(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from enrollment.db import outbox as enrollment_outbox
    from enrollment.demo import load_demo as load_enrollment_demo
    from enrollment.messaging.contracts import TOPIC as PEOPLE
    from evoucher.db import outbox as evoucher_outbox
    from evoucher.messaging import consumer as evoucher_consumer
    from remote_care.db import outbox as remote_care_outbox
    from remote_care.messaging import consumer as remote_care_consumer
    from settlement.db import outbox as settlement_outbox
    from settlement.demo import load_demo as load_settlement_demo
    from settlement.messaging import consumer as settlement_consumer
    from settlement.messaging.contracts import SETTLEMENTS_TOPIC

    directory = tmp_path_factory.mktemp(f"pharmacy-contracts-{request.param}")

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
        for service, handle in (
            (settlement, settlement_consumer.handle),
            (remote_care, remote_care_consumer.handle),
            (evoucher, evoucher_consumer.handle),
        ):
            service.apply(handle, people)
        setl_id = buy_and_give_back(settlement)
        events = {e.event_type: e.payload for e in settlement.published(SETTLEMENTS_TOPIC)}
        remote_care.apply(remote_care_consumer.handle, settlement.published(SETTLEMENTS_TOPIC))
        evoucher.apply(evoucher_consumer.handle, settlement.published(SETTLEMENTS_TOPIC))
        yield {"setl_id": setl_id, "events": events, "remote_care": remote_care, "evoucher": evoucher}
    finally:
        for service in (enrollment, settlement, remote_care, evoucher):
            service.runtime.engine.dispose()


def fen(amount: str) -> int:
    return int(Decimal(amount) * 100)


def test_a_pharmacy_purchase_is_published_with_clr_type_and_med_type_41(shops):
    settled = shops["events"]["VisitSettled"]["settlement"]
    reversal = shops["events"]["SettlementReversed"]["settlement"]

    assert (settled["setl_id"], settled["infno"], settled["fixmedins_code"], settled["pay_loc"]) == (
        shops["setl_id"],
        "2102",
        "P54010000001",
        "4",
    )
    assert (settled["clr_type"], settled["med_type"], settled["acct_pay"], settled["fund_pay_sumamt"]) == (
        "41",
        "41",
        "20.00",
        "0.00",
    )
    assert (reversal["infno"], reversal["clr_type"], reversal["acct_pay"]) == ("2103", "41", "-20.00")
    assert shops["events"]["SettlementReversed"]["original_setl_id"] == shops["setl_id"]


def test_remote_care_clears_the_purchase_and_its_reversal_as_clr_type_41(shops):
    from remote_care.db import clearing_item

    settled = shops["events"]["VisitSettled"]["settlement"]
    reversal = shops["events"]["SettlementReversed"]["settlement"]
    (line,) = shops["remote_care"].rows(clearing_item, setl_id=settled["setl_id"])
    (undo,) = shops["remote_care"].rows(clearing_item, setl_id=reversal["setl_id"])

    assert (line.clr_type, line.pay_loc, line.insuplc_admdvs, line.mdtrtarea_admvs, line.setl_cnt) == (
        "41",
        "4",
        "430600",
        "540100",
        1,
    )
    assert (line.medfee_fen, line.fund_fen, line.acct_fen) == (fen("20.00"), 0, fen("20.00"))
    assert (undo.clr_type, undo.line_setl_id, undo.setl_cnt, undo.acct_fen) == ("41", settled["setl_id"], -1, -2000)


def test_evoucher_keeps_the_purchase_as_med_type_41_and_marks_it_reversed(shops):
    from evoucher.db import settlement

    settled = shops["events"]["VisitSettled"]["settlement"]
    (row,) = shops["evoucher"].rows(settlement, setl_id=settled["setl_id"])

    assert (row.psn_no, row.fixmedins_code, row.med_type, row.insuplc_admdvs) == (
        WU_GANG,
        "P54010000001",
        "41",
        "430600",
    )
    assert (Decimal(row.acct_pay), Decimal(row.psn_cash_pay), row.reversed) == (Decimal("20.00"), Decimal("0"), True)
