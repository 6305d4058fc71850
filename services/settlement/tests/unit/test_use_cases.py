"""The national use cases on an in-memory store: no HTTP, no database.

Each test runs the use cases as the door would (validated input in, outcome out) and reads
the store's state afterwards: what moved, what was staged, and what a reversal gave back.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from fakes import FakeStore

from medshared.national import parse_request
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused
from settlement.policy import Accumulators
from settlement.usecases import fees, settling, visits
from settlement.usecases.common import HIS, MOBILE_PAY, Call

WANGQIANG = "54010000000000000004"  # 职工 (310) with a personal account and an assistance identity
CLINIC = SimpleNamespace(fixmedins_code="H54010000002", admdvs="540100", hosp_lv="1")
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)


def call(infno: str, input_: dict, *, channel: str = HIS, insuplc: str = "540100") -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"H5401000000220261124100000{infno}",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": insuplc,
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": "2026-11-24 10:00:00",
        "fixmedins_code": CLINIC.fixmedins_code,
        "fixmedins_name": "演示机构",
        "input": input_,
    }
    return Call(req=parse_request(envelope), inst=CLINIC, received=NOW, sender=CLINIC.fixmedins_code, channel=channel)


def open_visit(store: FakeStore, psn_no: str = WANGQIANG) -> str:
    person = store.people[psn_no]
    register = inp.Register(
        psn_no=psn_no,
        insutype="310",
        begntime=NOW,
        mdtrt_cert_type="02",
        mdtrt_cert_no=person.certno,
        ipt_otp_no="OP1",
        atddr_no="D",
        dr_name="D",
        dept_code="D",
        dept_name="D",
        caty="A03",
    )
    mdtrt_id = visits.register(store, call("2201", {}), register).ref_id
    info = inp.VisitInfo(mdtrt_id=mdtrt_id, psn_no=psn_no, med_type="11", begntime=NOW)
    visits.visit_info(store, call("2203", {}), info)
    return mdtrt_id


def fee(sn: str, mdtrt_id: str, code: str, cnt: str, pric: str, psn_no: str = WANGQIANG) -> inp.FeeDetail:
    amount = (Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01"))
    return inp.FeeDetail(
        feedetl_sn=sn,
        mdtrt_id=mdtrt_id,
        psn_no=psn_no,
        chrg_bchno="B1",
        med_list_codg=code,
        medins_list_codg="H-" + code,
        det_item_fee_sumamt=amount,
        cnt=Decimal(cnt),
        pric=Decimal(pric),
        fee_ocur_time=NOW,
    )


def settle_data(mdtrt_id: str, total: str, psn_no: str = WANGQIANG, acct: str = "1") -> inp.Settle:
    return inp.Settle(
        psn_no=psn_no,
        mdtrt_cert_type="02",
        mdtrt_cert_no=FakeStore().people[psn_no].certno,
        medfee_sumamt=Decimal(total),
        psn_setlway="01",
        mdtrt_id=mdtrt_id,
        insutype="310",
        acct_used_flag=acct,
    )


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


def test_a_settlement_moves_the_accumulators_and_the_account_and_stages_its_event(store):
    mdtrt_id = open_visit(store)
    fees.outpatient_fees(store, call("2204", {}), [fee("1", mdtrt_id, "002501010010000", "1", "30")])
    outcome = settling.settle_visit(store, call("2207", {}), settle_data(mdtrt_id, "30"))
    info = outcome.output["setlinfo"]

    assert info["medfee_sumamt"] == Decimal("30.00")
    assert info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"] == Decimal("30.00")
    assert store.read_accumulators(WANGQIANG, 2026).total_cost == Decimal("30.00")
    assert store.balance(WANGQIANG) == store.opening_balance[WANGQIANG] - info["acct_pay"]
    assert [e.event_type for _, e in store.events] == ["VisitSettled"]
    assert all(line.setl_id == outcome.ref_id for line in store.fee_lines(mdtrt_id))


def test_a_reversal_gives_back_exactly_what_the_settlement_took_once(store):
    store.accumulators[(WANGQIANG, 2026)] = Accumulators(
        outpatient_dedc=Decimal("200.00"), total_cost=Decimal("900.00")
    )
    before_accumulators = store.read_accumulators(WANGQIANG, 2026)
    before_balance = store.balance(WANGQIANG)
    mdtrt_id = open_visit(store)
    lines = [
        fee("1", mdtrt_id, "002501010010000", "2", "300"),
        fee("2", mdtrt_id, "XA10BAA059A001010100001", "3", "20"),
    ]
    fees.outpatient_fees(store, call("2204", {}), lines)
    settled = settling.settle_visit(store, call("2207", {}), settle_data(mdtrt_id, "660"))
    assert store.read_accumulators(WANGQIANG, 2026) != before_accumulators
    assert store.balance(WANGQIANG) < before_balance

    reverse = inp.Reverse(setl_id=settled.ref_id, mdtrt_id=mdtrt_id, psn_no=WANGQIANG)
    reversal = settling.reverse_settlement(store, call("2208", {}), reverse)

    assert store.read_accumulators(WANGQIANG, 2026) == before_accumulators
    assert store.balance(WANGQIANG) == before_balance
    assert reversal.output["setlinfo"]["medfee_sumamt"] == -settled.output["setlinfo"]["medfee_sumamt"]
    assert [e.event_type for _, e in store.events] == ["VisitSettled", "SettlementReversed"]
    with pytest.raises(Refused, match="already reversed"):
        settling.reverse_settlement(store, call("2208", {}), reverse)
    assert store.read_accumulators(WANGQIANG, 2026) == before_accumulators


def test_settling_again_after_a_reversal_gives_the_same_amounts(store):
    mdtrt_id = open_visit(store)
    fees.outpatient_fees(store, call("2204", {}), [fee("1", mdtrt_id, "002501010010000", "1", "480")])
    first = settling.settle_visit(store, call("2207", {}), settle_data(mdtrt_id, "480"))
    settling.reverse_settlement(
        store, call("2208", {}), inp.Reverse(setl_id=first.ref_id, mdtrt_id=mdtrt_id, psn_no=WANGQIANG)
    )
    again = settling.settle_visit(store, call("2207", {}), settle_data(mdtrt_id, "480"))
    amounts = ("fund_pay_sumamt", "hifp_pay", "acct_pay", "psn_cash_pay", "act_pay_dedc")
    assert [again.output["setlinfo"][k] for k in amounts] == [first.output["setlinfo"][k] for k in amounts]


def test_an_upload_with_one_bad_line_stores_no_line(store):
    mdtrt_id = open_visit(store)
    good = fee("1", mdtrt_id, "002501010010000", "1", "30")
    bad = fee("2", mdtrt_id, "002501010010000", "1", "30")
    bad.det_item_fee_sumamt = Decimal("31.00")  # not cnt x pric
    with pytest.raises(Exception, match="differs from cnt x pric"):
        fees.outpatient_fees(store, call("2204", {}), [good, bad])
    assert store.fee_lines(mdtrt_id) == []


def test_a_trial_settlement_changes_nothing(store):
    mdtrt_id = open_visit(store)
    fees.outpatient_fees(store, call("2204", {}), [fee("1", mdtrt_id, "002501010010000", "1", "30")])
    snapshot = copy.deepcopy((store.accumulators, store.account, store.settlements, store.events))
    trial = settling.settle_visit(store, call("2206", {}), settle_data(mdtrt_id, "30"))
    assert trial.output["setlinfo"]["setl_id"] is None
    assert (store.accumulators, store.account, store.settlements, store.events) == snapshot


def test_a_mobile_payment_settlement_is_reversed_only_by_the_mobile_payment_centre(store):
    mdtrt_id = open_visit(store)
    fees.outpatient_fees(store, call("2204", {}), [fee("1", mdtrt_id, "002501010010000", "1", "30")])
    settled = settling.settle_visit(store, call("2207", {}, channel=MOBILE_PAY), settle_data(mdtrt_id, "30"))
    reverse = inp.Reverse(setl_id=settled.ref_id, mdtrt_id=mdtrt_id, psn_no=WANGQIANG)
    with pytest.raises(Refused, match="refund it with 6203"):
        settling.reverse_settlement(store, call("2208", {}), reverse)
    assert settling.reverse_settlement(store, call("2208", {}, channel=MOBILE_PAY), reverse).ref_id
