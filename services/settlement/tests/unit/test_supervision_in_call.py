"""Fund supervision inside a settlement call (settlement.usecases.supervising), against a store that counts
what it is asked: no rule set or no looking-back rule reads no history; a rule set that looks back reads
the person's history once, from the visit's start minus the largest window, without the visit itself; an
excluded amount leaves fund payment to the cent while every line still adds up; a refusing rule names
itself and the line; setl_proc_info names each excluding rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from supervision_cases import DEMO, EXAM, INFUSION, METFORMIN, TRASTUZUMAB

from settlement.domain import supervision as sv
from settlement.domain.errors import Refused
from settlement.policy import LineResult
from settlement.usecases import supervising

D = Decimal
BEGIN = dt.datetime(2026, 11, 24, 9, 0)


class CountingStore:
    """Only what supervise() reads, and how often."""

    def __init__(self, rules: sv.RuleSet | None, history: sv.History | None = None) -> None:
        self.rules, self.history = rules, history or sv.History()
        self.history_calls: list[tuple[str, sv.HistoryNeed, str | None]] = []

    def supervision_history(self, psn_no: str, need: sv.HistoryNeed, *, exclude_mdtrt_id: str | None) -> sv.History:
        self.history_calls.append((psn_no, need, exclude_mdtrt_id))
        return self.history

    def diagnoses(self, mdtrt_ids: list[str]) -> list[Any]:
        return []


def _only(*rule_ids: str) -> sv.RuleSet:
    return sv.RuleSet(DEMO.version, DEMO.valid_from, tuple(r for r in DEMO.rules if r.rule_id in rule_ids))


def _call(infno: str = "2207") -> Any:
    req = SimpleNamespace(infno=infno, fixmedins_code="H54010000001")
    return SimpleNamespace(req=req, inst=SimpleNamespace(hosp_lv="3", admdvs="540100"), now=BEGIN)


PSN = SimpleNamespace(psn_no="54010000000000000004", gend="1", brdy=dt.date(1985, 1, 15))  # 王强
ROW = SimpleNamespace(mdtrt_id="M1", psn_no=PSN.psn_no, begntime=BEGIN, insutype="310", med_type="11",
                      kind="outpatient", dise_codg=None)  # fmt: skip


def _line(sn: str, code: str, cnt: str, pric: str) -> Any:
    return SimpleNamespace(feedetl_sn=sn, med_list_codg=code, cnt=D(cnt), pric=D(pric),
                           det_item_fee_sumamt=(D(cnt) * D(pric)).quantize(D("0.01")), fee_ocur_time=BEGIN)  # fmt: skip


def test_no_rule_set_in_force_checks_nothing_and_reads_no_history() -> None:
    store = CountingStore(None)
    assert (
        supervising.supervise(store, _call(), PSN, ROW, [_line("1", INFUSION, "10", "12.00")], store.rules)
        is supervising.NOTHING
    )
    assert store.history_calls == []


def test_rules_that_do_not_look_back_read_no_history() -> None:
    store = CountingStore(_only("SUP-PRC-001", "SUP-GEN-001"))
    found = supervising.supervise(store, _call(), PSN, ROW, [_line("1", INFUSION, "10", "12.00")], store.rules)
    assert store.history_calls == []
    assert [v.rule_id for v in found.violations] == ["SUP-PRC-001"] and found.excluded == {"1": D("20.00")}


def test_rules_that_look_back_read_the_history_once_only_for_the_codes_they_name_each_from_its_window() -> None:
    store = CountingStore(DEMO)
    assert sv.history_window(DEMO) >= 90  # SUP-FRQ-001 counts 90 days back
    supervising.supervise(
        store,
        _call(),
        PSN,
        ROW,
        [_line("1", METFORMIN, "10", "2.00"), _line("2", EXAM, "1", "15"), _line("3", INFUSION, "1", "8")],
        store.rules,
    )
    # metformin's 90 days (SUP-FRQ-001) and the examination fee's day (SUP-DUP-001), from midnight; the
    # infusion set's price cap and the outpatient visit's re-admission rule read nothing
    need = sv.HistoryNeed(
        lines=((dt.datetime(2026, 8, 26), (METFORMIN,)), (dt.datetime(2026, 11, 23), (EXAM,))), stays_since=None
    )
    assert store.history_calls == [(PSN.psn_no, need, "M1")]


def test_lines_no_look_back_rule_names_read_no_history() -> None:
    store = CountingStore(DEMO)
    supervising.supervise(store, _call(), PSN, ROW, [_line("1", INFUSION, "1", "8.00")], store.rules)
    assert store.history_calls == []


def test_a_charge_in_the_history_makes_the_visits_one_a_duplicate() -> None:
    earlier = sv.PastLine("M0", EXAM, D("1"), BEGIN - dt.timedelta(hours=2), key="9")
    store = CountingStore(_only("SUP-DUP-001"), sv.History(lines=(earlier,)))
    found = supervising.supervise(store, _call(), PSN, ROW, [_line("1", EXAM, "1", "15.00")], store.rules)
    assert found.excluded == {"1": D("15.00")} and len(store.history_calls) == 1


def test_a_refusing_rule_refuses_naming_the_rule_its_text_and_the_line() -> None:
    store = CountingStore(_only("SUP-GEN-001"))
    with pytest.raises(Refused) as refused:
        supervising.supervise(store, _call("2206"), PSN, ROW, [_line("7", TRASTUZUMAB, "1", "2400.00")], store.rules)
    assert refused.value.code == "SUPERVISION_REFUSED"
    assert "SUP-GEN-001" in refused.value.message and "feedetl_sn 7" in refused.value.message


def _classified(sn: str, amount: str, *, pre: str = "0", over: str = "0", own: str = "0") -> LineResult:
    total = D(amount)
    inscp = total - D(pre) - D(over) - D(own)
    return LineResult(sn, INFUSION, total, D("1"), total, None, D("0.3"), "2", D(own), D(over), D(pre), inscp)


def test_an_excluded_amount_leaves_fund_payment_to_the_cent_and_the_line_still_adds_up() -> None:
    lines = [_classified("1", "120.00", pre="36.00"), _classified("2", "50.00", pre="15.00")]
    after = supervising.exclude(lines, {"1": D("20.00")})
    one, two = after
    # 20.00 is the person's in full; the other 100.00 keeps its 30% pre-self-pay split
    assert (one.fulamt_ownpay_amt, one.preselfpay_amt, one.inscp_scp_amt) == (D("20.00"), D("30.00"), D("70.00"))
    assert two == lines[1]
    for line in after:
        parts = line.fulamt_ownpay_amt + line.overlmt_amt + line.preselfpay_amt + line.inscp_scp_amt
        assert parts == line.det_item_fee_sumamt


def test_an_exclusion_never_takes_more_than_the_fund_could_pay() -> None:
    (line,) = supervising.exclude([_classified("1", "30.00", own="10.00")], {"1": D("50.00")})
    assert (line.fulamt_ownpay_amt, line.inscp_scp_amt, line.preselfpay_amt) == (D("30.00"), D("0.00"), D("0"))


def test_nothing_excluded_leaves_the_lines_as_they_were() -> None:
    lines = [_classified("1", "120.00", pre="36.00")]
    assert supervising.exclude(lines, {}) is lines


def test_setl_proc_info_names_each_excluding_rule_and_nothing_else() -> None:
    store = CountingStore(_only("SUP-PRC-001", "SUP-AGE-001"))
    found = supervising.supervise(store, _call(), PSN, ROW, [_line("1", INFUSION, "10", "12.00")], store.rules)
    details = [{"fund_pay_type": "310100", "setl_proc_info": ""}, {"fund_pay_type": "310200", "setl_proc_info": "x"}]
    named = supervising.annotate(details, found)
    assert all("SUP-PRC-001" in d["setl_proc_info"] and "20.00" in d["setl_proc_info"] for d in named)
    assert named[1]["setl_proc_info"].startswith("x；")
    recorded = dataclasses.replace(found, violations=tuple(
        dataclasses.replace(v, action=sv.Action.RECORD) for v in found.violations))  # fmt: skip
    assert supervising.annotate(details, recorded) is details
