"""Pharmacy purchases (2101 / 2102 / 2103) on the in-memory store: the amounts the rules give for an
employee and a resident, what a purchase moves and stores, and what its reversal gives back, once."""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeStore

from medshared.national import parse_request
from settlement.domain import inputs as inp
from settlement.domain import pharmacy as ph
from settlement.domain.errors import Refused
from settlement.policy import SettlementRuleError
from settlement.usecases import pharmacy, settling
from settlement.usecases.common import HIS, Call

ZHAXI, CIREN, WANGQIANG = "54010000000000000001", "54010000000000000003", "54010000000000000004"
ZHOUMIN, WUGANG = "43060000000000000001", "43060000000000000002"
PHARMACY = SimpleNamespace(fixmedins_code="P54010000001", admdvs="540100", hosp_lv="pharmacy")
OTHER_PHARMACY = SimpleNamespace(fixmedins_code="P54010000002", admdvs="540100", hosp_lv="pharmacy")
HOSPITAL = SimpleNamespace(fixmedins_code="H54010000001", admdvs="540100", hosp_lv="3")
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)
METFORMIN = "XA10BAA059A001010100001"  # 二甲双胍片, 甲类, no price cap
CEFUROXIME = "XJ01DCC041B002010100002"  # 注射用头孢呋辛钠, 乙类 0.10, cap 12.00
TRASTUZUMAB = "XL01XCT022B001010100003"  # 注射用曲妥珠单抗, 乙类 0.20, cap 2400.00
COSMETIC = "ZZ9999999999000"  # 丙类: paid in full by the person
_msgids = iter(range(1, 10_000))


def call(infno: str, input_: dict[str, Any], inst: Any = PHARMACY, insuplc: str = "540100") -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"{inst.fixmedins_code}20261124100000{next(_msgids):04d}",
        "mdtrtarea_admvs": inst.admdvs,
        "insuplc_admdvs": insuplc,
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "店员",
        "inf_time": "2026-11-24 10:00:00",
        "fixmedins_code": inst.fixmedins_code,
        "fixmedins_name": "演示药店",
        "input": input_,
    }
    return Call(req=parse_request(envelope), inst=inst, received=NOW, sender=inst.fixmedins_code, channel=HIS)


def purchase_input(
    store: FakeStore, psn_no: str, items: list[tuple[str, str, str]], *, acct: str = "1", **more: Any
) -> dict[str, Any]:
    lines = [
        {
            "feedetl_sn": f"D{i}",
            "rxno": "",
            "rx_circ_flag": "0",
            "fee_ocur_time": "2026-11-24 09:55:00",
            "med_list_codg": code,
            "medins_list_codg": "P-" + code,
            "det_item_fee_sumamt": str((Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01"))),
            "cnt": cnt,
            "pric": pric,
        }
        for i, (code, cnt, pric) in enumerate(items, 1)
    ]
    total = sum((Decimal(x["det_item_fee_sumamt"]) for x in lines), Decimal("0.00"))
    enrollment = store.enrollment_rows[psn_no][0]
    info = {
        "psn_no": psn_no,
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": store.people[psn_no].certno,
        "begntime": "2026-11-24 09:55:00",
        "medfee_sumamt": str(total),
        "insutype": enrollment.insutype,
        "med_type": "41",
        "acct_used_flag": acct,
        **more,
    }
    return {"druginfo": info, "drugdetail": lines}


def run(store: FakeStore, infno: str, input_: dict[str, Any], inst: Any = PHARMACY, insuplc: str = "540100") -> Any:
    the_call = call(infno, input_, inst, insuplc)
    if infno == "2103":
        return pharmacy.reverse(store, the_call, inp.read(ph.PurchaseReversal, input_["data"], "input.data"))
    info = inp.read(ph.DrugInfo, input_["druginfo"], "input.druginfo")
    return (pharmacy.presettle if infno == "2101" else pharmacy.settle)(store, the_call, info)


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


AMOUNTS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
           "hifp_pay", "maf_pay", "fund_pay_sumamt", "psn_part_amt", "acct_pay", "psn_cash_pay", "balc")  # fmt: skip
# (case, psn_no, insured pool, lines (code, cnt, pric), acct_used_flag, expected amounts in AMOUNTS order)
CASES = [
    ("an employee's metformin is paid from his account", WANGQIANG, "540100", [(METFORMIN, "10", "2.00")], "1",
     ("20.00", "0", "0", "0", "20.00", "0", "0", "0", "20.00", "20.00", "0", "4980.00")),
    ("an employee who keeps his account pays cash", WANGQIANG, "540100", [(METFORMIN, "10", "2.00")], "0",
     ("20.00", "0", "0", "0", "20.00", "0", "0", "0", "20.00", "0", "20.00", "5000.00")),
    ("the account pays the capped and class-B parts too", WANGQIANG, "540100", [(CEFUROXIME, "2", "15.00")], "1",
     ("30.00", "0", "6.00", "2.40", "21.60", "0", "0", "0", "30.00", "30.00", "0", "4970.00")),
    ("the account pays a self-paid item", WANGQIANG, "540100", [(COSMETIC, "1", "88.00")], "1",
     ("88.00", "88.00", "0", "0", "0", "0", "0", "0", "88.00", "88.00", "0", "4912.00")),
    ("the account pays what it holds, cash the rest", WANGQIANG, "540100", [(TRASTUZUMAB, "3", "2400.00")], "1",
     ("7200.00", "0", "0", "1440.00", "5760.00", "0", "0", "0", "7200.00", "5000.00", "2200.00", "0")),
    ("a resident pays cash even when asking for the account", ZHAXI, "540100", [(METFORMIN, "10", "2.00")], "1",
     ("20.00", "0", "0", "0", "20.00", "0", "0", "0", "20.00", "0", "20.00", "0")),
    ("medical assistance pays nothing at a pharmacy", CIREN, "540100", [(METFORMIN, "10", "2.00")], "0",
     ("20.00", "0", "0", "0", "20.00", "0", "0", "0", "20.00", "0", "20.00", "0")),
    ("a cross-province resident pays cash", ZHOUMIN, "430600", [(METFORMIN, "10", "2.00")], "0",
     ("20.00", "0", "0", "0", "20.00", "0", "0", "0", "20.00", "0", "20.00", "0")),
    ("a cross-province employee pays from his account", WUGANG, "430600", [(METFORMIN, "10", "2.00")], "1",
     ("20.00", "0", "0", "0", "20.00", "0", "0", "0", "20.00", "20.00", "0", "5980.00")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("psn_no", "pool", "items", "acct", "expected"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_purchase_is_priced_as_the_rules_give_to_the_cent(store, psn_no, pool, items, acct, expected):
    trial = run(store, "2101", purchase_input(store, psn_no, items, acct=acct), insuplc=pool).output["setlinfo"]
    final = run(store, "2102", purchase_input(store, psn_no, items, acct=acct), insuplc=pool).output["setlinfo"]

    wanted = {name: Decimal(value) for name, value in zip(AMOUNTS, expected, strict=True)}
    assert {name: trial[name] for name in AMOUNTS} == wanted
    assert {name: final[name] for name in AMOUNTS} == wanted
    assert (final["med_type"], final["clr_type"], final["pool_prop_selfpay"]) == ("41", "41", Decimal("0"))
    assert trial["setl_id"] is None and trial["mdtrt_id"] == "" and final["setl_id"] and final["mdtrt_id"]


def test_the_account_row_of_setldetail_is_the_only_one_and_each_line_is_answered_as_classified(store):
    out = run(store, "2102", purchase_input(store, WANGQIANG, [(CEFUROXIME, "2", "15.00"), (METFORMIN, "1", "2.00")]))

    (account,) = out.output["setldetail"]
    assert (account["fund_pay_type"], account["fund_payamt"], account["crt_payb_lmt_amt"]) == (
        "310200",
        Decimal("32.00"),
        Decimal("5000.00"),
    )
    cut = {x["feedetl_sn"]: x for x in out.output["detlcutinfo"]}
    assert (cut["D1"]["overlmt_amt"], cut["D1"]["preselfpay_amt"], cut["D1"]["inscp_scp_amt"]) == (
        Decimal("6.00"),
        Decimal("2.40"),
        Decimal("21.60"),
    )
    assert (cut["D1"]["pric_uplmt_amt"], cut["D2"]["chrgitm_lv"]) == (Decimal("12.00"), "01")


def test_a_trial_purchase_moves_nothing(store):
    snapshot = copy.deepcopy((store.visits, store.lines, store.settlements, store.accumulators, store.account))
    run(store, "2101", purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")]))
    assert (store.visits, store.lines, store.settlements, store.accumulators, store.account) == snapshot
    assert store.events == []


def test_a_purchase_is_a_settled_pharmacy_visit_whose_lines_are_its_fee_lines(store):
    out = run(store, "2102", purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")], invono="FP0001"))
    setl_id, mdtrt_id = out.ref_id, out.output["setlinfo"]["mdtrt_id"]

    visit = store.visits[mdtrt_id]
    assert (visit.kind, visit.status, visit.med_type, visit.fixmedins_code, visit.ipt_otp_no) == (
        "pharmacy",
        "settled",
        "41",
        "P54010000001",
        "FP0001",
    )
    (fee,) = store.fee_lines(mdtrt_id)
    assert (fee.feedetl_sn, fee.med_list_codg, fee.setl_id, fee.inscp_scp_amt) == (
        "D1",
        METFORMIN,
        setl_id,
        Decimal("20.00"),
    )
    row = store.settlements[setl_id]
    assert (row.infno, row.clr_type, row.med_type, row.pay_loc, row.acct_pay) == (
        "2102",
        "41",
        "41",
        "2",
        Decimal("20.00"),
    )
    assert store.read_accumulators(WANGQIANG, 2026).total_cost == Decimal("20.00")
    ((topic, event),) = store.events
    settled = event.payload["settlement"]
    assert (topic, event.event_type, settled["clr_type"], settled["med_type"], settled["infno"]) == (
        "settlement.settlements.v1",
        "VisitSettled",
        "41",
        "41",
        "2102",
    )
    assert (settled["fixmedins_code"], settled["mdtrt_id"], settled["acct_pay"]) == (
        "P54010000001",
        mdtrt_id,
        Decimal("20.00"),
    )


def test_a_reversal_gives_back_exactly_what_the_purchase_took_once(store):
    before_balance, before_accum = store.balance(WANGQIANG), store.read_accumulators(WANGQIANG, 2026)
    out = run(store, "2102", purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")]))
    mdtrt_id = out.output["setlinfo"]["mdtrt_id"]
    assert store.balance(WANGQIANG) == before_balance - Decimal("20.00")

    undo = {"data": {"setl_id": out.ref_id, "mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}}
    back = run(store, "2103", undo).output["setlinfo"]

    assert store.balance(WANGQIANG) == before_balance == back["balc"]
    assert store.read_accumulators(WANGQIANG, 2026) == before_accum
    assert (back["medfee_sumamt"], back["acct_pay"], back["clr_type"]) == (
        Decimal("-20.00"),
        Decimal("-20.00"),
        "41",
    )
    assert store.visits[mdtrt_id].status == "cancelled"
    assert [e.event_type for _, e in store.events] == ["VisitSettled", "SettlementReversed"]
    with pytest.raises(Refused, match="already reversed"):
        run(store, "2103", undo)
    assert store.balance(WANGQIANG) == before_balance


def test_a_reversal_without_mdtrt_id_finds_the_purchase_by_its_setl_id(store):
    out = run(store, "2102", purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")]))
    run(store, "2103", {"data": {"setl_id": out.ref_id, "psn_no": WANGQIANG}})
    assert store.settlements[out.ref_id].reversed_by


def test_2601_by_the_msgid_of_a_2102_reverses_the_purchase(store):
    settle_call = call("2102", purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")]))
    info = inp.read(ph.DrugInfo, settle_call.req.input["druginfo"], "input.druginfo")
    out = pharmacy.settle(store, settle_call, info)
    store.calls[(PHARMACY.fixmedins_code, settle_call.req.msgid)] = SimpleNamespace(
        fixmedins_code=PHARMACY.fixmedins_code, infno="2102", psn_no=WANGQIANG, ref_id=out.ref_id
    )
    undo = inp.Reversal(psn_no=WANGQIANG, omsgid=settle_call.req.msgid, oinfno="2102")
    back = settling.reverse_by_msgid(store, call("2601", {}), undo)

    assert back.output["setlinfo"]["acct_pay"] == Decimal("-20.00")
    assert store.balance(WANGQIANG) == store.opening_balance[WANGQIANG]


@pytest.mark.parametrize("infno", ["2101", "2102"])
def test_a_hospital_cannot_settle_a_pharmacy_purchase(store, infno):
    with pytest.raises(Refused, match="H54010000001 is a medical institution of level 3") as refused:
        run(store, infno, purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")]), inst=HOSPITAL)
    assert refused.value.code == "PHARMACY_ONLY"
    assert store.settlements == {} and store.events == []


def test_a_hospital_cannot_reverse_with_2103_and_a_stranger_pharmacy_cannot_reverse_at_all(store):
    out = run(store, "2102", purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")]))
    mdtrt_id = out.output["setlinfo"]["mdtrt_id"]
    undo = {"data": {"setl_id": out.ref_id, "mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}}

    with pytest.raises(Refused, match="designated retail pharmacies"):
        run(store, "2103", undo, inst=HOSPITAL)
    with pytest.raises(Refused, match="is not a visit of P54010000002"):
        run(store, "2103", undo, inst=OTHER_PHARMACY)
    with pytest.raises(Refused, match="is not a settlement of P54010000002"):
        run(store, "2103", {"data": {"setl_id": out.ref_id, "psn_no": WANGQIANG}}, inst=OTHER_PHARMACY)
    assert store.settlements[out.ref_id].reversed_by is None
    assert store.balance(WANGQIANG) == store.opening_balance[WANGQIANG] - Decimal("20.00")


def test_2208_on_a_purchase_names_2103(store):
    out = run(store, "2102", purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")]))
    mdtrt_id = out.output["setlinfo"]["mdtrt_id"]
    undo = inp.Reverse(setl_id=out.ref_id, mdtrt_id=mdtrt_id, psn_no=WANGQIANG)
    with pytest.raises(Refused, match="pharmacy visit; reverse it with 2103"):
        settling.reverse_settlement(store, call("2208", {}), undo)


@pytest.mark.parametrize(
    ("change", "message", "code"),
    [
        (lambda i: i["druginfo"].update(medfee_sumamt="21.00"), "does not match the 1 drug lines", "MEDFEE_MISMATCH"),
        (lambda i: i["druginfo"].update(med_type="11"), "med_type must be 41", "MED_TYPE_UNSUPPORTED"),
        (lambda i: i.pop("drugdetail"), "input.drugdetail is required", "INPUT_INVALID"),
        (lambda i: i["drugdetail"].append(dict(i["drugdetail"][0])), "appears twice", "DUPLICATE_LINE"),
        (lambda i: i["druginfo"].update(mdtrt_cert_no="540102198005010110"), "not the ID number", "CERT_MISMATCH"),
    ],
    ids=["total differs", "not med_type 41", "no drug lines", "a line twice", "another person's ID"],
)
def test_a_purchase_the_platform_cannot_settle_is_refused_naming_what_to_send(store, change, message, code):
    input_ = purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")])
    if "appears twice" in message:
        input_["druginfo"]["medfee_sumamt"] = "40.00"
    change(input_)
    with pytest.raises(Refused, match=message) as refused:
        run(store, "2102", input_)
    assert refused.value.code == code
    assert store.settlements == {} and store.visits == {}


def test_lines_sent_as_feedetail_are_read_as_drug_lines(store):
    input_ = purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")])
    input_["feedetail"] = input_.pop("drugdetail")
    assert run(store, "2102", input_).output["setlinfo"]["acct_pay"] == Decimal("20.00")


def test_a_line_that_is_not_cnt_times_pric_is_refused_by_the_engine(store):
    input_ = purchase_input(store, WANGQIANG, [(METFORMIN, "10", "2.00")])
    input_["drugdetail"][0]["pric"] = "2.50"
    with pytest.raises(SettlementRuleError, match="differs from cnt x pric"):
        run(store, "2102", input_)
    assert store.settlements == {}
