"""Quality control of a 医疗保障基金结算清单: rules published as versioned data, and the pure engine
that checks an uploaded list against them (4101 / 4101A store the result, 4104 answers it).

A rule set is `{"version", "effective_from", "rules": [...]}`; each rule has an `id`, a `kind`
(KINDS), the node and field(s) it looks at, `err_lv` (1 error: the list fails and is sent back;
2 warning: reported only), and optionally `visit` (inpatient / outpatient), `infnos` (4101 / 4101A),
`where` (only rows whose fields have these values) and `hint` (a sentence added to the clerk's
message). docs/settlement-rules.md, "Settlement-list quality control", lists the kinds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from medshared.errors import Invalid
from medshared.money import money
from medshared.national import INF_TIME_FORMAT

from .setllist_nodes import (
    CHRGITM,
    ERROR,
    ITEM_AMOUNTS,
    LABELS,
    NODES,
    ROW_MODELS,
    UPLOAD,
    UPLOAD_A,
    WARNING,
    SetlInfo,
    SetlList,
    Settled,
)

# --------------------------------------------------------------------------- rules as data


KINDS = (
    "required",
    "not_empty",
    "one_of",
    "in_catalogue",
    "exactly_one",
    "date_order",
    "fee_summary",
    "fund_payments",
    "equals_settlement",
)
VISITS = ("any", "inpatient", "outpatient")
SETTLEMENT_AMOUNTS = ("medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "psn_selfpay", "psn_ownpay")
_RULE_KEYS = {
    "id",
    "kind",
    "node",
    "field",
    "fields",
    "values",
    "value",
    "where",
    "catalogue",
    "pattern",
    "not_before",
    "not_after",
    "compare",
    "account_funds",
    "settlement",
    "err_lv",
    "visit",
    "infnos",
    "hint",
}
_NEEDS = {
    "required": ("fields",),
    "not_empty": ("node",),
    "one_of": ("field", "values"),
    "in_catalogue": ("field", "catalogue"),
    "exactly_one": ("field", "value"),
    "date_order": ("field",),
    "fee_summary": (),
    "fund_payments": (),
    "equals_settlement": ("field", "settlement"),
}


class RulesInvalid(Invalid):
    """A quality-control rule set that cannot be published; the message names the rule and the key."""

    def __init__(self, message: str) -> None:
        super().__init__("invalid_qc_rules", message)


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    node: str = "setlinfo"
    field: str | None = None
    fields: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    value: str | None = None
    where: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    catalogue: str | None = None
    pattern: str | None = None
    not_before: str | None = None
    not_after: str | None = None
    compare: tuple[str, ...] = ("amt",)
    account_funds: tuple[str, ...] = ("310200",)
    settlement: str | None = None
    err_lv: str = ERROR
    visit: str = "any"
    infnos: tuple[str, ...] = (UPLOAD, UPLOAD_A)
    hint: str | None = None

    def applies(self, infno: str, visit_kind: str) -> bool:
        return infno in self.infnos and self.visit in ("any", visit_kind)

    def selects(self, row: Any) -> bool:
        return all(getattr(row, k, None) in allowed for k, allowed in self.where.items())


@dataclass(frozen=True)
class RuleSet:
    version: str
    effective_from: dt.date
    rules: tuple[Rule, ...]

    @property
    def account_funds(self) -> tuple[str, ...]:
        for r in self.rules:
            if r.kind == "fund_payments":
                return r.account_funds
        return ("310200",)


NO_RULES = RuleSet("", dt.date.min, ())


def parse_rules(body: Any) -> RuleSet:
    """A rule set as an operator publishes it; every problem names the rule and what to send."""
    if not isinstance(body, dict):
        raise RulesInvalid("send the rule set as an object with version, effective_from and rules")
    unknown = set(body) - {"version", "effective_from", "rules", "memo"}
    if unknown:
        raise RulesInvalid(f"unknown key {sorted(unknown)[0]!r}; a rule set has version, effective_from, rules, memo")
    version = body.get("version")
    if not isinstance(version, str) or not re.fullmatch(r"[0-9A-Za-z._-]{1,20}", version):
        raise RulesInvalid("version must be 1 to 20 letters, digits, '.', '_' or '-'")
    try:
        effective_from = dt.date.fromisoformat(str(body.get("effective_from")))
    except ValueError:
        raise RulesInvalid("effective_from must be a date, yyyy-MM-dd") from None
    rules = body.get("rules")
    if not isinstance(rules, list) or not rules or len(rules) > 500:
        raise RulesInvalid("rules must be a list of 1 to 500 rules")
    parsed = tuple(_rule(i, r) for i, r in enumerate(rules))
    ids = [r.id for r in parsed]
    twice = sorted({x for x in ids if ids.count(x) > 1})
    if twice:
        raise RulesInvalid(f"rule id {twice[0]} is used twice; each rule has its own id")
    return RuleSet(version, effective_from, parsed)


def _rule(i: int, raw: Any) -> Rule:
    where = f"rules[{i}]"
    if not isinstance(raw, dict):
        raise RulesInvalid(f"{where} must be an object")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[0-9A-Za-z._-]{1,40}", rule_id):
        raise RulesInvalid(f"{where}.id must be 1 to 40 letters, digits, '.', '_' or '-'")
    where = f"rule {rule_id}"
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise RulesInvalid(f"{where}: unknown key {sorted(unknown)[0]!r}")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise RulesInvalid(f"{where}: kind must be one of {', '.join(KINDS)}")
    missing = [k for k in _NEEDS[kind] if raw.get(k) in (None, "", [])]
    if missing:
        raise RulesInvalid(f"{where}: a {kind} rule needs {missing[0]}")
    node = raw.get("node", "setlinfo")
    if node not in NODES:
        raise RulesInvalid(f"{where}: node must be one of {', '.join(NODES)}")
    model = SetlInfo if node == "setlinfo" else ROW_MODELS[node]
    names = [raw["field"]] if raw.get("field") else []
    names += list(_texts(where, "fields", raw.get("fields", [])))
    for name in names + list(raw.get("where", {})):
        if name not in model.model_fields:
            raise RulesInvalid(f"{where}: {node} has no field {name!r}")
    for key in ("not_before", "not_after"):
        if raw.get(key) is not None:
            _reference(where, key, raw[key], model)
    if kind == "date_order" and not (raw.get("not_before") or raw.get("not_after")):
        raise RulesInvalid(f"{where}: a date_order rule needs not_before or not_after")
    if raw.get("pattern") is not None:
        try:
            re.compile(str(raw["pattern"]))
        except re.error:
            raise RulesInvalid(f"{where}: pattern is not a regular expression") from None
    compare = _texts(where, "compare", raw.get("compare", ["amt"]))
    if not set(compare) <= set(ITEM_AMOUNTS[:4]):
        raise RulesInvalid(f"{where}: compare takes {', '.join(ITEM_AMOUNTS[:4])}")
    if kind == "equals_settlement" and raw.get("settlement") not in SETTLEMENT_AMOUNTS:
        raise RulesInvalid(f"{where}: settlement must be one of {', '.join(SETTLEMENT_AMOUNTS)}")
    if raw.get("err_lv", ERROR) not in (ERROR, WARNING):
        raise RulesInvalid(f"{where}: err_lv is 1 (error: the list is sent back) or 2 (warning)")
    if raw.get("visit", "any") not in VISITS:
        raise RulesInvalid(f"{where}: visit is one of {', '.join(VISITS)}")
    infnos = _texts(where, "infnos", raw.get("infnos", [UPLOAD, UPLOAD_A]))
    if not infnos or not set(infnos) <= {UPLOAD, UPLOAD_A}:
        raise RulesInvalid(f"{where}: infnos lists 4101 and/or 4101A")
    where_filter = raw.get("where", {})
    if not isinstance(where_filter, dict):
        raise RulesInvalid(f"{where}: where maps a field to the values a row must have")
    return Rule(
        id=rule_id,
        kind=kind,
        node=node,
        field=raw.get("field"),
        fields=_texts(where, "fields", raw.get("fields", [])),
        values=_texts(where, "values", raw.get("values", [])),
        value=None if raw.get("value") is None else str(raw["value"]),
        where={k: _texts(where, f"where.{k}", v) for k, v in where_filter.items()},
        catalogue=raw.get("catalogue"),
        pattern=raw.get("pattern"),
        not_before=raw.get("not_before"),
        not_after=raw.get("not_after"),
        compare=compare,
        account_funds=_texts(where, "account_funds", raw.get("account_funds", ["310200"])),
        settlement=raw.get("settlement"),
        err_lv=raw.get("err_lv", ERROR),
        visit=raw.get("visit", "any"),
        infnos=infnos,
        hint=raw.get("hint"),
    )


def _texts(where: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RulesInvalid(f"{where}: {key} must be a list of texts")
    return tuple(value)


def _reference(where: str, key: str, ref: Any, model: type[BaseModel]) -> None:
    """`setlinfo.adm_time` names the header's field; a bare name, a field of the same row."""
    if not isinstance(ref, str):
        raise RulesInvalid(f"{where}: {key} names a field, e.g. setlinfo.adm_time")
    node, _, name = ref.rpartition(".")
    target = SetlInfo if node == "setlinfo" else model
    if node not in ("", "setlinfo") or name not in target.model_fields:
        raise RulesInvalid(f"{where}: {key} {ref!r} is not a field of this row or of setlinfo")


def catalogue_lookups(rules: RuleSet, sent: SetlList, infno: str, visit_kind: str) -> dict[str, set[str]]:
    """The codes each catalogue must be asked about: catalogue -> the codes the list sends for it."""
    wanted: dict[str, set[str]] = {}
    for rule in rules.rules:
        if rule.kind == "in_catalogue" and rule.applies(infno, visit_kind) and rule.catalogue and rule.field:
            for _, row in _rows(sent, rule):
                code = getattr(row, rule.field)
                if code:
                    wanted.setdefault(rule.catalogue, set()).add(code)
    return wanted


def _rows(sent: SetlList, rule: Rule) -> list[tuple[int | None, Any]]:
    if rule.node == "setlinfo":
        return [(None, sent.setlinfo)]
    return [(i, row) for i, row in enumerate(sent.node(rule.node)) if rule.selects(row)]


# --------------------------------------------------------------------------- the engine


@dataclass(frozen=True)
class Problem:
    rule_id: str
    node: str
    row: int | None
    field: str
    err_lv: str
    message: str
    value: str | None = None

    @property
    def where(self) -> str:
        return field_path(self.node, self.row, self.field)


@dataclass(frozen=True)
class Facts:
    """Everything a rule may look at."""

    sent: SetlList
    infno: str
    visit_kind: str  # inpatient | outpatient
    settled: Settled
    known: Mapping[str, set[str] | None]  # catalogue -> the sent codes it has, None when not loaded


@dataclass(frozen=True)
class QcResult:
    version: str
    problems: tuple[Problem, ...]

    @property
    def passed(self) -> bool:
        return not any(p.err_lv == ERROR for p in self.problems)

    @property
    def err_lv(self) -> str | None:
        levels = {p.err_lv for p in self.problems}
        return ERROR if ERROR in levels else WARNING if levels else None


def check(rules: RuleSet, facts: Facts) -> QcResult:
    """Every problem of the list under the rules that apply to its edition (4101 / 4101A) and visit."""
    found: list[Problem] = []
    for rule in rules.rules:
        if rule.applies(facts.infno, facts.visit_kind):
            found.extend(CHECKS[rule.kind](rule, facts))
    return QcResult(rules.version, tuple(found))


CATALOGUES = {"1307": "疾病与诊断目录", "1308": "手术操作目录"}


def _named(path: str, name: str) -> str:
    label = LABELS.get(name)
    return f"{path} ({label})" if label else path


def field_path(node: str, row: int | None, name: str) -> str:
    """How a problem names its field: setlinfo.adm_time, diseinfo[0].diag_code, iteminfo.med_chrgitm."""
    return f"{node}{'' if row is None else f'[{row}]'}.{name}"


def _shown(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime(INF_TIME_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(money(value))
    return str(value)


def _problem(rule: Rule, node: str, row: int | None, name: str, message: str, value: Any = None) -> Problem:
    text = f"{message}; {rule.hint}" if rule.hint else message
    return Problem(rule.id, node, row, name, rule.err_lv, text, None if value is None else _shown(value))


def _required(rule: Rule, facts: Facts) -> Iterator[Problem]:
    for row, values in _rows(facts.sent, rule):
        for name in rule.fields:
            if getattr(values, name) in (None, ""):
                path = _named(field_path(rule.node, row, name), name)
                yield _problem(rule, rule.node, row, name, f"{path} is missing; fill it in and upload the list again")


def _not_empty(rule: Rule, facts: Facts) -> Iterator[Problem]:
    if rule.node != "setlinfo" and not facts.sent.node(rule.node):
        yield _problem(rule, rule.node, None, "*", f"{rule.node} has no rows; send at least one")


def _one_of(rule: Rule, facts: Facts) -> Iterator[Problem]:
    assert rule.field is not None
    for row, values in _rows(facts.sent, rule):
        value = getattr(values, rule.field)
        if value not in (None, "") and value not in rule.values:
            path = _named(field_path(rule.node, row, rule.field), rule.field)
            yield _problem(
                rule, rule.node, row, rule.field, f"{path} is {value!r}; send one of {', '.join(rule.values)}", value
            )


def _in_catalogue(rule: Rule, facts: Facts) -> Iterator[Problem]:
    assert rule.field is not None and rule.catalogue is not None
    known = facts.known.get(rule.catalogue)
    name = CATALOGUES.get(rule.catalogue, "")
    for row, values in _rows(facts.sent, rule):
        code = getattr(values, rule.field)
        if code in (None, ""):
            continue
        if known is not None:
            if code in known:
                continue
            why = f"is not in the national {rule.catalogue} catalogue {name}".rstrip()
        elif rule.pattern is not None:
            if re.fullmatch(rule.pattern, code):
                continue
            why = f"does not have the shape of a code of the national {rule.catalogue} catalogue {name}".rstrip()
        else:
            continue  # the catalogue is not loaded and the rule gives no shape to check
        path = _named(field_path(rule.node, row, rule.field), rule.field)
        yield _problem(rule, rule.node, row, rule.field, f"{path} {code} {why}; send the national code", code)


def _exactly_one(rule: Rule, facts: Facts) -> Iterator[Problem]:
    assert rule.field is not None
    marked = [row for row, values in _rows(facts.sent, rule) if getattr(values, rule.field) == rule.value]
    named = _named(f"{rule.field} {rule.value}", rule.field)
    if not marked:
        yield _problem(rule, rule.node, None, rule.field, f"no row of {rule.node} has {named}; mark exactly one")
    for row in marked[1:]:
        yield _problem(
            rule,
            rule.node,
            row,
            rule.field,
            f"{rule.node}[{marked[0]}] and {rule.node}[{row}] both have {named}; exactly one row may",
            rule.value,
        )


def _date_order(rule: Rule, facts: Facts) -> Iterator[Problem]:
    assert rule.field is not None
    for row, values in _rows(facts.sent, rule):
        value = getattr(values, rule.field)
        if value is None:
            continue
        path = _named(field_path(rule.node, row, rule.field), rule.field)
        for ref, later in ((rule.not_before, False), (rule.not_after, True)):
            if ref is None:
                continue
            other, other_path = _resolve(ref, values, rule.node, row, facts.sent)
            if other is None:
                continue
            wrong = _earlier(other, value) if later else _earlier(value, other)
            if wrong:
                side = "after" if later else "before"
                yield _problem(
                    rule,
                    rule.node,
                    row,
                    rule.field,
                    f"{path} {_shown(value)} is {side} {_named(other_path, ref.rpartition('.')[2])} {_shown(other)}",
                    value,
                )


def _resolve(ref: str, values: Any, node: str, row: int | None, sent: SetlList) -> tuple[Any, str]:
    owner, _, name = ref.rpartition(".")
    if owner == "setlinfo":
        return getattr(sent.setlinfo, name), f"setlinfo.{name}"
    return getattr(values, name), field_path(node, row, name)


def _earlier(a: dt.date, b: dt.date) -> bool:
    """a before b; a plain date is compared with the other's day."""
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a < b
    day_a = a.date() if isinstance(a, dt.datetime) else a
    day_b = b.date() if isinstance(b, dt.datetime) else b
    return day_a < day_b


def _fee_summary(rule: Rule, facts: Facts) -> Iterator[Problem]:
    settled = facts.settled.items
    seen: dict[str, int] = {}
    for row, values in enumerate(facts.sent.node("iteminfo")):
        item = getattr(values, "med_chrgitm", None)
        if item in (None, ""):
            continue
        label = f"{CHRGITM.get(item, '医疗收费项目')} ({item})"
        if item in seen:
            yield _problem(
                rule,
                "iteminfo",
                row,
                "med_chrgitm",
                f"iteminfo[{row}].med_chrgitm {item} repeats iteminfo[{seen[item]}]; send one row per 医疗收费项目",
                item,
            )
            continue
        seen[item] = row
        if item not in settled:
            yield _problem(
                rule,
                "iteminfo",
                row,
                "med_chrgitm",
                f"iteminfo[{row}].med_chrgitm: the settlement has no {label} fees; send only the categories it settled",
                item,
            )
            continue
        for name in rule.compare:
            sent = getattr(values, name)
            want = settled[item][name]
            path = _named(f"iteminfo[{row}].{name}", name)
            if sent is None:
                yield _problem(rule, "iteminfo", row, name, f"{path} is missing; the settlement's {label} has {want}")
            elif money(sent) != want:
                yield _problem(
                    rule,
                    "iteminfo",
                    row,
                    name,
                    f"{path} is {money(sent)} but the settlement's {label} has {want}",
                    sent,
                )
    for item, totals in settled.items():
        if item not in seen:
            label = f"{CHRGITM.get(item, '医疗收费项目')} ({item})"
            yield _problem(
                rule,
                "iteminfo",
                None,
                "med_chrgitm",
                f"the settlement has {totals['amt']} of {label} but iteminfo has no row for med_chrgitm {item}",
            )


def _fund_payments(rule: Rule, facts: Facts) -> Iterator[Problem]:
    funds = facts.settled.funds
    seen: dict[str, int] = {}
    for row, values in enumerate(facts.sent.node("payinfo")):
        fund = getattr(values, "fund_pay_type", None)
        if fund in (None, ""):
            continue
        if fund in seen:
            yield _problem(
                rule,
                "payinfo",
                row,
                "fund_pay_type",
                f"payinfo[{row}].fund_pay_type {fund} repeats payinfo[{seen[fund]}]; send one row per fund",
                fund,
            )
            continue
        seen[fund] = row
        if fund not in funds:
            paid = ", ".join(k for k in funds if k not in rule.account_funds) or "no fund"
            yield _problem(
                rule,
                "payinfo",
                row,
                "fund_pay_type",
                f"payinfo[{row}].fund_pay_type {fund} did not pay for this settlement (it was paid by {paid})",
                fund,
            )
            continue
        sent = getattr(values, "fund_payamt", None)
        path = _named(f"payinfo[{row}].fund_payamt", "fund_payamt")
        if sent is not None and money(sent) != money(funds[fund]):
            yield _problem(
                rule,
                "payinfo",
                row,
                "fund_payamt",
                f"{path} is {money(sent)} but fund {fund} paid {money(funds[fund])} in this settlement",
                sent,
            )
    for fund, amount in funds.items():
        if fund not in seen and fund not in rule.account_funds:
            yield _problem(
                rule,
                "payinfo",
                None,
                "fund_pay_type",
                f"fund {fund} paid {money(amount)} in this settlement but payinfo has no row for it",
            )


def _equals_settlement(rule: Rule, facts: Facts) -> Iterator[Problem]:
    assert rule.field is not None and rule.settlement is not None
    sent = getattr(facts.sent.setlinfo, rule.field)
    want = facts.settled.amounts.get(rule.settlement)
    if sent is None or want is None or money(sent) == money(want):
        return
    path = _named(f"setlinfo.{rule.field}", rule.field)
    message = f"{path} is {money(sent)} but the settlement's {rule.settlement} is {money(want)}"
    yield _problem(rule, "setlinfo", None, rule.field, message, sent)


CHECKS: dict[str, Callable[[Rule, Facts], Iterator[Problem]]] = {
    "required": _required,
    "not_empty": _not_empty,
    "one_of": _one_of,
    "in_catalogue": _in_catalogue,
    "exactly_one": _exactly_one,
    "date_order": _date_order,
    "fee_summary": _fee_summary,
    "fund_payments": _fund_payments,
    "equals_settlement": _equals_settlement,
}
