"""What of a person's history a supervision check reads (settlement.domain.supervision_history): only
the codes the look-back rules of the check name, each from its own window, stays only for an inpatient
re-admission rule; and the engine finds exactly what it finds over the whole history."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
from fakes_supervision import matches
from supervision_cases import (
    BED,
    BLOOD,
    CEFUROXIME,
    CONFLICT,
    DEMO,
    DUPLICATE,
    EXAM,
    FREQUENCY,
    INFUSION,
    METFORMIN,
    PRICE,
    READMISSION,
    WANGQIANG,
    at,
    check,
    line,
    one_rule,
    visit,
)

from settlement.domain import supervision as sv

NEED = sv.HistoryNeed


def _scene_rule(scenes: list[str]) -> sv.RuleSet:
    return one_rule("frequency", {"codes": [METFORMIN], "max_per_period": "360", "period_days": 90, "scenes": scenes})


CASES = [
    # (what, rules, encounter, lines, rule_ids, need)
    ("no rule looks back", one_rule(*PRICE), visit(), [line("1", INFUSION, "1", "8")], None, NEED()),
    ("a look-back rule no line names", one_rule(*FREQUENCY), visit(), [line("1", BLOOD, "1", "9")], None, NEED()),
    (
        "frequency: its codes from its period, counted from midnight",
        one_rule(*FREQUENCY),
        visit(begin=at(2, 9)),
        [line("1", METFORMIN, "2", "1", when=at(2, 9))],
        None,
        NEED(lines=((dt.datetime(2025, 12, 2), (METFORMIN,)),)),
    ),
    (
        "a line charged before registration moves the window back to its day",
        one_rule(*DUPLICATE),
        visit(begin=at(2, 9)),
        [line("1", EXAM, "1", "15", when=at(1, 23))],
        None,
        NEED(lines=((dt.datetime(2026, 2, 28), (EXAM,)),)),
    ),
    (
        "a duplicate pair reads both of its codes when one is charged",
        one_rule("duplicate_charge", {"pairs": [[EXAM, BLOOD]], "window_days": 3}),
        visit(begin=at(5, 9)),
        [line("1", BLOOD, "1", "9", when=at(5, 9))],
        None,
        NEED(lines=((dt.datetime(2026, 3, 2), (EXAM, BLOOD)),)),
    ),
    (
        "a prefix is read as a prefix",
        one_rule("frequency", {"codes": ["XA10*"], "max_per_day": "4"}),
        visit(begin=at(5, 9)),
        [line("1", METFORMIN, "1", "2", when=at(5, 9))],
        None,
        NEED(lines=((dt.datetime(2026, 3, 4), ("XA10*",)),)),
    ),
    ("a conflict reads only the visit itself", one_rule(*CONFLICT), visit(), [line("1", BED, "1", "9")], None, NEED()),
    ("re-admission of an outpatient visit reads nothing", one_rule(*READMISSION), visit(), [], None, NEED()),
    (
        "re-admission of a stay reads stays from its window's midnight",
        one_rule(*READMISSION),
        visit("inpatient", begin=at(20, 9)),
        [],
        None,
        NEED(stays_since=dt.datetime(2026, 3, 5)),
    ),
    (
        "a rule of another scene reads nothing",
        _scene_rule(["3"]),
        visit(),
        [line("1", METFORMIN, "1", "2")],
        None,
        NEED(),
    ),
    ("a rule not asked for reads nothing", DEMO, visit(), [line("1", METFORMIN, "1", "2")], ["SUP-AGE-001"], NEED()),
]


@pytest.mark.parametrize(("what", "rules", "encounter", "lines", "rule_ids", "need"), CASES, ids=[c[0] for c in CASES])
def test_a_check_reads_only_what_its_look_back_rules_name(what, rules, encounter, lines, rule_ids, need) -> None:
    assert sv.history_need(rules, check(WANGQIANG, encounter, *lines), rule_ids=rule_ids) == need


def _narrowed(history: sv.History, need: sv.HistoryNeed) -> sv.History:
    """The history as the stores answer `need` (the fake store matches codes the same way)."""
    lines = tuple(
        p for p in history.lines if any(p.when >= since and matches(p.code, codes) for since, codes in need.lines)
    )
    since = need.stays_since
    stays = tuple(
        s for s in history.stays if since is not None and (s.begin >= since or s.end is None or s.end >= since)
    )
    return sv.History(lines, stays)


CODES = [METFORMIN, EXAM, BED, BLOOD, INFUSION, CEFUROXIME]


def _random_check(rng: random.Random) -> sv.Check:
    begin = dt.datetime(2026, 6, 15, rng.randrange(24), rng.randrange(60))
    kind = rng.choice(["outpatient", "inpatient"])
    moment = lambda days: begin + dt.timedelta(days=days, minutes=rng.randrange(-600, 600))  # noqa: E731
    lines = [
        line(str(n), rng.choice(CODES), str(rng.choice([1, 2, 30, 120, -1])), "10", when=moment(rng.randrange(-1, 3)))
        for n in range(rng.randrange(0, 6))
    ]
    past = tuple(
        sv.PastLine(f"M{rng.randrange(8)}", rng.choice(CODES), sv.Decimal(rng.choice([1, 60, 200, -1])), moment(-d))
        for d in sorted(rng.randrange(0, 120) for _ in range(rng.randrange(0, 30)))
    )
    stays = tuple(
        sv.PastStay(f"S{n}", "H54010000001", moment(-d - 5), moment(-d) if rng.random() < 0.9 else None)
        for n, d in enumerate(rng.randrange(0, 40) for _ in range(rng.randrange(0, 3)))
    )
    return check(WANGQIANG, visit(kind, begin=begin), *lines, history=sv.History(past, stays))


@pytest.mark.parametrize("seed", range(4))
def test_the_engine_finds_the_same_over_what_it_reads_as_over_the_whole_history(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(150):
        full = _random_check(rng)
        window = dt.timedelta(days=sv.history_window(DEMO))
        # what the settlement read before: every line and stay since the largest window before registration
        before = sv.History(
            tuple(p for p in full.history.lines if p.when >= full.encounter.begin - window),
            tuple(s for s in full.history.stays if s.end is None or s.end >= full.encounter.begin - window),
        )
        need = sv.history_need(DEMO, replace(full, history=sv.History()))
        assert sv.evaluate(DEMO, replace(full, history=_narrowed(full.history, need))) == sv.evaluate(
            DEMO, replace(full, history=before)
        )
