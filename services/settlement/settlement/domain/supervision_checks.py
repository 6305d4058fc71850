"""What each fund-supervision category checks (settlement.domain.supervision; docs/supervision.md).

The visit's lines are read once: refund lines are netted against the lines they give back, then
each line looks its code up in the rule set's index (settlement.domain.supervision_rules) and is
handed to the rules that name it. History lines are read the same way and only for the rules that
look back (duplicate charges, frequency caps, conflicts within one visit).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from medshared.money import ZERO, money

from .supervision import Action, Category, Check, History, Line, PastStay, Severity, Violation
from .supervision_rules import (
    GENDERS,
    AgeSpec,
    Compiled,
    CompiledSet,
    ConflictSpec,
    DuplicateSpec,
    FrequencySpec,
    GenderSpec,
    PriceSpec,
    ReadmissionSpec,
    ScopeSpec,
    in_scope,
)

INPATIENT = "inpatient"


@dataclass(frozen=True)
class Item:
    """A line of the visit as the rules see it: a refund already taken off its original."""

    order: int
    key: str
    code: str
    name: str | None
    cnt: Decimal
    pric: Decimal
    amount: Decimal
    when: dt.datetime

    @property
    def day(self) -> dt.date:
        return self.when.date()

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}" if self.name else self.code


@dataclass(frozen=True)
class Past:
    """A line of another visit (or of this visit, settled earlier), refunds taken off."""

    mdtrt_id: str
    key: str
    code: str
    cnt: Decimal
    when: dt.datetime

    @property
    def day(self) -> dt.date:
        return self.when.date()


def wall(moment: dt.datetime) -> dt.datetime:
    """Times are compared as the wall-clock times the national interface sends (yyyy-MM-dd HH:mm:ss,
    local); a time that carries a zone keeps its wall clock, so mixed inputs never fail to compare."""
    return moment.replace(tzinfo=None) if moment.tzinfo is not None else moment


def _is_refund(line: Line) -> bool:
    return line.amount < 0 or line.cnt < 0 or line.pric < 0


def net_lines(lines: Sequence[Line]) -> list[Item]:
    """The lines with a positive quantity left once refunds are taken off: a refund line gives back its
    quantity from the latest line of the same code and price, then of the same code; a line reduced in
    part keeps its price and the share of its amount its remaining quantity carries."""
    left = [line.cnt if not _is_refund(line) else ZERO for line in lines]
    by_code: dict[str, list[int]] = defaultdict(list)
    for i, line in enumerate(lines):
        if not _is_refund(line):
            by_code[line.code].append(i)
    for line in lines:
        if not _is_refund(line):
            continue
        owed = abs(line.cnt)
        same = by_code.get(line.code, [])
        # the same price first (the refund repeats its original), then any line of the code
        for same_price in (True, False):
            for j in reversed(same):
                if owed <= 0:
                    break
                if left[j] > 0 and (not same_price or abs(lines[j].pric) == abs(line.pric)):
                    taken = min(owed, left[j])
                    left[j] -= taken
                    owed -= taken
    items = []
    for i, line in enumerate(lines):
        if left[i] <= 0:
            continue
        amount = line.amount if left[i] == line.cnt else money(line.amount * left[i] / line.cnt)
        items.append(Item(i, line.key, line.code, line.name, left[i], line.pric, amount, wall(line.when)))
    return items


def net_history(history: History, mdtrt_id: str, keys: set[str]) -> list[Past]:
    """History lines with a positive quantity once refunds of the same visit and code are taken off
    (from the latest line back); a line of this very visit that is also among the lines checked is not
    counted twice."""
    groups: dict[tuple[str, str], list[Past]] = defaultdict(list)
    owed: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for p in history.lines:
        key = p.key
        if p.mdtrt_id == mdtrt_id and key and key in keys:
            continue
        if p.cnt < 0:
            owed[(p.mdtrt_id, p.code)] += -p.cnt
        elif p.cnt > 0:
            groups[(p.mdtrt_id, p.code)].append(Past(p.mdtrt_id, key, p.code, p.cnt, wall(p.when)))
    out: list[Past] = []
    for group, rows in groups.items():
        rows.sort(key=lambda r: r.when)
        debt = owed.get(group, ZERO)
        for i in range(len(rows) - 1, -1, -1):
            if debt <= 0:
                break
            taken = min(debt, rows[i].cnt)
            debt -= taken
            rows[i] = Past(rows[i].mdtrt_id, rows[i].key, rows[i].code, rows[i].cnt - taken, rows[i].when)
        out.extend(r for r in rows if r.cnt > 0)
    return out


# --- the violation and its text ------------------------------------------------------------------


def _violation(
    c: Compiled,
    *,
    text: str,
    values: dict[str, str],
    parts: Iterable[tuple[str, Decimal]],
    evidence: str,
) -> Violation:
    rule = c.rule
    if rule.message:
        text = rule.message.format_map(values)
    line_amounts = tuple((key, money(amount)) for key, amount in parts)
    return Violation(
        rule_id=rule.rule_id,
        rule_name=rule.name,
        category=Category(rule.category),
        severity=Severity(rule.severity),
        action=Action(rule.action),
        text=text,
        amount=money(sum((a for _, a in line_amounts), ZERO)),
        line_keys=tuple(key for key, _ in line_amounts),
        evidence=evidence,
        vola_bhvr_type=rule.vola_bhvr_type,
        line_amounts=line_amounts,
    )


def _values(item: Item, limit: str, actual: str, other: str = "") -> dict[str, str]:
    return {
        "code": item.code,
        "name": item.name or "",
        "item": item.label,
        "limit": limit,
        "actual": actual,
        "other": other,
    }


def age_on(brdy: dt.date, day: dt.date) -> int:
    """Whole years on `day`: one more on the birthday itself (29 February counts from 1 March)."""
    return day.year - brdy.year - ((day.month, day.day) < (brdy.month, brdy.day))


def _unique(hits: list[tuple[Item, int]]) -> list[tuple[Item, int]]:
    """One hit per line (the first entry of the rule that names it), in line order."""
    best: dict[int, tuple[Item, int]] = {}
    for item, tag in hits:
        if item.order not in best or tag < best[item.order][1]:
            best[item.order] = (item, tag)
    return [best[k] for k in sorted(best)]


# --- one check per category --------------------------------------------------------------------


def gender(c: Compiled, spec: GenderSpec, hits: list[tuple[Item, int]], check: Check) -> list[Violation]:
    gend = check.patient.gend
    if gend not in GENDERS or gend == spec.gend:
        return []
    limit, actual = f"限{GENDERS[spec.gend]}性", f"{GENDERS[gend]}性"
    return [
        _violation(
            c,
            text=f"项目 {item.label} {limit}使用，患者性别为{GENDERS[gend]}",
            values=_values(item, limit, actual),
            parts=[(item.key, item.amount)],
            evidence=f"患者性别 gend={gend}，规则限 gend={spec.gend}",
        )
        for item, _ in _unique(hits)
    ]


def age(c: Compiled, spec: AgeSpec, hits: list[tuple[Item, int]], check: Check) -> list[Violation]:
    brdy = check.patient.brdy
    if brdy is None:
        return []
    out = []
    for item, _ in _unique(hits):
        years = age_on(brdy, item.day)
        if (spec.min_age is not None and years < spec.min_age) or (spec.max_age is not None and years > spec.max_age):
            out.append(
                _violation(
                    c,
                    text=f"项目 {item.label} 限{spec.limit()}使用，患者{years}岁",
                    values=_values(item, spec.limit(), f"{years}岁"),
                    parts=[(item.key, item.amount)],
                    evidence=f"出生日期 {brdy.isoformat()}，收费日期 {item.day.isoformat()}，年龄 {years}岁",
                )
            )
    return out


def _scope_failures(spec: ScopeSpec, check: Check) -> list[str]:
    """The conditions of the rule the visit does not meet; a fact the check does not carry fails none
    of them, except the diagnosis: a visit without a diagnosis has no indication."""
    enc, patient = check.encounter, check.patient
    failed = []
    if spec.diagnoses is not None:
        seen = [d.upper() for d in enc.diagnoses]
        if not any(d.startswith(p) for d in seen for p in spec.diagnoses):
            failed.append(f"限诊断 {'、'.join(spec.diagnoses)}，本次诊断 {'、'.join(enc.diagnoses) or '无'}")
    for name, allowed, value in (
        ("就诊类型", spec.kinds, enc.kind),
        ("医疗类别", spec.med_types, enc.med_type),
        ("医院等级", spec.hosp_lvs, enc.hosp_lv),
        ("险种", spec.insutypes, patient.insutype),
    ):
        if allowed is not None and value is not None and value not in allowed:
            failed.append(f"限{name} {'、'.join(allowed)}，本次 {value}")
    return failed


def payment_scope(c: Compiled, spec: ScopeSpec, hits: list[tuple[Item, int]], check: Check) -> list[Violation]:
    if not hits:
        return []
    failed = _scope_failures(spec, check)
    if not failed:
        return []
    limit = "；".join(f.split("，")[0] for f in failed)
    actual = "；".join(f.split("，")[1] for f in failed)
    return [
        _violation(
            c,
            text=f"项目 {item.label} 限定支付范围：{'；'.join(failed)}",
            values=_values(item, limit, actual),
            parts=[(item.key, item.amount)],
            evidence="；".join(failed),
        )
        for item, _ in _unique(hits)
    ]


def price_cap(c: Compiled, spec: PriceSpec, hits: list[tuple[Item, int]], check: Check) -> list[Violation]:
    out = []
    cap = spec.max_price
    for item, _ in _unique(hits):
        if item.pric > cap:
            excess = money((item.pric - cap) * item.cnt)
            out.append(
                _violation(
                    c,
                    text=f"项目 {item.label} 单价 {item.pric} 超过限价 {cap}",
                    values=_values(item, str(cap), str(item.pric)),
                    parts=[(item.key, excess)],
                    evidence=f"单价 {item.pric} × 数量 {item.cnt}，限价 {cap}，超出 {excess}",
                )
            )
    return out


def _where(mdtrt_id: str, key: str, code: str, day: dt.date, this_visit: str) -> str:
    visit = "本次就诊" if mdtrt_id == this_visit else f"就诊 {mdtrt_id}"
    line = f" 明细 {key}" if key else ""
    return f"{visit}{line} {day.isoformat()} 已收 {code}"


def duplicate_charge(
    c: Compiled, spec: DuplicateSpec, hits: list[tuple[Item, int]], past: list[tuple[Past, int]], check: Check
) -> list[Violation]:
    if not hits:
        return []
    this = check.encounter.mdtrt_id
    window = spec.window_days
    flagged: dict[int, Violation] = {}
    ordered = sorted(hits, key=lambda h: (h[0].when, h[0].order))
    for n, (a, b) in enumerate(spec.pairs):
        sides = (2 * n, 2 * n if a == b else 2 * n + 1)
        mine = [(item, tag) for item, tag in ordered if tag in sides]
        if not mine:
            continue
        theirs: dict[int, tuple[list[Past], list[dt.date]]] = {}
        for side in set(sides):
            lines = sorted(
                (p for p, tag in past if tag == side and (window is not None or p.mdtrt_id == this)),
                key=lambda p: p.when,
            )
            theirs[side] = (lines, [p.day for p in lines])
        last: dict[int, Item] = {}  # the latest line so far on each side
        for item, tag in mine:
            other_side = sides[1] if tag == sides[0] else sides[0]
            if item.order in flagged:
                last[tag] = item
                continue
            found = None
            earlier = last.get(other_side)
            if (
                earlier is not None
                and earlier.order != item.order
                and (window is None or (item.day - earlier.day).days < window)
            ):
                found = _where(this, earlier.key, earlier.code, earlier.day, this)
            if found is None:
                hit = _nearest(*theirs[other_side], item.day, window)
                if hit is not None:
                    found = _where(hit.mdtrt_id, hit.key, hit.code, hit.day, this)
            last[tag] = item
            if found is not None:
                other = b if tag == sides[0] and a != b else a
                span = "同一就诊" if window is None else ("同日" if window == 1 else f"{window}日内")
                flagged[item.order] = _violation(
                    c,
                    text=f"项目 {item.label} 与 {other} {span}重复收费",
                    values=_values(item, span, found, other),
                    parts=[(item.key, item.amount)],
                    evidence=found,
                )
    return [flagged[k] for k in sorted(flagged)]


def _nearest(lines: list[Past], days: list[dt.date], day: dt.date, window: int | None) -> Past | None:
    """The history line closest in date to `day` within the window (`days` are the lines' dates, in
    order); with no window, the latest (only this visit's lines are given then)."""
    if not lines:
        return None
    if window is None:
        return lines[-1]
    i = bisect_left(days, day)  # lines[i] is the first on or after `day`, lines[i - 1] the last before
    best = None
    for j in (i, i - 1):
        gap = abs((days[j] - day).days) if 0 <= j < len(lines) else window
        if gap < window and (best is None or gap < abs((best.day - day).days)):
            best = lines[j]
    return best


def _caps(spec: FrequencySpec) -> list[tuple[int, Decimal]]:
    caps = []
    if spec.max_per_day is not None:
        caps.append((1, spec.max_per_day))
    if spec.max_per_period is not None and spec.period_days is not None:
        caps.append((spec.period_days, spec.max_per_period))
    return caps


def frequency(
    c: Compiled, spec: FrequencySpec, hits: list[tuple[Item, int]], past: list[tuple[Past, int]], check: Check
) -> list[Violation]:
    """Lines already charged (history) count first, then the visit's lines in time order; a line is
    over the cap by the part of its quantity that takes the count above the cap."""
    if not hits:
        return []
    out: dict[int, Violation] = {}
    mine: dict[str, list[Item]] = defaultdict(list)
    for item, _ in _unique(hits):
        mine["*" if spec.combined else item.code].append(item)
    theirs: dict[str, list[Past]] = defaultdict(list)
    seen_past: set[int] = set()
    for p, _ in past:
        if id(p) not in seen_past:
            seen_past.add(id(p))
            theirs["*" if spec.combined else p.code].append(p)
    for group, items in mine.items():
        items.sort(key=lambda i: (i.when, i.order))
        hist = sorted(theirs.get(group, []), key=lambda p: p.when)
        hist_days = [p.day for p in hist]
        hist_sum = [ZERO]
        for p in hist:
            hist_sum.append(hist_sum[-1] + p.cnt)
        cur_sum = [ZERO]
        for item in items:
            cur_sum.append(cur_sum[-1] + item.cnt)
        worst: dict[int, tuple[Decimal, int, Decimal, Decimal]] = {}  # order: (excess, days, cap, total)
        for days, cap in _caps(spec):
            left = 0
            for i, item in enumerate(items):
                start = item.day - dt.timedelta(days=days - 1)
                while items[left].day < start:
                    left += 1
                before = cur_sum[i] - cur_sum[left]
                before += hist_sum[bisect_right(hist_days, item.day)] - hist_sum[bisect_left(hist_days, start)]
                total = before + item.cnt
                excess = min(item.cnt, max(ZERO, total - cap))
                if excess > 0 and (item.order not in worst or excess > worst[item.order][0]):
                    worst[item.order] = (excess, days, cap, total)
        for item in items:
            if item.order not in worst:
                continue
            excess, days, cap, total = worst[item.order]
            part = item.amount if excess == item.cnt else money(item.amount * excess / item.cnt)
            span = "每日" if days == 1 else f"{days}日内"
            first = item.day - dt.timedelta(days=days - 1)
            period = item.day.isoformat() if days == 1 else f"{first.isoformat()}至{item.day.isoformat()}"
            out[item.order] = _violation(
                c,
                text=f"项目 {item.label} 超过{span}限量 {_qty(cap)}，累计 {_qty(total)}",
                values=_values(item, f"{span}{_qty(cap)}", _qty(total)),
                parts=[(item.key, part)],
                evidence=f"{period} 累计数量 {_qty(total)}（本行 {_qty(item.cnt)}），限量 {_qty(cap)}，超出 {_qty(excess)}",
            )
    return [out[k] for k in sorted(out)]


def _qty(value: Decimal) -> str:
    """A quantity as a clerk writes it: 360, 2.5."""
    return format(value.normalize(), "f")


def conflict(
    c: Compiled, spec: ConflictSpec, hits: list[tuple[Item, int]], past: list[tuple[Past, int]], check: Check
) -> list[Violation]:
    """Of the rule's items present in the visit the one listed first stands, and the lines of every other
    conflict with it; when lines of the visit were settled before, the first listed of those stands
    (a settled line can no longer be taken back, so the lines being checked are the ones that conflict)."""
    unique = _unique(hits)
    this = check.encounter.mdtrt_id
    settled = [(p, tag) for p, tag in past if p.mdtrt_id == this]
    entries = {tag for _, tag in unique} | {tag for _, tag in settled}
    if len(entries) < 2:
        return []
    if settled:
        p, standing = min(settled, key=lambda h: (h[1], h[0].when))
        first, first_code = _where(this, p.key, p.code, p.day, this), p.code
    else:
        item, standing = min(unique, key=lambda h: (h[1], h[0].when, h[0].order))
        first, first_code = _where(this, item.key, item.code, item.day, this), item.code
    return [
        _violation(
            c,
            text=f"项目 {item.label} 与 {first_code} 不能在同一就诊中收费",
            values=_values(item, "同一就诊互斥", first, first_code),
            parts=[(item.key, item.amount)],
            evidence=first,
        )
        for item, tag in unique
        if tag != standing
    ]


def readmission(c: Compiled, spec: ReadmissionSpec, items: list[Item], check: Check) -> list[Violation]:
    enc = check.encounter
    if enc.kind != INPATIENT:
        return []
    begin = wall(enc.begin)
    best: tuple[PastStay, dt.datetime] | None = None
    for stay in check.history.stays:
        if stay.mdtrt_id == enc.mdtrt_id or stay.end is None or wall(stay.end) > begin:
            continue
        if spec.same_institution and stay.medins_id != enc.medins_id:
            continue
        end = wall(stay.end)
        if (begin.date() - end.date()).days <= spec.window_days and (best is None or end > best[1]):
            best = (stay, end)
    if best is None:
        return []
    stay, end = best
    gap = (begin.date() - end.date()).days
    where = "同一机构" if stay.medins_id == enc.medins_id else f"机构 {stay.medins_id}"
    evidence = (
        f"上次住院 {stay.mdtrt_id}（{where}）{stay.begin.date().isoformat()}至{end.date().isoformat()}，"
        f"本次入院 {enc.begin.date().isoformat()}，间隔 {gap}天"
    )
    values = {
        "code": stay.mdtrt_id,
        "name": "",
        "item": stay.mdtrt_id,
        "limit": f"{spec.window_days}天",
        "actual": f"{gap}天",
        "other": stay.mdtrt_id,
    }
    return [
        _violation(
            c,
            text=f"出院{gap}天后再次入院（上次就诊 {stay.mdtrt_id}），{spec.window_days}天内再入院疑似分解住院",
            values=values,
            parts=[(item.key, item.amount) for item in items],
            evidence=evidence,
        )
    ]


def run(cs: CompiledSet, check: Check, selected: set[int] | None) -> list[Violation]:
    rules = in_scope(cs, check.scene, selected)
    if not rules:
        return []
    wanted = {c.position for c in rules}
    items = net_lines(check.lines)
    hits: dict[int, list[tuple[Item, int]]] = defaultdict(list)
    for item in items:
        for position, tag in cs.index.find(item.code):
            if position in wanted:
                hits[position].append((item, tag))
    # history only for the rules that look back and name a line of this visit, only for their codes
    looking_back = {
        c.position
        for c in rules
        if isinstance(c.spec, DuplicateSpec | FrequencySpec | ConflictSpec) and c.position in hits
    }
    past: dict[int, list[tuple[Past, int]]] = defaultdict(list)
    if looking_back and check.history.lines:
        found: dict[str, list[tuple[int, int]]] = {}
        for line in check.history.lines:
            if line.code not in found:
                found[line.code] = [(pos, tag) for pos, tag in cs.index.find(line.code) if pos in looking_back]
        relevant = History(tuple(line for line in check.history.lines if found[line.code]))
        for netted in net_history(relevant, check.encounter.mdtrt_id, {i.key for i in items}):
            for position, tag in found[netted.code]:
                past[position].append((netted, tag))
    out: list[Violation] = []
    for c in rules:
        spec, mine = c.spec, hits.get(c.position, [])
        if isinstance(spec, ReadmissionSpec):
            out.extend(readmission(c, spec, items, check))
        elif not mine:
            continue
        elif isinstance(spec, GenderSpec):
            out.extend(gender(c, spec, mine, check))
        elif isinstance(spec, AgeSpec):
            out.extend(age(c, spec, mine, check))
        elif isinstance(spec, ScopeSpec):
            out.extend(payment_scope(c, spec, mine, check))
        elif isinstance(spec, PriceSpec):
            out.extend(price_cap(c, spec, mine, check))
        elif isinstance(spec, DuplicateSpec):
            out.extend(duplicate_charge(c, spec, mine, past.get(c.position, []), check))
        elif isinstance(spec, FrequencySpec):
            out.extend(frequency(c, spec, mine, past.get(c.position, []), check))
        else:
            out.extend(conflict(c, spec, mine, past.get(c.position, []), check))
    return out
