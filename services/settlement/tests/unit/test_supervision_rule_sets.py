"""Fund-supervision rule sets (settlement.domain.supervision, docs/supervision.md): refund lines,
rule_ids and scenes, the clerk's message, what settlement excludes or refuses, the published JSON
read back as written, rule sets refused naming the rule and the field; the demo rule set broken by
the demo people the docs name, and leaving the worked examples of docs/settlement-rules.md alone."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from supervision_cases import (
    APPENDECTOMY,
    BED,
    BLOOD,
    CEFUROXIME,
    DEMO,
    DEMO_JSON,
    EARLIER_STAY,
    EXAM,
    GENDER,
    HOSPITAL,
    INFUSION,
    LIUFANG,
    MARCH,
    METFORMIN,
    PHARMACY,
    PRICE,
    READMISSION,
    SUZHOU,
    TRASTUZUMAB,
    WANGQIANG,
    ZHANGJIANGUO,
    ZHAXI,
    ZHUOMA,
    D,
    at,
    check,
    found,
    line,
    one_rule,
    past,
    visit,
)

from settlement.domain import supervision as sv

# --- refunds, rule_ids, scenes, messages ---------------------------------------------------------


def test_a_refund_line_never_offends_and_a_refunded_line_no_longer_does() -> None:
    rules = one_rule(*GENDER)
    full = check(ZHAXI, visit(), line("1", TRASTUZUMAB, "1", "2400"), line("2", TRASTUZUMAB, "-1", "2400"))
    assert sv.evaluate(rules, full) == []
    assert sv.evaluate(rules, check(ZHAXI, visit(), line("2", TRASTUZUMAB, "-1", "2400"))) == []
    sign_on_price = check(ZHAXI, visit(), line("1", TRASTUZUMAB, "1", "2400"), line("2", TRASTUZUMAB, "1", "-2400"))
    assert sv.evaluate(rules, sign_on_price) == []
    part = check(ZHAXI, visit(), line("1", TRASTUZUMAB, "3", "2400"), line("2", TRASTUZUMAB, "-1", "2400"))
    assert found(rules, part) == [("R1", ("1",), D("4800.00"))]


def test_refunds_reduce_the_counts_of_a_cap() -> None:
    rules = one_rule("frequency", {"codes": [BLOOD], "max_per_day": 1})
    assert (
        sv.evaluate(
            rules,
            check(
                ZHAXI, visit(), line("1", BLOOD, "1", "30"), line("2", BLOOD, "1", "30"), line("3", BLOOD, "-1", "30")
            ),
        )
        == []
    )
    history = sv.History((past("MDT-A", BLOOD, "1", at(2, 8)), past("MDT-A", BLOOD, "-1", at(2, 9))))
    assert sv.evaluate(rules, check(ZHAXI, visit(), line("1", BLOOD, "1", "30"), history=history)) == []


def breaks_gender_and_price() -> sv.Check:
    return check(
        ZHAXI,
        visit(medins=HOSPITAL, diagnoses=("C50.900",)),
        line("1", TRASTUZUMAB, "1", "2400"),
        line("2", INFUSION, "1", "12"),
    )


@pytest.mark.parametrize(
    ("rule_ids", "expected"),
    [
        (None, ["SUP-GEN-001", "SUP-PRC-001"]),
        (["SUP-PRC-001"], ["SUP-PRC-001"]),
        (("SUP-PRC-001", "SUP-GEN-001"), ["SUP-GEN-001", "SUP-PRC-001"]),  # always in rule order
        ([], []),
        (["NO-SUCH-RULE"], []),
    ],
)
def test_rule_ids_keep_only_the_rules_named(rule_ids: list[str] | None, expected: list[str]) -> None:
    assert [v.rule_id for v in sv.evaluate(DEMO, breaks_gender_and_price(), rule_ids=rule_ids)] == expected


def test_unknown_rule_ids_are_named_in_the_order_given() -> None:
    assert sv.unknown_rule_ids(DEMO, ["X-2", "SUP-GEN-001", "X-1"]) == ["X-2", "X-1"]


def test_a_rule_limited_to_some_scenes_runs_only_in_them() -> None:
    rules = one_rule("gender", {"codes": [TRASTUZUMAB], "gend": "2", "scenes": ["6", "7"]})
    c = breaks_gender_and_price()
    assert sv.evaluate(rules, c)
    assert sv.evaluate(rules, sv.Check(c.patient, c.encounter, c.lines, c.history, sv.Scene.OUTPATIENT_CHARGING)) == []


def test_a_rule_message_fills_its_placeholders() -> None:
    rules = one_rule(*PRICE, message="{code}（{name}）单价{actual}元，限价{limit}元")
    [v] = sv.evaluate(rules, check(WANGQIANG, visit(), line("1", INFUSION, "1", "12", name="输液器")))
    assert v.text == f"{INFUSION}（输液器）单价12元，限价10.00元"


def test_exclusions_take_the_largest_part_of_each_line_and_a_refusal_is_the_first_refusing_rule() -> None:
    rules = sv.parse_rule_set(
        {
            "version": "T-2",
            "valid_from": "2026-01-01",
            "rules": [
                {
                    "rule_id": "P",
                    "category": "price_cap",
                    "name": "p",
                    "severity": "3",
                    "action": "exclude",
                    "params": {"codes": [INFUSION], "max_price": "10"},
                },
                {
                    "rule_id": "S",
                    "category": "payment_scope",
                    "name": "s",
                    "severity": "3",
                    "action": "exclude",
                    "params": {"codes": [INFUSION], "kinds": ["inpatient"]},
                },
                {
                    "rule_id": "G",
                    "category": "gender",
                    "name": "g",
                    "severity": "3",
                    "action": "refuse",
                    "params": {"codes": [TRASTUZUMAB], "gend": "2"},
                },
                {
                    "rule_id": "A",
                    "category": "age",
                    "name": "a",
                    "severity": "1",
                    "action": "record",
                    "params": {"codes": [BLOOD], "max_age": 14},
                },
            ],
        }
    )
    violations = sv.evaluate(
        rules,
        check(
            ZHAXI,
            visit(),
            line("1", INFUSION, "10", "12"),
            line("2", BLOOD, "1", "30"),
            line("3", TRASTUZUMAB, "1", "2400"),
        ),
    )
    assert [v.rule_id for v in violations] == ["P", "S", "G", "A"]
    assert sv.excluded_amounts(violations) == {"1": D("120.00")}
    refusal = sv.first_refusal(violations)
    assert refusal is not None and refusal.rule_id == "G"
    assert sv.first_refusal(violations[:2]) is None


# --- the published JSON --------------------------------------------------------------------------


def test_the_published_json_reads_back_as_it_was_written() -> None:
    assert sv.rule_set_json(DEMO) == DEMO_JSON
    assert sv.parse_rule_set(sv.rule_set_json(DEMO)) == DEMO
    assert json.loads(json.dumps(sv.rule_set_json(DEMO))) == DEMO_JSON


def test_a_rule_built_in_code_evaluates_like_a_published_one() -> None:
    rule = sv.Rule(
        "R9",
        sv.Category.PRICE_CAP,
        "p",
        "",
        sv.Severity.SUSPECT,
        sv.Action.RECORD,
        {"codes": [INFUSION], "max_price": D("10")},
    )
    rules = sv.RuleSet("CODE-1", dt.date(2026, 1, 1), (rule,))
    assert found(rules, check(WANGQIANG, visit(), line("1", INFUSION, "2", "11"))) == [("R9", ("1",), D("2.00"))]
    assert sv.rule_set_json(rules)["rules"][0]["params"]["max_price"] == "10"


def test_the_history_must_reach_back_as_far_as_the_longest_window() -> None:
    assert sv.history_window(DEMO) == 90
    assert sv.history_window(one_rule(*GENDER)) == 0
    assert sv.history_window(one_rule(*READMISSION)) == 15
    assert sv.history_window(one_rule("frequency", {"codes": [BLOOD], "max_per_day": 1})) == 1


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEMO_JSON)
    change(data)
    return data


def _param(rule: int, **params: Any) -> Any:
    def change(data: dict[str, Any]) -> None:
        for name, value in params.items():
            if value is None:
                data["rules"][rule]["params"].pop(name)
            else:
                data["rules"][rule]["params"][name] = value

    return change


def _field(rule: int, name: str, value: Any) -> Any:
    return lambda data: data["rules"][rule].__setitem__(name, value)


PARSE_ERRORS = [
    ("a rule id used twice", _field(1, "rule_id", "SUP-GEN-001"), "rule SUP-GEN-001: rule_id"),
    ("an unknown category", _field(0, "category", "colour"), "rule SUP-GEN-001: category must be one of gender"),
    (
        "an unknown action",
        _field(0, "action", "warn"),
        "rule SUP-GEN-001: action must be one of record, exclude, refuse",
    ),
    ("an unknown severity", _field(0, "severity", "4"), "rule SUP-GEN-001: severity"),
    ("no name", _field(0, "name", ""), "rule SUP-GEN-001: name"),
    ("an unknown field", _field(0, "colour", "red"), "rule SUP-GEN-001: colour is not a field"),
    ("codes missing", _param(0, codes=None), "rule SUP-GEN-001: params.codes is required"),
    ("codes not a list", _param(0, codes=TRASTUZUMAB), "rule SUP-GEN-001: params.codes must be a list"),
    ("a bad prefix", _param(0, codes=["X*1"]), "rule SUP-GEN-001: params.codes[0]"),
    ("a gender not 1 or 2", _param(0, gend="3"), "rule SUP-GEN-001: params.gend"),
    (
        "no age limit",
        _param(1, min_age=None, max_age=None),
        "rule SUP-AGE-001: params.min_age or params.max_age is required",
    ),
    ("a minimum above the maximum", _param(1, min_age=80), "rule SUP-AGE-001: params.min_age must not be above"),
    ("an age in years as text", _param(1, max_age="75"), "rule SUP-AGE-001: params.max_age must be a whole number"),
    (
        "a scope without a condition",
        _param(2, diagnoses=None, hosp_lvs=None),
        "rule SUP-SCP-001: params needs at least one of",
    ),
    ("a pair of three", _param(3, pairs=[[EXAM, EXAM, EXAM]]), "rule SUP-DUP-001: params.pairs[0]"),
    (
        "a window of 0 days",
        _param(3, window_days=0),
        "rule SUP-DUP-001: params.window_days must be a whole number of at least 1",
    ),
    (
        "a period without its cap",
        _param(4, max_per_period=None),
        "rule SUP-FRQ-001: params.period_days and params.max_per_period",
    ),
    ("a cap of 0", _param(4, max_per_period="0"), "rule SUP-FRQ-001: params.max_per_period must be above 0"),
    ("a price as a float", _param(5, max_price=10.5), "rule SUP-PRC-001: params.max_price must be a decimal"),
    ("a negative price", _param(5, max_price="-1"), "rule SUP-PRC-001: params.max_price must be above 0"),
    ("a conflict of one item", _param(6, codes=[BED]), "rule SUP-CON-001: params.codes must be a list of at least 2"),
    (
        "a re-admission without a window",
        _param(7, window_days=None),
        "rule SUP-READM-001: params.window_days is required",
    ),
    ("a negative re-admission window", _param(7, window_days=-15), "rule SUP-READM-001: params.window_days"),
    (
        "a flag as text",
        _param(7, same_institution="yes"),
        "rule SUP-READM-001: params.same_institution must be true or false",
    ),
    (
        "a parameter of another category",
        _param(7, codes=[BED]),
        "rule SUP-READM-001: params.codes is not a parameter of readmission",
    ),
    ("an unknown scene", _param(0, scenes=["11"]), "rule SUP-GEN-001: params.scenes[0]"),
    ("an unknown placeholder", _field(5, "message", "{price} too high"), "rule SUP-PRC-001: message names {price}"),
    ("a broken template", _field(5, "message", "{code"), "rule SUP-PRC-001: message is not a valid template"),
    ("no valid_from", lambda d: d.pop("valid_from"), "rule set: valid_from"),
    ("no version", lambda d: d.__setitem__("version", ""), "rule set: version"),
    ("a rule without an id", _field(0, "rule_id", None), "rule set: rules[0].rule_id"),
]


@pytest.mark.parametrize(("change", "words"), [c[1:] for c in PARSE_ERRORS], ids=[c[0] for c in PARSE_ERRORS])
def test_a_rule_set_is_refused_naming_the_rule_and_the_field(change: Any, words: str) -> None:
    with pytest.raises(ValueError) as error:
        sv.parse_rule_set(_broken(change))
    assert words in str(error.value)


# --- the demo rule set -----------------------------------------------------------------------------

# (rule id, the demo visit that breaks it, offending keys, amount involved) — docs/supervision.md
DEMO_BREAKERS = [
    (
        "SUP-GEN-001",
        check(ZHAXI, visit(medins=HOSPITAL, diagnoses=("C50.900",)), line("1", TRASTUZUMAB, "1", "2400")),
        ("1",),
        "2400.00",
    ),
    (
        "SUP-AGE-001",
        check(LIUFANG, visit(medins=SUZHOU), line("1", METFORMIN, "30", "2", at(2, month=2))),
        ("1",),
        "60.00",
    ),
    (
        "SUP-SCP-001",
        check(ZHUOMA, visit(medins=HOSPITAL, diagnoses=("C34.900",)), line("1", TRASTUZUMAB, "1", "2400")),
        ("1",),
        "2400.00",
    ),
    (
        "SUP-DUP-001",
        check(ZHAXI, visit(), line("1", EXAM, "1", "15", at(2, 9)), line("2", EXAM, "1", "15", at(2, 15))),
        ("2",),
        "15.00",
    ),
    (
        "SUP-FRQ-001",
        check(
            ZHANGJIANGUO,
            visit("pharmacy", medins=PHARMACY),
            line("1", METFORMIN, "300", "2", at(2)),
            line("2", METFORMIN, "100", "2", at(30)),
        ),
        ("2",),
        "80.00",
    ),
    (
        "SUP-PRC-001",
        check(WANGQIANG, visit("inpatient", medins=HOSPITAL), line("1", INFUSION, "10", "12")),
        ("1",),
        "20.00",
    ),
    (
        "SUP-CON-001",
        check(
            WANGQIANG, visit("inpatient", medins=HOSPITAL), line("1", BED, "5", "45"), line("2", EXAM, "1", "15", at(3))
        ),
        ("2",),
        "15.00",
    ),
    (
        "SUP-READM-001",
        check(
            ZHAXI,
            visit("inpatient", medins=HOSPITAL, begin=at(20)),
            line("1", APPENDECTOMY, "1", "500", at(20)),
            history=EARLIER_STAY,
        ),
        ("1",),
        "500.00",
    ),
]


@pytest.mark.parametrize(("rule_id", "c", "keys", "amount"), DEMO_BREAKERS, ids=[b[0] for b in DEMO_BREAKERS])
def test_each_demo_rule_is_broken_by_its_demo_visit_and_by_nothing_else(
    rule_id: str, c: sv.Check, keys: tuple[str, ...], amount: str
) -> None:
    assert found(DEMO, c) == [(rule_id, keys, D(amount))]


def test_the_demo_rules_cover_every_category_once() -> None:
    assert sorted(r.category.value for r in DEMO.rules) == sorted(c.value for c in sv.Category)
    assert {r.action for r in DEMO.rules} == set(sv.Action)


WORKED_EXAMPLES = [
    # docs/settlement-rules.md section 14: none of them breaks a demo rule
    (
        "14.2 卓玛's first visit",
        check(
            ZHUOMA, visit(), line("1", EXAM, "1", "15"), line("2", BLOOD, "1", "30"), line("3", METFORMIN, "1", "20")
        ),
    ),
    (
        "14.2 卓玛's second visit",
        check(
            ZHUOMA,
            visit(mdtrt_id="MDT-2"),
            line("1", BLOOD, "1", "200"),
            history=sv.History(
                (
                    past("MDT-1", EXAM, "1", MARCH),
                    past("MDT-1", BLOOD, "1", MARCH),
                    past("MDT-1", METFORMIN, "1", MARCH),
                )
            ),
        ),
    ),
    (
        "14.3 王强's appendectomy stay",
        check(
            WANGQIANG,
            visit("inpatient", medins=HOSPITAL),
            line("1", APPENDECTOMY, "1", "10000"),
            line("2", CEFUROXIME, "20", "15"),
            line("3", BED, "5", "45"),
            line("4", INFUSION, "10", "8"),
        ),
    ),
    (
        "14.6 张建国's chronic visit",
        check(ZHANGJIANGUO, visit(medins=HOSPITAL, med_type="14"), line("1", METFORMIN, "100", "2")),
    ),
    ("14.6 a pharmacy purchase", check(ZHAXI, visit("pharmacy", medins=PHARMACY), line("1", METFORMIN, "10", "2"))),
    (
        "14.8 刘芳's second stay",
        check(
            LIUFANG,
            visit("inpatient", medins=SUZHOU, begin=at(2, month=6)),
            line("1", APPENDECTOMY, "1", "150000"),
            history=sv.History(stays=(sv.PastStay("MDT-1", SUZHOU, at(1, month=3), at(10, month=3)),)),
        ),
    ),
    (
        "14.11 扎西's mid-stay settlements",
        check(
            ZHAXI,
            visit("inpatient", medins=HOSPITAL),
            line("2", APPENDECTOMY, "1", "1000"),
            history=sv.History((past("MDT-NOW", APPENDECTOMY, "1", MARCH, "1"),)),
        ),
    ),
    (
        "14.12 a refunded cefuroxime line",
        check(
            WANGQIANG,
            visit("inpatient", medins=HOSPITAL),
            line("1", CEFUROXIME, "20", "15"),
            line("2", CEFUROXIME, "-20", "15"),
            line("3", INFUSION, "10", "8"),
        ),
    ),
]


@pytest.mark.parametrize("c", [w[1] for w in WORKED_EXAMPLES], ids=[w[0] for w in WORKED_EXAMPLES])
def test_the_demo_rules_leave_the_worked_examples_alone(c: sv.Check) -> None:
    assert sv.evaluate(DEMO, c) == []


def test_times_with_and_without_a_zone_compare_on_their_wall_clock() -> None:
    zone = dt.timezone(dt.timedelta(hours=8))
    history = sv.History((past("MDT-A", EXAM, "1", dt.datetime(2026, 3, 2, 8, 0, tzinfo=zone)),))
    c = check(ZHAXI, visit(), line("1", EXAM, "1", "15", dt.datetime(2026, 3, 2, 15, 0)), history=history)
    assert found(one_rule("duplicate_charge", {"pairs": [[EXAM, EXAM]], "window_days": 1}), c) == [
        ("R1", ("1",), D("15.00"))
    ]


def test_a_rule_built_in_code_with_a_wrong_action_is_refused_naming_it() -> None:
    rule = sv.Rule("R9", sv.Category.GENDER, "g", "", sv.Severity.SUSPECT, "warn", {"codes": [EXAM], "gend": "2"})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rule R9: action must be one of record, exclude, refuse"):
        sv.evaluate(
            sv.RuleSet("CODE-2", dt.date(2026, 1, 1), (rule,)), check(ZHAXI, visit(), line("1", EXAM, "1", "15"))
        )
