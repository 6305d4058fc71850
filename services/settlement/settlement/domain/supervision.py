"""Fund supervision (基金监管): one rule engine before (3101), during (3102) and at settlement.

Rules are data, published by a bureau operator as a versioned rule set (like policies); each rule
has an id, a category, parameters, a message, a severity and an action. The engine is pure: it
reads the visit being checked, its lines, and the person's recent history (lines of other visits
and earlier stays), and answers the violations it finds. What a violation does at settlement is
its rule's action: RECORD (stored for review, settlement unchanged), EXCLUDE (the offending lines
leave fund payment: the person pays them in full, setl_proc_info names the rule) or REFUSE (the
settlement is refused with an err_msg naming the rule and line).

docs/supervision.md describes every category and its parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Category(StrEnum):
    """The national rule-batch categories (NHSA rule base inventories)."""

    GENDER = "gender"  # items or drugs restricted to one gender
    AGE = "age"  # items or drugs restricted by age (children's items, adults only)
    PAYMENT_SCOPE = "payment_scope"  # 限定支付范围: indication, care setting, hospital level, insutype
    DUPLICATE_CHARGE = "duplicate_charge"  # 重复收费: item pairs not charged together within a window
    FREQUENCY = "frequency"  # a cap on quantity per day or per period
    PRICE_CAP = "price_cap"  # price above the cap
    CONFLICT = "conflict"  # items that contradict each other in one visit
    READMISSION = "readmission"  # 分解住院: the same person admitted again within N days


class Action(StrEnum):
    RECORD = "record"
    EXCLUDE = "exclude"
    REFUSE = "refuse"


class Severity(StrEnum):
    """sev_deg of the national output."""

    NOTICE = "1"  # 提醒
    SUSPECT = "2"  # 疑点 (可疑)
    VIOLATION = "3"  # 违规 (明确)


@dataclass(frozen=True)
class Rule:
    rule_id: str
    category: Category
    name: str
    message: str  # the clerk's text; may name {item}, {limit}, ... (docs/supervision.md)
    severity: Severity
    action: Action
    params: Mapping[str, Any]
    vola_bhvr_type: str = ""  # 违规行为分类 of the national output


@dataclass(frozen=True)
class RuleSet:
    version: str  # e.g. "SUP-2026-01"; stored with every violation
    valid_from: dt.date
    rules: tuple[Rule, ...]


class Scene(StrEnum):
    """trig_scen of 3101/3102, and the settlement calls that run the same engine."""

    OUTPATIENT_REGISTRATION = "1"
    OUTPATIENT_CHARGING = "2"
    ADMISSION = "3"
    INPATIENT_CHARGING = "4"
    INPATIENT_ORDERS = "5"
    OUTPATIENT_SETTLEMENT = "6"
    OUTPATIENT_PRESETTLEMENT = "7"
    INPATIENT_SETTLEMENT = "8"
    INPATIENT_PRESETTLEMENT = "9"
    PHARMACY = "10"


@dataclass(frozen=True)
class Patient:
    patn_id: str  # psn_no
    gend: str | None  # 1 male, 2 female (national gend)
    brdy: dt.date | None
    insutype: str | None


@dataclass(frozen=True)
class Encounter:
    mdtrt_id: str
    kind: str  # outpatient | inpatient | pharmacy (visit.kind)
    med_type: str | None
    medins_id: str  # fixmedins_code
    hosp_lv: str | None  # institution level (1, 2, 3, pharmacy, ...)
    begin: dt.datetime  # registration / admission time
    end: dt.datetime | None  # discharge time
    diagnoses: tuple[str, ...] = ()  # diagnosis codes, main first


@dataclass(frozen=True)
class Line:
    """A line checked: a fee line being settled, or an order of 3101/3102."""

    key: str  # feedetl_sn (rx_id for an order)
    code: str  # med_list_codg (hilist_code)
    name: str | None
    cnt: Decimal
    pric: Decimal
    amount: Decimal  # det_item_fee_sumamt
    when: dt.datetime  # fee_ocur_time (order start)


@dataclass(frozen=True)
class PastLine:
    """A line of another visit of the same person within the rules' windows."""

    mdtrt_id: str
    code: str
    cnt: Decimal
    when: dt.datetime
    key: str = ""  # feedetl_sn, named in the evidence; a line of the checked visit with this key counts once
    name: str | None = None


@dataclass(frozen=True)
class PastStay:
    """An earlier inpatient stay of the same person."""

    mdtrt_id: str
    medins_id: str
    begin: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True)
class History:
    lines: tuple[PastLine, ...] = ()
    stays: tuple[PastStay, ...] = ()


@dataclass(frozen=True)
class HistoryNeed:
    """What of a person's history one check reads: for each look-back window, the fee lines of other
    visits from a moment on whose codes match the patterns (a code, or a prefix ending in *) of the
    rules that look back and name a line of the check; and the inpatient stays that began or ended at
    or after `stays_since`, or have not ended (None: no stays, no re-admission rule applies)."""

    lines: tuple[tuple[dt.datetime, tuple[str, ...]], ...] = ()
    stays_since: dt.datetime | None = None

    def __bool__(self) -> bool:
        return bool(self.lines) or self.stays_since is not None


@dataclass(frozen=True)
class Violation:
    rule_id: str
    rule_name: str
    category: Category
    severity: Severity
    action: Action
    text: str  # vola_cont: what is wrong, naming the item and the limit
    amount: Decimal  # vola_amt: the money involved (the offending lines' amount)
    line_keys: tuple[str, ...]  # the offending lines (feedetl_sn / rx_id); a re-admission names every line
    evidence: str  # vola_evid: what the engine saw (the other line, the earlier stay, ...)
    vola_bhvr_type: str = ""
    # (line key, amount involved) per offending line, in line_keys order; they add up to `amount`. The part
    # above the cap for price_cap and frequency, the whole line otherwise: what EXCLUDE takes off the fund.
    line_amounts: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class Check:
    """Everything one evaluation reads."""

    patient: Patient
    encounter: Encounter
    lines: Sequence[Line]
    history: History = field(default_factory=History)
    scene: Scene = Scene.OUTPATIENT_SETTLEMENT


def evaluate(rules: RuleSet, check: Check, *, rule_ids: Collection[str] | None = None) -> list[Violation]:
    """The violations of `check` under `rules` (only those in `rule_ids` when given), in rule order."""
    from .supervision_checks import run
    from .supervision_rules import compiled

    cs = compiled(rules)
    return run(cs, check, _selected(cs, rule_ids))


def history_need(rules: RuleSet, check: Check, *, rule_ids: Collection[str] | None = None) -> HistoryNeed:
    """What of the person's history evaluating `check` (its history not read yet) under `rules` reads."""
    from .supervision_history import need
    from .supervision_rules import compiled

    cs = compiled(rules)
    return need(cs, check, _selected(cs, rule_ids))


def _selected(cs: Any, rule_ids: Collection[str] | None) -> set[int] | None:
    if rule_ids is None:
        return None
    wanted = set(rule_ids)
    return {c.position for c in cs.rules if c.rule.rule_id in wanted}


def history_window(rules: RuleSet) -> int:
    """How many days back the history reaches at most for these rules (the largest window)."""
    from .supervision_rules import compiled

    return compiled(rules).history_days


def parse_rule_set(data: Mapping[str, Any]) -> RuleSet:
    """A rule set from its published JSON; raises ValueError naming the rule and field when invalid."""
    from .supervision_rules import parse

    return parse(data)


def rule_set_json(rules: RuleSet) -> dict[str, Any]:
    """The published JSON of a rule set (parse_rule_set's inverse)."""
    from .supervision_rules import to_json

    return to_json(rules)


def unknown_rule_ids(rules: RuleSet, rule_ids: Collection[str]) -> list[str]:
    """The ids of `rule_ids` no rule of `rules` has, in the order given (3101/3102 may refuse them)."""
    known = {r.rule_id for r in rules.rules}
    return [rule_id for rule_id in rule_ids if rule_id not in known]


def excluded_amounts(violations: Sequence[Violation]) -> dict[str, Decimal]:
    """What each line leaves fund payment by under the EXCLUDE violations: the largest amount any of them
    names for the line (a line excluded whole by one rule and in part by another leaves it whole)."""
    out: dict[str, Decimal] = {}
    for v in violations:
        if v.action is Action.EXCLUDE:
            for key, amount in v.line_amounts:
                out[key] = max(out.get(key, amount), amount)
    return out


def first_refusal(violations: Sequence[Violation]) -> Violation | None:
    """The violation whose rule refuses the settlement, the first in rule order, or None."""
    return next((v for v in violations if v.action is Action.REFUSE), None)
