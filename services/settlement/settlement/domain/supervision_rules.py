"""Fund-supervision rule sets read and compiled (settlement.domain.supervision).

A rule's `params` are read once per rule set into a typed spec per category, and every item code
or code prefix the rules name goes into one index: a line finds the rules that concern it with a
dict lookup on its code plus one lookup per distinct prefix length, whatever the number of rules.
A compiled rule set is cached by identity (a RuleSet holds plain dicts, so it is not hashable).
Every error names the rule and the field (ValueError), so an operator can fix the published JSON.
"""

from __future__ import annotations

import datetime as dt
import string
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from medshared.money import NotMoney, to_decimal

from .supervision import Action, Category, Rule, RuleSet, Scene, Severity

GENDERS = {"1": "男", "2": "女"}
# Placeholders a rule's message may name; each category fills every one (docs/supervision.md).
PLACEHOLDERS = frozenset({"code", "name", "item", "limit", "actual", "other"})
_RULE_FIELDS = frozenset({"rule_id", "category", "name", "message", "severity", "action", "params", "vola_bhvr_type"})
_SET_FIELDS = frozenset({"version", "valid_from", "rules"})
_COMMON = frozenset({"scenes"})


class _Bad(ValueError):
    pass


def _fail(rule_id: str, name: str, what: str) -> _Bad:
    return _Bad(f"rule {rule_id}: {name} {what}")


# --- reading one field -----------------------------------------------------------------------


def _text(rule_id: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(rule_id, name, "must be a non-empty string")
    return value.strip()


def _texts(rule_id: str, name: str, value: Any, *, least: int = 1) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) < least:
        raise _fail(rule_id, name, f"must be a list of at least {least} string{'s' if least > 1 else ''}")
    out = tuple(_text(rule_id, f"{name}[{i}]", v) for i, v in enumerate(value))
    if len(set(out)) != len(out):
        raise _fail(rule_id, name, "names an entry twice")
    return out


def _pattern(rule_id: str, name: str, value: Any) -> str:
    code = _text(rule_id, name, value)
    if code == "*" or "*" in code[:-1]:
        raise _fail(rule_id, name, "may end with one * (a code prefix) and must name something before it")
    return code


def _codes(rule_id: str, name: str, value: Any, *, least: int = 1) -> tuple[str, ...]:
    out = _texts(rule_id, name, value, least=least)
    for i, code in enumerate(out):
        _pattern(rule_id, f"{name}[{i}]", code)
    return out


def _whole(rule_id: str, name: str, value: Any, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _fail(rule_id, name, f"must be a whole number of at least {least}")
    return value


def _positive(rule_id: str, name: str, value: Any) -> Decimal:
    try:
        number = to_decimal(value)
    except NotMoney as exc:
        raise _fail(rule_id, name, "must be a decimal number written as a string or an integer") from exc
    if number <= 0:
        raise _fail(rule_id, name, "must be above 0")
    return number


def _flag(rule_id: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(rule_id, name, "must be true or false")
    return value


# --- the spec of each category -----------------------------------------------------------------


@dataclass(frozen=True)
class GenderSpec:
    codes: tuple[str, ...]
    gend: str


@dataclass(frozen=True)
class AgeSpec:
    codes: tuple[str, ...]
    min_age: int | None
    max_age: int | None

    def limit(self) -> str:
        if self.min_age is not None and self.max_age is not None:
            return f"{self.min_age}至{self.max_age}岁"
        if self.min_age is not None:
            return f"{self.min_age}岁及以上"
        return f"{self.max_age}岁及以下"


@dataclass(frozen=True)
class ScopeSpec:
    codes: tuple[str, ...]
    diagnoses: tuple[str, ...] | None
    kinds: tuple[str, ...] | None
    med_types: tuple[str, ...] | None
    hosp_lvs: tuple[str, ...] | None
    insutypes: tuple[str, ...] | None


@dataclass(frozen=True)
class DuplicateSpec:
    pairs: tuple[tuple[str, str], ...]
    window_days: int | None  # None: the same visit, whatever the dates


@dataclass(frozen=True)
class FrequencySpec:
    codes: tuple[str, ...]
    max_per_day: Decimal | None
    max_per_period: Decimal | None
    period_days: int | None
    combined: bool  # one count over all the rule's codes instead of one per code


@dataclass(frozen=True)
class PriceSpec:
    codes: tuple[str, ...]
    max_price: Decimal


@dataclass(frozen=True)
class ConflictSpec:
    codes: tuple[str, ...]


@dataclass(frozen=True)
class ReadmissionSpec:
    window_days: int
    same_institution: bool


Spec = GenderSpec | AgeSpec | ScopeSpec | DuplicateSpec | FrequencySpec | PriceSpec | ConflictSpec | ReadmissionSpec

_ALLOWED: dict[Category, frozenset[str]] = {
    Category.GENDER: frozenset({"codes", "gend"}),
    Category.AGE: frozenset({"codes", "min_age", "max_age"}),
    Category.PAYMENT_SCOPE: frozenset({"codes", "diagnoses", "kinds", "med_types", "hosp_lvs", "insutypes"}),
    Category.DUPLICATE_CHARGE: frozenset({"pairs", "window_days"}),
    Category.FREQUENCY: frozenset({"codes", "max_per_day", "max_per_period", "period_days", "combined"}),
    Category.PRICE_CAP: frozenset({"codes", "max_price"}),
    Category.CONFLICT: frozenset({"codes"}),
    Category.READMISSION: frozenset({"window_days", "same_institution"}),
}


def _need(rule_id: str, params: Mapping[str, Any], name: str) -> Any:
    if params.get(name) is None:
        raise _fail(rule_id, f"params.{name}", "is required")
    return params[name]


def _spec(rule_id: str, category: Category, p: Mapping[str, Any]) -> Spec:
    unknown = sorted(set(p) - _ALLOWED[category] - _COMMON)
    if unknown:
        allowed = ", ".join(sorted(_ALLOWED[category] | _COMMON))
        raise _fail(rule_id, f"params.{unknown[0]}", f"is not a parameter of {category.value} (use {allowed})")

    def opt_whole(name: str, least: int) -> int | None:
        return None if p.get(name) is None else _whole(rule_id, f"params.{name}", p[name], least=least)

    def opt_texts(name: str) -> tuple[str, ...] | None:
        return None if p.get(name) is None else _texts(rule_id, f"params.{name}", p[name])

    def codes(least: int = 1) -> tuple[str, ...]:
        return _codes(rule_id, "params.codes", _need(rule_id, p, "codes"), least=least)

    if category is Category.GENDER:
        gend = _need(rule_id, p, "gend")
        if gend not in GENDERS:
            raise _fail(rule_id, "params.gend", 'must be "1" (male) or "2" (female)')
        return GenderSpec(codes(), gend)
    if category is Category.AGE:
        low, high = opt_whole("min_age", 0), opt_whole("max_age", 0)
        if low is None and high is None:
            raise _fail(rule_id, "params.min_age", "or params.max_age is required")
        if low is not None and high is not None and low > high:
            raise _fail(rule_id, "params.min_age", "must not be above params.max_age")
        return AgeSpec(codes(), low, high)
    if category is Category.PAYMENT_SCOPE:
        diagnoses = opt_texts("diagnoses")
        if diagnoses is not None:
            for i, d in enumerate(diagnoses):
                if d == "*" or "*" in d[:-1]:
                    raise _fail(
                        rule_id, f"params.diagnoses[{i}]", "may end with one * and must name something before it"
                    )
            diagnoses = tuple(d.rstrip("*").upper() for d in diagnoses)
        scope = ScopeSpec(
            codes(),
            diagnoses,
            opt_texts("kinds"),
            opt_texts("med_types"),
            opt_texts("hosp_lvs"),
            opt_texts("insutypes"),
        )
        if not any((scope.diagnoses, scope.kinds, scope.med_types, scope.hosp_lvs, scope.insutypes)):
            raise _fail(rule_id, "params", "needs at least one of diagnoses, kinds, med_types, hosp_lvs, insutypes")
        return scope
    if category is Category.DUPLICATE_CHARGE:
        raw = _need(rule_id, p, "pairs")
        if not isinstance(raw, list) or not raw:
            raise _fail(rule_id, "params.pairs", "must be a list of [code, code] pairs")
        pairs = []
        for i, pair in enumerate(raw):
            if not isinstance(pair, list) or len(pair) != 2:
                raise _fail(
                    rule_id, f"params.pairs[{i}]", "must be two codes, [a, b] (or [a, a] for an item with itself)"
                )
            a, b = (_pattern(rule_id, f"params.pairs[{i}][{n}]", pair[n]) for n in (0, 1))
            pairs.append((a, b))
        return DuplicateSpec(tuple(pairs), opt_whole("window_days", 1))
    if category is Category.FREQUENCY:
        per_day = None if p.get("max_per_day") is None else _positive(rule_id, "params.max_per_day", p["max_per_day"])
        per_period = None
        if p.get("max_per_period") is not None:
            per_period = _positive(rule_id, "params.max_per_period", p["max_per_period"])
        period = opt_whole("period_days", 1)
        if (per_period is None) != (period is None):
            raise _fail(rule_id, "params.period_days", "and params.max_per_period go together")
        if per_day is None and per_period is None:
            raise _fail(rule_id, "params.max_per_day", "or params.max_per_period is required")
        combined = False if p.get("combined") is None else _flag(rule_id, "params.combined", p["combined"])
        return FrequencySpec(codes(), per_day, per_period, period, combined)
    if category is Category.PRICE_CAP:
        return PriceSpec(codes(), _positive(rule_id, "params.max_price", _need(rule_id, p, "max_price")))
    if category is Category.CONFLICT:
        return ConflictSpec(codes(least=2))
    same = (
        False if p.get("same_institution") is None else _flag(rule_id, "params.same_institution", p["same_institution"])
    )
    return ReadmissionSpec(_whole(rule_id, "params.window_days", _need(rule_id, p, "window_days"), least=1), same)


def _scenes(rule_id: str, params: Mapping[str, Any]) -> frozenset[Scene] | None:
    if params.get("scenes") is None:
        return None
    values = _texts(rule_id, "params.scenes", params["scenes"])
    known = {s.value for s in Scene}
    for i, v in enumerate(values):
        if v not in known:
            raise _fail(rule_id, f"params.scenes[{i}]", "must be a trig_scen of 1 to 10")
    return frozenset(Scene(v) for v in values)


def check_message(rule_id: str, message: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(message) if name is not None}
    except ValueError as exc:
        raise _fail(rule_id, "message", f"is not a valid template ({exc})") from exc
    bad = sorted(n for n in names if n not in PLACEHOLDERS)
    if bad:
        raise _fail(
            rule_id, "message", f"names {{{bad[0]}}}; use {', '.join('{' + n + '}' for n in sorted(PLACEHOLDERS))}"
        )


# --- the compiled rule set ---------------------------------------------------------------------


@dataclass(frozen=True)
class Compiled:
    rule: Rule
    spec: Spec
    scenes: frozenset[Scene] | None
    position: int


class CodeIndex:
    """Exact codes in one dict, prefixes in one dict per prefix length; values are (position, tag)."""

    def __init__(self) -> None:
        self._exact: dict[str, list[tuple[int, int]]] = {}
        self._prefixes: dict[int, dict[str, list[tuple[int, int]]]] = {}
        self._lengths: tuple[int, ...] = ()

    def add(self, pattern: str, position: int, tag: int) -> None:
        if pattern.endswith("*"):
            stem = pattern[:-1]
            self._prefixes.setdefault(len(stem), {}).setdefault(stem, []).append((position, tag))
            self._lengths = tuple(sorted(self._prefixes))
        else:
            self._exact.setdefault(pattern, []).append((position, tag))

    def find(self, code: str) -> list[tuple[int, int]]:
        hits = list(self._exact.get(code, ()))
        for length in self._lengths:
            if length > len(code):
                break
            hits.extend(self._prefixes[length].get(code[:length], ()))
        return hits


@dataclass(frozen=True)
class CompiledSet:
    rules: tuple[Compiled, ...]
    index: CodeIndex
    history_days: int


def _index(compiled: Sequence[Compiled]) -> CodeIndex:
    index = CodeIndex()
    for c in compiled:
        spec = c.spec
        if isinstance(spec, DuplicateSpec):
            # tag 2 * pair + side; an item paired with itself is side 0 only
            for n, (a, b) in enumerate(spec.pairs):
                index.add(a, c.position, 2 * n)
                if b != a:
                    index.add(b, c.position, 2 * n + 1)
        elif not isinstance(spec, ReadmissionSpec):
            for n, pattern in enumerate(spec.codes):
                index.add(pattern, c.position, n)
    return index


def window_days(spec: Spec) -> int:
    """How many days back a rule reads the person's history (0: it reads none)."""
    if isinstance(spec, DuplicateSpec | ReadmissionSpec):
        return spec.window_days or 0
    if isinstance(spec, FrequencySpec):
        return max(spec.period_days or 0, 1)
    return 0


def compile_rule(rule: Rule, position: int) -> Compiled:
    rule_id = rule.rule_id
    if not isinstance(rule.params, Mapping):
        raise _fail(rule_id, "params", "must be an object")
    check_message(rule_id, rule.message)
    category = _enum(rule_id, "category", rule.category, Category)
    _enum(rule_id, "severity", rule.severity, Severity)
    _enum(rule_id, "action", rule.action, Action)
    return Compiled(rule, _spec(rule_id, category, rule.params), _scenes(rule_id, rule.params), position)


def compile_set(rules: RuleSet) -> CompiledSet:
    seen: set[str] = set()
    compiled = []
    for position, rule in enumerate(rules.rules):
        if rule.rule_id in seen:
            raise _fail(rule.rule_id, "rule_id", "is used by two rules")
        seen.add(rule.rule_id)
        compiled.append(compile_rule(rule, position))
    return CompiledSet(tuple(compiled), _index(compiled), max((window_days(c.spec) for c in compiled), default=0))


def in_scope(cs: CompiledSet, scene: Scene, selected: set[int] | None) -> list[Compiled]:
    """The rules of `cs` that run in `scene` (only the positions `selected` when given), in rule order."""
    return [
        c for c in cs.rules if (selected is None or c.position in selected) and (c.scenes is None or scene in c.scenes)
    ]


# Keyed by id(): the entry holds the RuleSet itself, so its id cannot be reused while it is cached.
_CACHE: dict[int, tuple[RuleSet, CompiledSet]] = {}
_CACHE_SIZE = 16  # rule sets in force at once are few: one per version a settlement day falls in
_CACHE_LOCK = threading.Lock()


def compiled(rules: RuleSet) -> CompiledSet:
    """The compiled form of `rules`, compiled once per RuleSet object (the store hands out one object per
    published version)."""
    with _CACHE_LOCK:
        hit = _CACHE.get(id(rules))
    if hit is not None and hit[0] is rules:
        return hit[1]
    result = compile_set(rules)
    with _CACHE_LOCK:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[id(rules)] = (rules, result)
    return result


# --- JSON ----------------------------------------------------------------------------------------


def _enum(rule_id: str, name: str, value: Any, kind: type[Category] | type[Action] | type[Severity]) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise _fail(rule_id, name, f"must be one of {', '.join(m.value for m in kind)}") from None


def parse(data: Mapping[str, Any]) -> RuleSet:
    if not isinstance(data, Mapping):
        raise ValueError("a rule set must be an object with version, valid_from and rules")
    unknown = sorted(set(data) - _SET_FIELDS)
    if unknown:
        raise ValueError(f"rule set: {unknown[0]} is not a field (use version, valid_from, rules)")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ValueError("rule set: version must be a non-empty string")
    raw_from = data.get("valid_from")
    try:
        valid_from = dt.date.fromisoformat(raw_from) if isinstance(raw_from, str) else None
    except ValueError:
        valid_from = None
    if valid_from is None:
        raise ValueError("rule set: valid_from must be a date, YYYY-MM-DD")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list):
        raise ValueError("rule set: rules must be a list")
    rules = []
    for i, raw in enumerate(raw_rules):
        if not isinstance(raw, Mapping):
            raise ValueError(f"rule set: rules[{i}] must be an object")
        rule_id = raw.get("rule_id")
        if not isinstance(rule_id, str) or not rule_id.strip():
            raise ValueError(f"rule set: rules[{i}].rule_id must be a non-empty string")
        unknown = sorted(set(raw) - _RULE_FIELDS)
        if unknown:
            raise _fail(rule_id, unknown[0], f"is not a field of a rule (use {', '.join(sorted(_RULE_FIELDS))})")
        params = raw.get("params", {})
        if not isinstance(params, Mapping):
            raise _fail(rule_id, "params", "must be an object")
        message = raw.get("message", "")
        bhvr = raw.get("vola_bhvr_type", "")
        for name, value in (("message", message), ("vola_bhvr_type", bhvr)):
            if not isinstance(value, str):
                raise _fail(rule_id, name, "must be a string")
        rules.append(
            Rule(
                rule_id=rule_id,
                category=_enum(rule_id, "category", raw.get("category"), Category),
                name=_text(rule_id, "name", raw.get("name")),
                message=message,
                severity=_enum(rule_id, "severity", raw.get("severity"), Severity),
                action=_enum(rule_id, "action", raw.get("action"), Action),
                params=_plain(params),
                vola_bhvr_type=bhvr,
            )
        )
    result = RuleSet(version=version, valid_from=valid_from, rules=tuple(rules))
    compiled(result)  # every rule's params checked now (and compiled once), so a published set always evaluates
    return result


def _plain(value: Any) -> Any:
    """A deep copy of JSON-shaped params, so the RuleSet does not share the caller's lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(rules: RuleSet) -> dict[str, Any]:
    return {
        "version": rules.version,
        "valid_from": rules.valid_from.isoformat(),
        "rules": [
            {
                "rule_id": r.rule_id,
                "category": Category(r.category).value,
                "name": r.name,
                "message": r.message,
                "severity": Severity(r.severity).value,
                "action": Action(r.action).value,
                "vola_bhvr_type": r.vola_bhvr_type,
                "params": _json_params(r.params),
            }
            for r in rules.rules
        ],
    }


def _json_params(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_params(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_params(v) for v in value]
    return value
