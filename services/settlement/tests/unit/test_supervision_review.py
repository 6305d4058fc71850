"""The bureau's side of fund supervision on the in-memory store: violations stored as a settlement
finds them, the person's history the rules read, the review (confirm, dismiss, recover within
vola_amt), the withdrawal when a settlement is reversed, the institution's evidence, the rule sets,
and monthly figures whose parts add up to the whole; every change with its event."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeStore

from medshared import jsonutil
from medshared.errors import Conflict, Invalid, NotFound
from settlement.domain import supervision as sv
from settlement.domain import supervision_review as rv
from settlement.messaging import supervision_contracts as contracts
from settlement.usecases import supervision_review as review

D = Decimal
HOSPITAL, CLINIC = "H54010000001", "H54010000002"
ZHAXI, ZHUOMA = "54010000000000000001", "54010000000000000002"
NOV = dt.datetime(2026, 11, 20, 9, 30)
NOW = dt.datetime(2026, 12, 2, 10, 0)
_serial = iter(range(1, 1_000_000))


def found(
    store: FakeStore,
    amount: str = "120.00",
    *,
    fixmedins_code: str = HOSPITAL,
    rule_id: str = "R-DUP-01",
    at: dt.datetime = NOV,
    setl_id: str | None = None,
) -> Any:
    """One violation as a final settlement stores it (through the port, as settlement does)."""
    n = next(_serial)
    store.add_violations(
        [
            {
                "setl_id": setl_id or f"S{n:06d}",
                "mdtrt_id": f"M{n:06d}",
                "psn_no": ZHAXI,
                "fixmedins_code": fixmedins_code,
                "admdvs": "540100",
                "rule_set_version": "SUP-2026-01",
                "rule_id": rule_id,
                "rule_name": "重复收费",
                "category": "duplicate_charge",
                "severity": "3",
                "action": "record",
                "vola_cont": "一般诊疗费与挂号费同日重复收取",
                "vola_amt": D(amount),
                "line_keys": ["2"],
                "evidence": "line 1 charged 001102000010000 at 09:30",
                "found_at": at,
            }
        ]
    )
    return max(store.violation_rows.values(), key=lambda r: int(r.mdtrt_id[1:]))


def events(store: FakeStore) -> list[tuple[str, dict[str, Any]]]:
    return [(e.event_type, e.payload) for topic, e in store.events if topic == contracts.SUPERVISION_TOPIC]


# ---------------------------------------------------------------- stored as settlement finds them


def test_a_violation_is_stored_open_with_a_jr_id_and_its_month_and_published():
    store = FakeStore()
    row = found(store, "88.50")
    assert row.jr_id.startswith("JR540100") and len(row.jr_id) == 32
    assert (row.status, row.month, row.recovered_amt, row.version) == ("open", "2026-11", D("0.00"), 1)
    [(event_type, payload)] = events(store)
    assert event_type == "ViolationFound"
    assert payload["violation"]["jr_id"] == row.jr_id
    assert payload["violation"]["vola_amt"] == D("88.50")
    assert payload["violation"]["line_keys"] == ["2"]
    assert payload["violation"]["sev_deg"] == "3"


def test_a_row_without_what_names_the_violation_is_refused():
    complete = found(FakeStore()).__dict__
    for name in ("setl_id", "rule_id", "vola_amt", "found_at"):
        with pytest.raises(ValueError, match=f"a violation needs {name}$"):
            rv.new_violation_row(complete | {name: None})


# ---------------------------------------------------------------- the history the rules read


def _visit(store: FakeStore, mdtrt_id: str, psn_no: str, kind: str, begin: dt.datetime, **kw: Any) -> None:
    status = kw.pop("status", "settled")
    store.add_visit(
        {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "kind": kind, "status": status}
        | {"fixmedins_code": HOSPITAL, "begntime": begin}
    )
    store.update_visit(mdtrt_id, **kw)


def _line(store: FakeStore, mdtrt_id: str, sn: str, code: str, when: dt.datetime, cnt: str = "1") -> None:
    store.add_fee_lines(
        [{"mdtrt_id": mdtrt_id, "feedetl_sn": sn, "med_list_codg": code, "cnt": D(cnt), "fee_ocur_time": when}]
    )


def test_the_history_holds_the_persons_other_visits_since_the_day_and_no_cancelled_one():
    store = FakeStore()
    since = dt.datetime(2026, 11, 1)
    _visit(store, "NOW", ZHAXI, "outpatient", dt.datetime(2026, 11, 24, 9), status="info_uploaded")
    _visit(store, "EARLIER", ZHAXI, "outpatient", dt.datetime(2026, 11, 20, 9))
    _visit(store, "CANCELLED", ZHAXI, "outpatient", dt.datetime(2026, 11, 21, 9), status="cancelled")
    _visit(store, "OTHER", ZHUOMA, "outpatient", dt.datetime(2026, 11, 20, 9))
    _visit(store, "STAY", ZHAXI, "inpatient", dt.datetime(2026, 11, 2, 8), endtime=dt.datetime(2026, 11, 9, 10))
    _visit(store, "OLDSTAY", ZHAXI, "inpatient", dt.datetime(2026, 9, 2), endtime=dt.datetime(2026, 9, 9))
    _visit(store, "STILL_IN", ZHAXI, "inpatient", dt.datetime(2026, 10, 25), status="admitted", endtime=None)
    _line(store, "NOW", "1", "A", dt.datetime(2026, 11, 24, 9, 30))
    _line(store, "EARLIER", "1", "A", dt.datetime(2026, 11, 20, 9, 30), "2")
    _line(store, "EARLIER", "2", "B", dt.datetime(2026, 10, 31, 23, 59))  # before the day
    _line(store, "CANCELLED", "1", "A", dt.datetime(2026, 11, 21, 9, 30))
    _line(store, "OTHER", "1", "A", dt.datetime(2026, 11, 20, 9, 30))
    _line(store, "STAY", "1", "C", dt.datetime(2026, 11, 3, 8))

    need = sv.HistoryNeed(lines=((since, ("A", "B", "C")),), stays_since=since)
    history = store.supervision_history(ZHAXI, need, exclude_mdtrt_id="NOW")

    assert [(x.mdtrt_id, x.code, x.cnt) for x in history.lines] == [("STAY", "C", D(1)), ("EARLIER", "A", D(2))]
    assert [s.mdtrt_id for s in history.stays] == ["STILL_IN", "STAY"]
    assert history.stays[1].end == dt.datetime(2026, 11, 9, 10)
    everything = store.supervision_history(ZHAXI, need, exclude_mdtrt_id=None)
    assert "NOW" in {x.mdtrt_id for x in everything.lines}


# ---------------------------------------------------------------- the review


def test_a_reviewer_confirms_an_open_violation_once_and_the_step_is_in_the_trail():
    store = FakeStore()
    row = found(store)
    detail = review.review(store, row.jr_id, rv.CONFIRM, reviewer="clearing-01", note=None, at=NOW)
    assert (detail["status"], detail["reviewer"], detail["version"]) == ("confirmed", "clearing-01", 2)
    [step] = detail["reviews"]
    assert (step["step"], step["status_before"], step["status_after"], step["actor"]) == (
        "confirm",
        "open",
        "confirmed",
        "clearing-01",
    )
    assert [t for t, _ in events(store)] == ["ViolationFound", "ViolationConfirmed"]
    with pytest.raises(Conflict, match="is confirmed; only an open violation"):
        review.review(store, row.jr_id, rv.CONFIRM, reviewer="clearing-02", note=None, at=NOW)
    with pytest.raises(Conflict):
        review.review(store, row.jr_id, rv.DISMISS, reviewer="clearing-02", note="no", at=NOW)
    assert len(store.violation_reviews(row.jr_id)) == 1


def test_a_dismissal_says_why():
    store = FakeStore()
    row = found(store)
    with pytest.raises(Invalid) as refused:
        review.review(store, row.jr_id, rv.DISMISS, reviewer="clearing-01", note="  ", at=NOW)
    assert refused.value.extra["field"] == "note"
    detail = review.review(store, row.jr_id, rv.DISMISS, reviewer="clearing-01", note="医嘱齐全", at=NOW)
    assert (detail["status"], detail["review_note"]) == ("dismissed", "医嘱齐全")
    assert events(store)[-1][0] == "ViolationDismissed"


def test_an_unknown_violation_reads_as_not_found():
    with pytest.raises(NotFound, match="JRNOPE"):
        review.read_violation(FakeStore(), "JRNOPE")


def test_money_is_recovered_only_for_a_confirmed_violation_and_never_more_than_vola_amt():
    store = FakeStore()
    row = found(store, "100.00")
    with pytest.raises(Conflict, match="confirm it first"):
        review.record_recovery(store, row.jr_id, D("10.00"), reviewer="clearing-01", note=None, at=NOW)
    review.review(store, row.jr_id, rv.CONFIRM, reviewer="clearing-01", note=None, at=NOW)
    for bad in (D("0"), D("-1.00"), D("0.001"), "ten", 1.5, D("1E+20")):
        with pytest.raises(Invalid) as refused:
            review.record_recovery(store, row.jr_id, bad, reviewer="clearing-01", note=None, at=NOW)
        assert refused.value.extra["field"] == "amount"
    review.record_recovery(store, row.jr_id, D("60.00"), reviewer="clearing-01", note="第一笔", at=NOW)
    with pytest.raises(Conflict, match=r"more than the 40\.00 still to recover"):
        review.record_recovery(store, row.jr_id, D("40.01"), reviewer="clearing-01", note=None, at=NOW)
    detail = review.record_recovery(store, row.jr_id, "40", reviewer="clearing-01", note=None, at=NOW)
    assert detail["recovered_amt"] == D("100.00")
    assert [(s["step"], s["amount"]) for s in detail["reviews"]] == [
        ("confirm", None),
        ("recover", D("60.00")),
        ("recover", D("40.00")),
    ]
    with pytest.raises(Conflict, match=r"more than the 0\.00 still to recover"):
        review.record_recovery(store, row.jr_id, D("0.01"), reviewer="clearing-01", note=None, at=NOW)
    recovered = [p for t, p in events(store) if t == "ViolationRecovered"]
    assert [(p["recovery"]["amount"], p["violation"]["recovered_amt"]) for p in recovered] == [
        (D("60.00"), D("60.00")),
        (D("40.00"), D("100.00")),
    ]


def test_a_stale_read_cannot_overwrite_a_decision_taken_meanwhile():
    store = FakeStore()
    row = found(store)
    stale_version = row.version
    review.review(store, row.jr_id, rv.CONFIRM, reviewer="clearing-01", note=None, at=NOW)
    assert store.update_violation(row.jr_id, stale_version, status="dismissed") is False
    assert store.violation(row.jr_id).status == "confirmed"


def test_a_reversed_settlement_withdraws_its_open_violations_only():
    store = FakeStore()
    first = found(store, setl_id="S-REV")
    second = found(store, setl_id="S-REV")
    kept = found(store, setl_id="S-KEEP")
    review.review(store, second.jr_id, rv.CONFIRM, reviewer="clearing-01", note=None, at=NOW)

    withdrawn = store.withdraw_violations("S-REV", by_setl_id="S-REVERSAL", at=NOW)

    assert [w.jr_id for w in withdrawn] == [first.jr_id]
    assert (first.status, first.withdrawn_by, first.withdrawn_at) == ("withdrawn", "S-REVERSAL", NOW)
    assert (second.status, kept.status) == ("confirmed", "open")
    [step] = store.violation_reviews(first.jr_id)
    assert (step.step, step.actor, step.status_after) == ("withdraw", "settlement S-REVERSAL", "withdrawn")
    assert events(store)[-1][0] == "ViolationWithdrawn"
    assert events(store)[-1][1]["violation"]["withdrawn_by"] == "S-REVERSAL"
    assert store.withdraw_violations("S-REV", by_setl_id="S-REVERSAL", at=NOW) == []
    with pytest.raises(Conflict, match="is withdrawn"):
        review.review(store, first.jr_id, rv.CONFIRM, reviewer="clearing-01", note=None, at=NOW)


# ---------------------------------------------------------------- the institution's evidence


def test_an_institution_answers_its_own_violation_and_a_stranger_finds_none():
    store = FakeStore()
    row = found(store)
    with pytest.raises(NotFound):
        review.submit_evidence(store, row.jr_id, institution=CLINIC, text="不是我们的", at=NOW)
    with pytest.raises(NotFound):
        review.read_violation(store, row.jr_id, institution=CLINIC)
    answer = review.submit_evidence(store, row.jr_id, institution=HOSPITAL, text=" 附医嘱单 ", at=NOW)
    assert (answer["text"], answer["submitted_by"]) == ("附医嘱单", HOSPITAL)
    assert review.read_violation(store, row.jr_id, institution=HOSPITAL)["institution_evidence"] == [answer]
    (event_type, payload) = events(store)[-1]
    assert event_type == "ViolationEvidenceSubmitted"
    assert payload["evidence"]["text"] == "附医嘱单"
    assert store.violation(row.jr_id).version == 1  # evidence does not change the violation


def test_evidence_must_say_something_within_bounds_and_only_while_the_violation_stands():
    store = FakeStore()
    row = found(store)
    for text, code in (("   ", "evidence_empty"), ("x" * 2001, "evidence_too_long")):
        with pytest.raises(Invalid) as refused:
            review.submit_evidence(store, row.jr_id, institution=HOSPITAL, text=text, at=NOW)
        assert refused.value.code == code
    for i in range(rv.MAX_EVIDENCE):
        review.submit_evidence(store, row.jr_id, institution=HOSPITAL, text=f"part {i}", at=NOW)
    with pytest.raises(Conflict, match="already has 20 answers"):
        review.submit_evidence(store, row.jr_id, institution=HOSPITAL, text="one more", at=NOW)
    other = found(store)
    review.review(store, other.jr_id, rv.DISMISS, reviewer="clearing-01", note="合规", at=NOW)
    with pytest.raises(Conflict, match="is dismissed"):
        review.submit_evidence(store, other.jr_id, institution=HOSPITAL, text="thanks", at=NOW)


# ---------------------------------------------------------------- lists and figures


def test_violations_are_listed_by_institution_rule_month_and_status_newest_first_in_pages():
    store = FakeStore()
    a = found(store, at=dt.datetime(2026, 11, 3))
    b = found(store, at=dt.datetime(2026, 11, 5), rule_id="R-AGE-01")
    c = found(store, at=dt.datetime(2026, 11, 7), fixmedins_code=CLINIC)
    d = found(store, at=dt.datetime(2026, 10, 7))
    review.review(store, a.jr_id, rv.CONFIRM, reviewer="clearing-01", note=None, at=NOW)

    def ids(**kw: Any) -> list[str]:
        return [v["jr_id"] for v in review.list_violations(store, **kw)["violations"]]

    assert ids() == [c.jr_id, b.jr_id, a.jr_id, d.jr_id]
    assert ids(fixmedins_code=HOSPITAL, month="2026-11") == [b.jr_id, a.jr_id]
    assert ids(rule_id="R-AGE-01") == [b.jr_id]
    assert ids(status="confirmed") == [a.jr_id]
    page = review.list_violations(store, page_num=2, page_size=3)
    assert (page["total"], page["pages"], [v["jr_id"] for v in page["violations"]]) == (4, 2, [d.jr_id])
    with pytest.raises(Invalid):
        review.list_violations(store, status="pending")


def test_monthly_figures_add_up_per_institution_and_in_total():
    store = FakeStore()
    rng = random.Random(16)
    expected: dict[str, dict[str, Any]] = {}
    for _ in range(60):
        code = rng.choice([HOSPITAL, CLINIC, "P54010000003"])
        amount = D(rng.randint(1, 50_000)) / 100
        row = found(store, str(amount), fixmedins_code=code, at=dt.datetime(2026, 11, rng.randint(1, 30), 8))
        fate = rng.choice(["open", "confirmed", "recovered", "dismissed", "withdrawn"])
        recovered = D("0.00")
        if fate in ("confirmed", "recovered"):
            review.review(store, row.jr_id, rv.CONFIRM, reviewer="clearing-01", note=None, at=NOW)
        if fate == "recovered":
            recovered = (amount * D(rng.randint(1, 100)) / 100).quantize(D("0.01"))
            review.record_recovery(store, row.jr_id, recovered, reviewer="clearing-01", note=None, at=NOW)
        if fate == "dismissed":
            review.review(store, row.jr_id, rv.DISMISS, reviewer="clearing-01", note="合规", at=NOW)
        if fate == "withdrawn":
            store.withdraw_violations(row.setl_id, by_setl_id="S-R", at=NOW)
        status = "confirmed" if fate == "recovered" else fate
        mine = expected.setdefault(code, {"n": 0, "amt": D(0), "rec": D(0), "by": {}})
        mine["n"] += 1
        mine["amt"] += amount
        mine["rec"] += recovered
        n, amt = mine["by"].get(status, (0, D(0)))
        mine["by"][status] = (n + 1, amt + amount)
    found(store, "999.00", at=dt.datetime(2026, 12, 1))  # another month

    figures = review.monthly_figures(store, "2026-11")

    assert [i["fixmedins_code"] for i in figures["institutions"]] == sorted(expected)
    for inst in figures["institutions"]:
        mine = expected[inst["fixmedins_code"]]
        assert (inst["violations"], inst["vola_amt"], inst["recovered_amt"]) == (mine["n"], mine["amt"], mine["rec"])
        for status in rv.STATUSES:
            assert (inst[status]["violations"], inst[status]["vola_amt"]) == mine["by"].get(status, (0, D(0)))
        assert inst["violations"] == sum(inst[s]["violations"] for s in rv.STATUSES)
        assert inst["vola_amt"] == sum(inst[s]["vola_amt"] for s in rv.STATUSES)
        assert inst["outstanding_amt"] == inst["confirmed"]["vola_amt"] - inst["recovered_amt"] >= 0
    total = figures["total"]
    for name in ("violations", "vola_amt", "recovered_amt", "outstanding_amt"):
        assert total[name] == sum(i[name] for i in figures["institutions"])
    assert total["violations"] == 60
    assert review.monthly_figures(store, "2026-12")["total"]["vola_amt"] == D("999.00")
    one = review.monthly_figures(store, "2026-11", fixmedins_code=CLINIC)
    assert [i["fixmedins_code"] for i in one["institutions"]] == [CLINIC]
    assert one["total"]["violations"] == expected[CLINIC]["n"]
    empty = review.monthly_figures(store, "2027-01")
    assert (empty["institutions"], empty["total"]["violations"], empty["total"]["vola_amt"]) == ([], 0, D("0.00"))


# ---------------------------------------------------------------- rule sets


def _demo_rules() -> dict[str, Any]:
    path = Path(__file__).resolve().parents[2] / "settlement" / "demo_data" / "supervision_rules.json"
    return dict(jsonutil.loads(path.read_text(encoding="utf-8")))


def test_a_rule_set_is_published_once_and_applies_from_its_day():
    store = FakeStore()
    demo = _demo_rules()
    summary = review.publish_rule_set(store, demo, operator="policy-01", at=NOW)
    assert (summary["version"], summary["rule_count"], summary["operator"]) == (
        demo["version"],
        len(demo["rules"]),
        "policy-01",
    )
    later = demo | {"version": "SUP-2026-12", "valid_from": "2026-12-01", "rules": demo["rules"][:2]}
    review.publish_rule_set(store, later, operator="policy-01", at=NOW)
    assert [r["version"] for r in review.list_rule_sets(store)] == [demo["version"], "SUP-2026-12"]
    read = review.read_rule_set(store, "SUP-2026-12")
    assert [r["rule_id"] for r in read["rules"]] == [r["rule_id"] for r in demo["rules"][:2]]
    assert read["rules"][0]["params"] == demo["rules"][0]["params"]
    day_before = dt.date.fromisoformat(demo["valid_from"]) - dt.timedelta(days=1)
    assert store.supervision_rules_on(day_before) is None
    assert store.supervision_rules_on(dt.date(2026, 11, 30)).version == demo["version"]
    assert store.supervision_rules_on(dt.date(2026, 12, 1)).version == "SUP-2026-12"
    with pytest.raises(Conflict) as again:
        review.publish_rule_set(store, demo, operator="policy-02", at=NOW)
    assert again.value.code == "version_exists"
    assert review.load_rule_set(store, demo, operator="settlement-demo", at=NOW) is False
    with pytest.raises(NotFound):
        review.read_rule_set(store, "SUP-NONE")


def test_a_broken_rule_set_is_refused_naming_the_rule_and_field_and_nothing_is_stored():
    store = FakeStore()
    demo = _demo_rules()
    rules = [dict(r) for r in demo["rules"]]
    rules[1] = rules[1] | {"severity": "9"}
    with pytest.raises(Invalid) as refused:
        review.publish_rule_set(store, demo | {"version": "SUP-X", "rules": rules}, operator="policy-01", at=NOW)
    assert refused.value.extra == {"rule_id": rules[1]["rule_id"], "field": "severity"}
    assert rules[1]["rule_id"] in refused.value.message
    with pytest.raises(Invalid) as whole:
        review.publish_rule_set(store, demo | {"valid_from": "next week"}, operator="policy-01", at=NOW)
    assert whole.value.extra == {"field": "valid_from"}
    with pytest.raises(Invalid) as long_version:
        review.publish_rule_set(store, demo | {"version": "V" * 31}, operator="policy-01", at=NOW)
    assert long_version.value.extra == {"field": "version"}
    assert store.rule_sets == {}


def test_what_the_engine_finds_at_settlement_is_stored_as_found():
    store = FakeStore()
    engine_found = sv.Violation(
        rule_id="SUP-DUP-001",
        rule_name="普通门诊诊查费同日重复收取",
        category=sv.Category.DUPLICATE_CHARGE,
        severity=sv.Severity.VIOLATION,
        action=sv.Action.EXCLUDE,
        text="001102000010000 charged twice on 2026-11-20",
        amount=D("10.005"),
        line_keys=("2",),
        evidence="line 1 of 540100M1 at 09:30",
        vola_bhvr_type="3",
    )
    rows = review.violation_rows(
        [engine_found],
        rule_set_version="SUP-DEMO-2026",
        setl_id="S1",
        mdtrt_id="M1",
        psn_no=ZHAXI,
        fixmedins_code=HOSPITAL,
        admdvs="540100",
        found_at=NOV,
    )
    store.add_violations(rows)
    [(_, payload)] = events(store)
    stored = payload["violation"]
    assert (stored["rule_id"], stored["category"], stored["sev_deg"], stored["action"]) == (
        "SUP-DUP-001",
        "duplicate_charge",
        "3",
        "exclude",
    )
    assert (stored["vola_amt"], stored["line_keys"], stored["vola_bhvr_type"], stored["month"]) == (
        D("10.01"),
        ["2"],
        "3",
        "2026-11",
    )


def test_a_rule_holding_a_value_of_the_wrong_kind_is_refused_not_failed():
    store = FakeStore()
    demo = _demo_rules()
    odd = [None, 1, "x", [], {}, [1], [[1, 2]], {"a": 1}, True, [None]]
    refused = 0
    for rule in demo["rules"]:
        for name in [*rule, *(f"params.{p}" for p in rule["params"])]:
            for value in odd:
                changed = dict(rule)
                if name.startswith("params."):
                    changed["params"] = dict(rule["params"]) | {name[7:]: value}
                else:
                    changed[name] = value
                try:
                    review.publish_rule_set(store, demo | {"rules": [changed]}, operator="policy-01", at=NOW)
                except Invalid as exc:
                    assert exc.code == "invalid_rule_set"
                    refused += 1
                    continue
                store.rule_sets.clear()  # accepted: a value the rule allows
    assert refused > 100 and store.rule_sets == {}
