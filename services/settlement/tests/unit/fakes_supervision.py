"""The in-memory store's part for fund supervision (settlement.usecases.ports.supervision).

Visits and fee lines are FakeStore's own (self.visits, self.lines): the history the rules read comes
from them, as the SQL store reads visit and fee_line. Events go to FakeStore's self.events.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from medshared import jsonutil
from medshared.events import Event
from settlement.domain import supervision as sv
from settlement.domain import supervision_review as rv
from settlement.domain.supervision_rules import CodeIndex
from settlement.messaging import supervision_contracts as contracts


class FakeSupervision:
    visits: dict[str, SimpleNamespace]
    lines: list[SimpleNamespace]
    events: list[tuple[str, Event]]

    def __init__(self) -> None:
        super().__init__()
        self.rule_sets: dict[str, SimpleNamespace] = {}
        self.violation_rows: dict[str, SimpleNamespace] = {}
        self.review_rows: list[SimpleNamespace] = []
        self.evidence_rows: list[SimpleNamespace] = []
        self._review_ids = itertools.count(1)
        self._evidence_ids = itertools.count(1)

    # what settlement reads
    def supervision_rules_on(self, day: dt.date) -> sv.RuleSet | None:
        in_force = [r for r in self.rule_sets.values() if r.valid_from <= day]
        if not in_force:
            return None
        latest = max(in_force, key=lambda r: (r.valid_from, r.published_at))
        return sv.parse_rule_set(jsonutil.loads(latest.body))

    def supervision_history(self, psn_no: str, need: sv.HistoryNeed, *, exclude_mdtrt_id: str | None) -> sv.History:
        visits = {
            v.mdtrt_id: v
            for v in self.visits.values()
            if v.psn_no == psn_no and v.status != "cancelled" and v.mdtrt_id != exclude_mdtrt_id
        }
        lines = sorted(
            (
                x
                for x in self.lines
                if x.mdtrt_id in visits
                and x.fee_ocur_time is not None
                and any(x.fee_ocur_time >= since and matches(x.med_list_codg, codes) for since, codes in need.lines)
            ),
            key=lambda x: (x.fee_ocur_time, x.id),
        )
        since = need.stays_since
        stays = sorted(
            (
                v
                for v in visits.values()
                if since is not None
                and v.kind == "inpatient"
                and (v.begntime >= since or v.endtime is None or v.endtime >= since)
            ),
            key=lambda v: v.begntime,
        )
        return sv.History(
            lines=tuple(sv.PastLine(x.mdtrt_id, x.med_list_codg, x.cnt, x.fee_ocur_time) for x in lines),
            stays=tuple(sv.PastStay(v.mdtrt_id, v.fixmedins_code, v.begntime, v.endtime) for v in stays),
        )

    def add_violations(self, rows: list[dict[str, Any]]) -> None:
        stored = [rv.new_violation_row(r) for r in rows]
        for row in stored:
            if row["jr_id"] in self.violation_rows:
                raise ValueError(f"violation {row['jr_id']} exists")
        for row in stored:
            self.violation_rows[row["jr_id"]] = SimpleNamespace(**row)
            self.events.append((contracts.SUPERVISION_TOPIC, contracts.violation_found(row)))

    def withdraw_violations(self, setl_id: str, *, by_setl_id: str, at: dt.datetime) -> list[Any]:
        withdrawn = []
        for row in [r for r in self.violation_rows.values() if r.setl_id == setl_id and r.status == rv.OPEN]:
            step = rv.withdraw(row, by_setl_id=by_setl_id, at=at)
            self.update_violation(row.jr_id, row.version, **step.changes)
            self.add_violation_review(rv.trail_row(row.jr_id, step, actor=f"settlement {by_setl_id}", at=at))
            self.events.append((contracts.SUPERVISION_TOPIC, contracts.violation_withdrawn(row)))
            withdrawn.append(row)
        return withdrawn

    # rule sets
    def add_supervision_rule_set(self, values: dict[str, Any]) -> None:
        if values["version"] in self.rule_sets:
            raise ValueError(f"rule set {values['version']} exists")
        self.rule_sets[values["version"]] = SimpleNamespace(**values)

    def supervision_rule_set(self, version: str) -> Any | None:
        return self.rule_sets.get(version)

    def supervision_rule_sets(self) -> list[Any]:
        return sorted(self.rule_sets.values(), key=lambda r: (r.valid_from, r.published_at))

    # violations
    def violation(self, jr_id: str, *, lock: bool = False) -> Any | None:
        return self.violation_rows.get(jr_id)

    def violations(
        self,
        *,
        fixmedins_code: str | None = None,
        rule_id: str | None = None,
        month: str | None = None,
        status: str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> tuple[list[Any], int]:
        rows = [
            r
            for r in self.violation_rows.values()
            if (not fixmedins_code or r.fixmedins_code == fixmedins_code)
            and (not rule_id or r.rule_id == rule_id)
            and (not month or r.month == month)
            and (not status or r.status == status)
        ]
        rows.sort(key=lambda r: (r.found_at, r.jr_id), reverse=True)
        return rows[offset : offset + limit], len(rows)

    def update_violation(self, jr_id: str, version: int, **values: Any) -> bool:
        row = self.violation_rows[jr_id]
        if row.version != version:
            return False
        vars(row).update(values, version=version + 1)
        return True

    def add_violation_review(self, values: dict[str, Any]) -> None:
        self.review_rows.append(SimpleNamespace(id=next(self._review_ids), **values))

    def violation_reviews(self, jr_id: str) -> list[Any]:
        return sorted((r for r in self.review_rows if r.jr_id == jr_id), key=lambda r: (r.at, r.id))

    def add_violation_evidence(self, values: dict[str, Any]) -> Any:
        row = SimpleNamespace(id=next(self._evidence_ids), **values)
        self.evidence_rows.append(row)
        return row

    def violation_evidence(self, jr_id: str) -> list[Any]:
        return sorted((r for r in self.evidence_rows if r.jr_id == jr_id), key=lambda r: (r.submitted_at, r.id))

    def violation_figures(self, month: str, *, fixmedins_code: str | None = None) -> list[Any]:
        counts: Counter[tuple[str, str]] = Counter()
        amounts: dict[tuple[str, str], list[Decimal]] = {}
        for r in self.violation_rows.values():
            if r.month != month or (fixmedins_code and r.fixmedins_code != fixmedins_code):
                continue
            key = (r.fixmedins_code, r.status)
            counts[key] += 1
            sums = amounts.setdefault(key, [Decimal(0), Decimal(0)])
            sums[0] += r.vola_amt
            sums[1] += r.recovered_amt
        return [
            SimpleNamespace(
                fixmedins_code=code,
                status=status,
                violations=n,
                vola_amt=amounts[(code, status)][0],
                recovered_amt=amounts[(code, status)][1],
            )
            for (code, status), n in counts.items()
        ]


def matches(code: str, patterns: tuple[str, ...]) -> bool:
    """Whether `code` matches one of `patterns` as the engine's code index matches (a code, or `stem*`)."""
    index = CodeIndex()
    for pattern in patterns:
        index.add(pattern, 0, 0)
    return bool(index.find(code))
