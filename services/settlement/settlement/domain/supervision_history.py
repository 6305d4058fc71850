"""What of a person's history one supervision check reads (settlement.domain.supervision.HistoryNeed).

Only the rules that look back (duplicate_charge, frequency, re-admission) read history, and a
duplicate or frequency rule only when a line of the check has one of its codes: then it reads the
person's lines of those codes, from its own window before the check's first day. A person with a
long history of other items costs the check nothing. Windows are counted in calendar days, as the
checks count them, so a window starts at midnight.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from .supervision import Check, HistoryNeed
from .supervision_checks import INPATIENT, wall
from .supervision_rules import CompiledSet, DuplicateSpec, FrequencySpec, ReadmissionSpec, in_scope, window_days


def _midnight(moment: dt.datetime, days: int) -> dt.datetime:
    return dt.datetime.combine(moment.date() - dt.timedelta(days=days), dt.time())


def need(cs: CompiledSet, check: Check, selected: set[int] | None) -> HistoryNeed:
    rules = in_scope(cs, check.scene, selected)
    if not rules:
        return HistoryNeed()
    begin = wall(check.encounter.begin)
    first = min([begin, *(wall(line.when) for line in check.lines)])
    looking_back = {
        c.position: c.spec for c in rules if isinstance(c.spec, DuplicateSpec | FrequencySpec) and window_days(c.spec)
    }
    named: set[int] = set()
    if looking_back:
        for line in check.lines:
            named.update(position for position, _ in cs.index.find(line.code) if position in looking_back)
    patterns: dict[int, dict[str, None]] = defaultdict(dict)
    for position in sorted(named):
        spec = looking_back[position]
        codes = [code for pair in spec.pairs for code in pair] if isinstance(spec, DuplicateSpec) else spec.codes
        patterns[window_days(spec)].update(dict.fromkeys(codes))
    readmission = [
        window_days(c.spec)
        for c in rules
        if isinstance(c.spec, ReadmissionSpec) and check.encounter.kind == INPATIENT and window_days(c.spec)
    ]
    return HistoryNeed(
        lines=tuple((_midnight(first, days), tuple(codes)) for days, codes in sorted(patterns.items(), reverse=True)),
        stays_since=_midnight(begin, max(readmission)) if readmission else None,
    )
