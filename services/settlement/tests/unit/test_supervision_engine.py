"""The fund-supervision rule engine (settlement.domain.supervision, docs/supervision.md): for every
category a visit that breaks its rule and one that does not, and the edges: windows of duplicate
charges, periods of frequency caps and re-admissions counted in whole days, ages on the birthday,
quantities exactly at a cap, the part of a line above it, prices exactly at the cap."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from supervision_cases import (
    AGE,
    APPENDECTOMY,
    BED,
    BLOOD,
    CLINIC,
    CONFLICT,
    DUPLICATE,
    EARLIER_STAY,
    EXAM,
    FREQUENCY,
    GENDER,
    HOSPITAL,
    INFUSION,
    LIUFANG,
    MARCH,
    METFORMIN,
    PHARMACY,
    PRICE,
    READMISSION,
    SCOPE,
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

# --- every category: a visit that breaks the rule, and one that does not --------------------------

CATEGORY_CASES = [
    # (case, rule, breaking check, offending keys, amount, words of the text, clean check)
    (
        "a female-only drug for a man",
        GENDER,
        check(
            ZHAXI,
            visit(medins=HOSPITAL, diagnoses=("C50.900",)),
            line("1", TRASTUZUMAB, "1", "2400", name="注射用曲妥珠单抗"),
        ),
        ("1",),
        "2400.00",
        f"项目 {TRASTUZUMAB} 注射用曲妥珠单抗 限女性使用，患者性别为男",
        check(ZHUOMA, visit(medins=HOSPITAL, diagnoses=("C50.900",)), line("1", TRASTUZUMAB, "1", "2400")),
    ),
    (
        "an item above its age limit",
        AGE,
        check(LIUFANG, visit(medins=SUZHOU), line("1", METFORMIN, "30", "2")),
        ("1",),
        "60.00",
        f"项目 {METFORMIN} 限10至75岁使用，患者76岁",
        check(ZHANGJIANGUO, visit(medins=HOSPITAL), line("1", METFORMIN, "30", "2")),
    ),
    (
        "a drug outside its indication",
        SCOPE,
        check(ZHUOMA, visit(medins=HOSPITAL, diagnoses=("C34.900",)), line("1", TRASTUZUMAB, "1", "2400")),
        ("1",),
        "2400.00",
        f"项目 {TRASTUZUMAB} 限定支付范围：限诊断 C50，本次诊断 C34.900",
        check(ZHUOMA, visit(medins=HOSPITAL, diagnoses=("I10.x00", "C50.900")), line("1", TRASTUZUMAB, "1", "2400")),
    ),
    (
        "a drug at a hospital level it is not paid at",
        SCOPE,
        check(ZHUOMA, visit(medins=CLINIC, diagnoses=("C50.900",)), line("1", TRASTUZUMAB, "1", "2400")),
        ("1",),
        "2400.00",
        "限医院等级 2、3，本次 1",
        check(ZHUOMA, visit(medins=HOSPITAL, diagnoses=("C50.900",)), line("1", TRASTUZUMAB, "1", "2400")),
    ),
    (
        "a pair split across two uploads of one visit",
        DUPLICATE,
        check(
            ZHAXI,
            visit(),
            line("1", EXAM, "1", "15", at(2, 9)),
            line("2", BLOOD, "1", "30"),
            line("7", EXAM, "1", "15", at(2, 16)),
        ),
        ("7",),
        "15.00",
        f"项目 {EXAM} 与 {EXAM} 同日重复收费",
        check(ZHAXI, visit(), line("1", EXAM, "1", "15", at(2)), line("7", EXAM, "1", "15", at(3))),
    ),
    (
        "a pair across two visits on one day",
        DUPLICATE,
        check(
            ZHAXI,
            visit(),
            line("1", EXAM, "1", "15", at(2, 15)),
            history=sv.History((past("MDT-A", EXAM, "1", at(2, 8), "3"),)),
        ),
        ("1",),
        "15.00",
        "就诊 MDT-A 明细 3 2026-03-02 已收",
        check(
            ZHAXI,
            visit(),
            line("1", EXAM, "1", "15", at(2, 15)),
            history=sv.History((past("MDT-A", EXAM, "1", at(1, 8)),)),
        ),
    ),
    (
        "a period cap crossed part way by a line",
        FREQUENCY,
        check(
            ZHAXI,
            visit("pharmacy", medins=PHARMACY),
            line("1", METFORMIN, "100", "2", at(20)),
            history=sv.History((past("MDT-P", METFORMIN, "300", at(1, month=2)),)),
        ),
        ("1",),
        "80.00",
        f"项目 {METFORMIN} 超过90日内限量 360，累计 400",
        check(
            ZHAXI,
            visit("pharmacy", medins=PHARMACY),
            line("1", METFORMIN, "60", "2", at(20)),
            history=sv.History((past("MDT-P", METFORMIN, "300", at(1, month=2)),)),
        ),
    ),
    (
        "a price above the cap",
        PRICE,
        check(
            WANGQIANG,
            visit("inpatient", medins=HOSPITAL),
            line("1", APPENDECTOMY, "1", "10000"),
            line("4", INFUSION, "10", "12"),
        ),
        ("4",),
        "20.00",
        f"项目 {INFUSION} 单价 12 超过限价 10.00",
        check(WANGQIANG, visit("inpatient", medins=HOSPITAL), line("4", INFUSION, "10", "10.00")),
    ),
    (
        "an outpatient exam fee in an inpatient stay",
        CONFLICT,
        check(
            WANGQIANG,
            visit("inpatient", medins=HOSPITAL),
            line("1", EXAM, "1", "15", at(2, 8)),
            line("2", BED, "5", "45", at(6)),
        ),
        ("1",),
        "15.00",
        f"项目 {EXAM} 与 {BED} 不能在同一就诊中收费",
        check(
            WANGQIANG,
            visit("inpatient", medins=HOSPITAL),
            line("2", BED, "5", "45"),
            line("3", APPENDECTOMY, "1", "10000"),
        ),
    ),
    (
        "a re-admission within the window",
        READMISSION,
        check(
            ZHAXI,
            visit("inpatient", medins=HOSPITAL, begin=at(25)),
            line("1", APPENDECTOMY, "1", "500"),
            line("2", BED, "2", "45"),
            history=EARLIER_STAY,
        ),
        ("1", "2"),
        "590.00",
        "出院15天后再次入院（上次就诊 MDT-STAY-1）",
        check(
            ZHAXI,
            visit("inpatient", medins=HOSPITAL, begin=at(26)),
            line("1", APPENDECTOMY, "1", "500"),
            history=EARLIER_STAY,
        ),
    ),
]


@pytest.mark.parametrize(
    ("rule", "breaking", "keys", "amount", "words", "clean"),
    [c[1:] for c in CATEGORY_CASES],
    ids=[c[0] for c in CATEGORY_CASES],
)
def test_every_category_flags_the_visit_that_breaks_it_and_not_the_one_that_keeps_it(
    rule: tuple[str, dict[str, Any]],
    breaking: sv.Check,
    keys: tuple[str, ...],
    amount: str,
    words: str,
    clean: sv.Check,
) -> None:
    rules = one_rule(*rule)
    [violation] = sv.evaluate(rules, breaking)
    assert (violation.rule_id, violation.category, violation.line_keys, violation.amount) == (
        "R1",
        rule[0],
        keys,
        D(amount),
    )
    assert words in violation.text or words in violation.evidence
    assert violation.amount == sum((a for _, a in violation.line_amounts), D(0))
    assert [k for k, _ in violation.line_amounts] == list(keys)
    assert (violation.severity, violation.action, violation.rule_name) == (
        sv.Severity.VIOLATION,
        sv.Action.EXCLUDE,
        f"a {rule[0]} rule",
    )
    assert sv.evaluate(rules, clean) == []


# --- ages on the birthday ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("brdy", "day", "params", "flagged"),
    [
        (dt.date(1950, 2, 2), dt.date(2026, 2, 1), {"max_age": 75}, False),  # 75 until the day before
        (dt.date(1950, 2, 2), dt.date(2026, 2, 2), {"max_age": 75}, True),  # 76 on the birthday
        (dt.date(2016, 6, 1), dt.date(2026, 5, 31), {"min_age": 10}, True),  # 9 the day before
        (dt.date(2016, 6, 1), dt.date(2026, 6, 1), {"min_age": 10}, False),  # 10 on the birthday
        (dt.date(2008, 2, 29), dt.date(2026, 2, 28), {"min_age": 18}, True),  # a 29 February birthday
        (dt.date(2008, 2, 29), dt.date(2026, 3, 1), {"min_age": 18}, False),  # counts from 1 March
        (dt.date(2012, 2, 29), dt.date(2024, 2, 29), {"min_age": 12}, False),  # and on the day in a leap year
        (dt.date(2012, 7, 1), dt.date(2026, 6, 30), {"max_age": 14}, False),  # a children's item at 13
        (dt.date(2012, 7, 1), dt.date(2026, 7, 1), {"max_age": 14}, False),  # and on the 14th birthday
        (dt.date(2011, 7, 1), dt.date(2026, 7, 1), {"max_age": 14}, True),  # not at 15
    ],
)
def test_an_age_is_whole_years_on_the_line_date_one_more_on_the_birthday(
    brdy: dt.date, day: dt.date, params: dict[str, Any], flagged: bool
) -> None:
    rules = one_rule("age", {"codes": [METFORMIN], **params})
    when = dt.datetime.combine(day, dt.time(10))
    patient = sv.Patient("P", "2", brdy, "390")
    assert bool(sv.evaluate(rules, check(patient, visit(), line("1", METFORMIN, "10", "2", when)))) is flagged


def test_a_person_without_a_birth_date_or_a_known_gender_is_never_flagged_for_it() -> None:
    nobody = sv.Patient("P", None, None, None)
    other = sv.Patient("P", "9", None, None)
    for rules in (one_rule(*AGE), one_rule(*GENDER)):
        for patient in (nobody, other):
            assert (
                sv.evaluate(
                    rules, check(patient, visit(), line("1", METFORMIN, "1", "2"), line("2", TRASTUZUMAB, "1", "2400"))
                )
                == []
            )


# --- payment scope -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "encounter", "patient", "flagged"),
    [
        ({"diagnoses": ["C50"]}, visit(diagnoses=()), ZHUOMA, True),  # no diagnosis, no indication
        ({"diagnoses": ["C50.9*"]}, visit(diagnoses=("c50.900",)), ZHUOMA, False),  # a prefix, any case
        ({"diagnoses": ["C50.1"]}, visit(diagnoses=("C50.900",)), ZHUOMA, True),
        ({"kinds": ["inpatient"]}, visit("outpatient"), ZHUOMA, True),
        ({"kinds": ["inpatient"]}, visit("inpatient", medins=HOSPITAL), ZHUOMA, False),
        ({"med_types": ["21", "24"]}, visit("inpatient", medins=HOSPITAL, med_type="24"), ZHUOMA, False),
        ({"med_types": ["21"]}, visit("outpatient", med_type="14"), ZHUOMA, True),
        ({"insutypes": ["310"]}, visit(), ZHUOMA, True),  # a resident's 390
        ({"insutypes": ["310"]}, visit(), WANGQIANG, False),
        ({"insutypes": ["310"]}, visit(), sv.Patient("P", "1", None, None), False),  # not known: no finding
        (
            {"diagnoses": ["C50"], "kinds": ["inpatient"]},
            visit(diagnoses=("C50.900",)),
            ZHUOMA,
            True,
        ),  # every condition
    ],
)
def test_a_payment_scope_holds_only_when_every_condition_given_holds(
    params: dict[str, Any], encounter: sv.Encounter, patient: sv.Patient, flagged: bool
) -> None:
    rules = one_rule("payment_scope", {"codes": [TRASTUZUMAB], **params})
    assert bool(sv.evaluate(rules, check(patient, encounter, line("1", TRASTUZUMAB, "1", "2400")))) is flagged


def test_a_code_prefix_names_every_item_under_it_and_only_those() -> None:
    rules = one_rule("gender", {"codes": ["XL01*", EXAM], "gend": "2"})
    c = check(
        ZHAXI, visit(), line("1", TRASTUZUMAB, "1", "2400"), line("2", METFORMIN, "1", "2"), line("3", EXAM, "1", "15")
    )
    assert found(rules, c) == [("R1", ("1",), D("2400.00")), ("R1", ("3",), D("15.00"))]


# --- duplicate charges ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("other_day", "flagged"),
    [(-6, True), (-7, False), (6, True), (7, False), (0, True)],
)
def test_a_duplicate_window_of_seven_days_reaches_six_days_either_side(other_day: int, flagged: bool) -> None:
    rules = one_rule("duplicate_charge", {"pairs": [[BLOOD, BLOOD]], "window_days": 7})
    when = at(15)
    history = sv.History((past("MDT-A", BLOOD, "1", when + dt.timedelta(days=other_day)),))
    assert (
        bool(sv.evaluate(rules, check(ZHAXI, visit(), line("1", BLOOD, "1", "30", when), history=history))) is flagged
    )


def test_the_later_of_a_pair_is_the_duplicate_whichever_side_it_is() -> None:
    rules = one_rule("duplicate_charge", {"pairs": [[APPENDECTOMY, BLOOD]]})  # no window: the same visit
    first_blood = check(
        ZHAXI,
        visit("inpatient", medins=HOSPITAL),
        line("1", BLOOD, "1", "30", at(2)),
        line("2", APPENDECTOMY, "1", "500", at(9)),
    )
    assert found(rules, first_blood) == [("R1", ("2",), D("500.00"))]
    again = check(
        ZHAXI,
        visit("inpatient", medins=HOSPITAL),
        line("1", APPENDECTOMY, "1", "500", at(2)),
        line("2", BLOOD, "1", "30", at(9)),
        line("3", BLOOD, "1", "30", at(12)),
    )
    [a, b] = sv.evaluate(rules, again)
    assert (a.line_keys, b.line_keys) == (("2",), ("3",))
    assert a.evidence == "本次就诊 明细 1 2026-03-02 已收 003301000010000"
    # without a window only this visit counts: another visit's line is not a partner
    other_visit = sv.History((past("MDT-A", APPENDECTOMY, "1", at(2)),))
    assert sv.evaluate(rules, check(ZHAXI, visit(), line("1", BLOOD, "1", "30"), history=other_visit)) == []
    # but this visit's lines settled earlier are
    settled_before = sv.History((past("MDT-NOW", APPENDECTOMY, "1", at(1), "9"),))
    assert found(rules, check(ZHAXI, visit(), line("1", BLOOD, "1", "30"), history=settled_before)) == [
        ("R1", ("1",), D("30.00"))
    ]


def test_an_item_paired_with_itself_flags_every_charge_after_the_first() -> None:
    rules = one_rule(*DUPLICATE)
    c = check(
        ZHAXI,
        visit(),
        line("3", EXAM, "1", "15", at(2, 14)),
        line("1", EXAM, "1", "15", at(2, 8)),
        line("2", EXAM, "1", "15", at(2, 10)),
    )
    assert [v.line_keys for v in sv.evaluate(rules, c)] == [("3",), ("2",)]  # line order; the 08:00 charge stands


def test_a_line_of_this_visit_found_again_in_the_history_is_not_its_own_duplicate() -> None:
    rules = one_rule(*DUPLICATE)
    history = sv.History((past("MDT-NOW", EXAM, "1", MARCH, "1"),))
    assert sv.evaluate(rules, check(ZHAXI, visit(), line("1", EXAM, "1", "15"), history=history)) == []


# --- frequency caps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cnts", "offending"),
    [
        (["1", "1"], []),  # exactly at the cap
        (["1", "1", "1"], [("3", "1.15")]),  # the whole third line is above it
        (["1", "3"], [("2", "2.30")]),  # 1 + 3: two of the second line's three are above: 3.45 x 2/3
        (["2", "2"], [("2", "2.30")]),
        (["3"], [("1", "1.15")]),
    ],
)
def test_a_daily_cap_makes_only_the_quantity_above_it_offend(cnts: list[str], offending: list[tuple[str, str]]) -> None:
    rules = one_rule("frequency", {"codes": [BLOOD], "max_per_day": 2})
    lines = [line(str(n), BLOOD, cnt, "1.15", at(2, 8 + n)) for n, cnt in enumerate(cnts, start=1)]
    assert [(v.line_keys[0], str(v.amount)) for v in sv.evaluate(rules, check(ZHAXI, visit(), *lines))] == offending


def test_a_part_of_a_line_above_a_cap_rounds_half_up_to_the_cent() -> None:
    rules = one_rule("frequency", {"codes": [BLOOD], "max_per_day": "1"})
    [v] = sv.evaluate(rules, check(ZHAXI, visit(), line("1", BLOOD, "3", "3.335")))  # amount 10.01, 2/3 above
    assert (v.amount, v.line_amounts) == (D("6.67"), (("1", D("6.67")),))


@pytest.mark.parametrize(
    ("history_cnt", "days_before", "cnt", "amount"),
    [
        ("260", 30, "100", None),  # 360 exactly: at the cap
        ("261", 30, "100", "2.00"),  # one above: one tablet of the line
        ("300", 89, "100", "80.00"),  # the 90th day back is still in the period
        ("300", 90, "100", None),  # the 91st is not
        ("400", 10, "10", "20.00"),  # already over: the whole line
    ],
)
def test_a_period_cap_counts_the_history_of_the_period_ending_on_the_line_date(
    history_cnt: str, days_before: int, cnt: str, amount: str | None
) -> None:
    rules = one_rule(*FREQUENCY)
    when = at(20, month=5)
    history = sv.History((past("MDT-P", METFORMIN, history_cnt, when - dt.timedelta(days=days_before)),))
    result = sv.evaluate(
        rules, check(ZHAXI, visit("pharmacy", medins=PHARMACY), line("1", METFORMIN, cnt, "2", when), history=history)
    )
    assert [str(v.amount) for v in result] == ([amount] if amount else [])


def test_a_cap_counts_per_code_unless_the_rule_combines_its_codes() -> None:
    lines = [line("1", BLOOD, "1", "30"), line("2", EXAM, "1", "15")]
    assert (
        sv.evaluate(one_rule("frequency", {"codes": [BLOOD, EXAM], "max_per_day": 1}), check(ZHAXI, visit(), *lines))
        == []
    )
    combined = one_rule("frequency", {"codes": [BLOOD, EXAM], "max_per_day": 1, "combined": True})
    assert found(combined, check(ZHAXI, visit(), *lines)) == [("R1", ("2",), D("15.00"))]


def test_a_history_line_after_the_line_date_is_not_counted_against_it() -> None:
    rules = one_rule("frequency", {"codes": [BLOOD], "max_per_day": 1, "max_per_period": 2, "period_days": 7})
    later = sv.History((past("MDT-A", BLOOD, "5", at(12)),))
    assert sv.evaluate(rules, check(ZHAXI, visit(), line("1", BLOOD, "1", "30", at(10)), history=later)) == []


# --- price caps and conflicts --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pric", "cnt", "amount"),
    [("10.00", "10", None), ("10.01", "10", "0.10"), ("10.125", "3", "0.38"), ("12", "10", "20.00")],
)
def test_the_amount_above_a_price_cap_is_price_minus_cap_times_quantity(
    pric: str, cnt: str, amount: str | None
) -> None:
    result = sv.evaluate(one_rule(*PRICE), check(WANGQIANG, visit(), line("1", INFUSION, cnt, pric)))
    assert [str(v.amount) for v in result] == ([amount] if amount else [])


def test_a_conflict_names_every_line_of_the_items_charged_after_the_first() -> None:
    rules = one_rule("conflict", {"codes": [BED, EXAM, BLOOD]})
    c = check(
        WANGQIANG,
        visit("inpatient", medins=HOSPITAL),
        line("1", BED, "1", "45", at(2)),
        line("2", EXAM, "1", "15", at(3)),
        line("3", BED, "1", "45", at(4)),
        line("4", BLOOD, "1", "30", at(5)),
    )
    assert found(rules, c) == [("R1", ("2",), D("15.00")), ("R1", ("4",), D("30.00"))]
    # a line of this visit settled before stands first
    settled = sv.History((past("MDT-NOW", EXAM, "1", at(1), "0"),))
    assert [
        v.line_keys
        for v in sv.evaluate(
            rules, check(WANGQIANG, visit("inpatient", medins=HOSPITAL), line("1", BED, "1", "45"), history=settled)
        )
    ] == [("1",)]
    # another visit's lines never conflict with this one
    elsewhere = sv.History((past("MDT-A", EXAM, "1", at(1)),))
    assert (
        sv.evaluate(
            rules, check(WANGQIANG, visit("inpatient", medins=HOSPITAL), line("1", BED, "1", "45"), history=elsewhere)
        )
        == []
    )


# --- re-admission ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "params", "stays", "encounter", "flagged"),
    [
        (
            "the same day as the discharge",
            {"window_days": 15},
            EARLIER_STAY.stays,
            visit("inpatient", medins=HOSPITAL, begin=at(10, 15)),
            True,
        ),
        (
            "on the last day of the window",
            {"window_days": 15},
            EARLIER_STAY.stays,
            visit("inpatient", medins=HOSPITAL, begin=at(25, 23)),
            True,
        ),
        (
            "the day after the window",
            {"window_days": 15},
            EARLIER_STAY.stays,
            visit("inpatient", medins=HOSPITAL, begin=at(26, 0)),
            False,
        ),
        (
            "at another institution",
            {"window_days": 15},
            EARLIER_STAY.stays,
            visit("inpatient", medins=SUZHOU, begin=at(20)),
            True,
        ),
        (
            "at another institution, same institution only",
            {"window_days": 15, "same_institution": True},
            EARLIER_STAY.stays,
            visit("inpatient", medins=SUZHOU, begin=at(20)),
            False,
        ),
        ("an outpatient visit", {"window_days": 15}, EARLIER_STAY.stays, visit("outpatient", begin=at(20)), False),
        (
            "a stay not yet ended",
            {"window_days": 15},
            (sv.PastStay("MDT-X", HOSPITAL, at(1), None),),
            visit("inpatient", medins=HOSPITAL, begin=at(20)),
            False,
        ),
        (
            "a stay ending after this admission",
            {"window_days": 15},
            (sv.PastStay("MDT-X", HOSPITAL, at(1), at(21)),),
            visit("inpatient", medins=HOSPITAL, begin=at(20)),
            False,
        ),
        (
            "this very stay",
            {"window_days": 15},
            (sv.PastStay("MDT-NOW", HOSPITAL, at(1), at(10)),),
            visit("inpatient", medins=HOSPITAL, begin=at(20)),
            False,
        ),
    ],
)
def test_a_re_admission_counts_whole_days_from_the_discharge_date(
    case: str, params: dict[str, Any], stays: tuple[sv.PastStay, ...], encounter: sv.Encounter, flagged: bool
) -> None:
    rules = one_rule("readmission", params, action="record")
    c = check(ZHAXI, encounter, line("1", BED, "1", "45", encounter.begin), history=sv.History(stays=stays))
    assert bool(sv.evaluate(rules, c)) is flagged


def test_a_re_admission_at_admission_names_the_latest_stay_and_no_money() -> None:
    stays = (sv.PastStay("MDT-1", HOSPITAL, at(1), at(5)), sv.PastStay("MDT-2", SUZHOU, at(6), at(12)))
    c = check(
        ZHAXI,
        visit("inpatient", medins=HOSPITAL, begin=at(20)),
        history=sv.History(stays=stays),
        scene=sv.Scene.ADMISSION,
    )
    [v] = sv.evaluate(one_rule(*READMISSION, action="record"), c)
    assert (v.amount, v.line_keys, v.action) == (D("0.00"), (), sv.Action.RECORD)
    assert v.evidence == "上次住院 MDT-2（机构 H34130000001）2026-03-06至2026-03-12，本次入院 2026-03-20，间隔 8天"
