"""The store's part for fund supervision, over SQL (settlement.usecases.ports.supervision).

The rule set in force is read by one indexed statement answering its version; its parsed form is kept
per (version, published_at), since a published rule set never changes. The history reads the person's
visits by ix_visit_psn_no and each visit's lines by ix_fee_line_visit_time, only the codes and
windows the check's look-back rules name (settlement.domain.supervision_history). Every violation change
stages its event on supervision.violations.v1 in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections import OrderedDict
from typing import Any, cast

from sqlalchemy import and_, bindparam, func, insert, or_, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from medshared import jsonutil
from medshared.hotsql import HotRead
from medshared.outbox import stage
from settlement import reference
from settlement.db import fee_line, outbox, visit
from settlement.db_supervision import supervision_rule_set, violation, violation_evidence, violation_review
from settlement.domain import supervision as sv
from settlement.domain import supervision_review as rv
from settlement.messaging import supervision_contracts as contracts

_CANCELLED = "cancelled"
_RULE_SET_BODY = select(supervision_rule_set.c.body).where(supervision_rule_set.c.version == bindparam("version"))
_HISTORY_LINES = (
    select(fee_line.c.mdtrt_id, fee_line.c.med_list_codg, fee_line.c.cnt, fee_line.c.fee_ocur_time)
    .select_from(visit.join(fee_line, fee_line.c.mdtrt_id == visit.c.mdtrt_id))
    .where(
        visit.c.psn_no == bindparam("psn_no"),
        visit.c.status != _CANCELLED,
        visit.c.mdtrt_id != bindparam("exclude"),
    )
    .order_by(fee_line.c.fee_ocur_time, fee_line.c.id)
)
_HISTORY_STAYS = HotRead(
    select(visit.c.mdtrt_id, visit.c.fixmedins_code, visit.c.begntime, visit.c.endtime)
    .where(
        visit.c.psn_no == bindparam("psn_no"),
        visit.c.kind == "inpatient",
        visit.c.status != _CANCELLED,
        visit.c.mdtrt_id != bindparam("exclude"),
        or_(
            visit.c.begntime >= bindparam("since"),
            visit.c.endtime >= bindparam("since"),
            visit.c.endtime.is_(None),
        ),
    )
    .order_by(visit.c.begntime)
)
_OPEN_OF_SETTLEMENT = select(violation).where(
    violation.c.setl_id == bindparam("setl_id"), violation.c.status == rv.OPEN
)


@functools.lru_cache(maxsize=256)
def _history_lines(shape: tuple[tuple[str, ...], ...]) -> HotRead:
    """The history read for look-back windows naming these patterns (exact codes, and prefixes ending
    in *), built and compiled once per shape: each window's moment on is its parameter since_<n>."""
    code = fee_line.c.med_list_codg
    windows = []
    for n, patterns in enumerate(shape):
        match = [code.startswith(p[:-1], autoescape=True) for p in patterns if p.endswith("*")]
        match += [code == p for p in patterns if not p.endswith("*")]
        windows.append(and_(fee_line.c.fee_ocur_time >= bindparam(f"since_{n}"), or_(*match)))
    return HotRead(_HISTORY_LINES.where(or_(*windows)))


class _ParsedRuleSets:
    """Parsed rule sets by (version, published_at): a handful, each parsed once per process."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, Any], sv.RuleSet] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, Any]) -> sv.RuleSet | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, Any], rules: sv.RuleSet) -> None:
        with self._lock:
            self._items[key] = rules
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_PARSED = _ParsedRuleSets()


def rules_from(session: Session, found: Any) -> sv.RuleSet | None:
    """The rule set of a row naming its version and publication time (None: none in force)."""
    if found is None:
        return None
    key = (str(found.version), found.published_at)
    rules = _PARSED.get(key)
    if rules is None:
        body = session.execute(_RULE_SET_BODY, {"version": found.version}).scalar_one()
        rules = sv.parse_rule_set(jsonutil.loads(body))
        _PARSED.put(key, rules)
    return rules


class SupervisionSql:
    session: Session
    _postgres: bool

    # what settlement reads
    def supervision_rules_on(self, day: dt.date) -> sv.RuleSet | None:
        return rules_from(self.session, self.session.execute(reference.SUPERVISION_ON, {"day": day}).first())

    def supervision_history(self, psn_no: str, need: sv.HistoryNeed, *, exclude_mdtrt_id: str | None) -> sv.History:
        params = {"psn_no": psn_no, "exclude": exclude_mdtrt_id or ""}
        lines: tuple[sv.PastLine, ...] = ()
        if need.lines:
            read = _history_lines(tuple(patterns for _, patterns in need.lines))
            since = {f"since_{n}": moment for n, (moment, _) in enumerate(need.lines)}
            lines = tuple(
                sv.PastLine(r.mdtrt_id, r.med_list_codg, r.cnt, r.fee_ocur_time)
                for r in read.all(self.session, params | since)
            )
        stays: tuple[sv.PastStay, ...] = ()
        if need.stays_since is not None:
            stays = tuple(
                sv.PastStay(r.mdtrt_id, r.fixmedins_code, r.begntime, r.endtime)
                for r in _HISTORY_STAYS.all(self.session, {**params, "since": need.stays_since})
            )
        return sv.History(lines=lines, stays=stays)

    def add_violations(self, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        stored = [rv.new_violation_row(r) for r in rows]
        self.session.execute(insert(violation), stored)
        for row in stored:
            stage(self.session, outbox, contracts.SUPERVISION_TOPIC, contracts.violation_found(row))

    def withdraw_violations(self, setl_id: str, *, by_setl_id: str, at: dt.datetime) -> list[Any]:
        query = _OPEN_OF_SETTLEMENT.with_for_update() if self._postgres else _OPEN_OF_SETTLEMENT
        withdrawn = []
        for row in self.session.execute(query, {"setl_id": setl_id}).all():
            step = rv.withdraw(row, by_setl_id=by_setl_id, at=at)
            if not self.update_violation(row.jr_id, row.version, **step.changes):
                continue  # a reviewer decided it a moment ago: it is no longer open
            self.add_violation_review(rv.trail_row(row.jr_id, step, actor=f"settlement {by_setl_id}", at=at))
            after = self.violation(row.jr_id)
            stage(self.session, outbox, contracts.SUPERVISION_TOPIC, contracts.violation_withdrawn(after))
            withdrawn.append(after)
        return withdrawn

    # rule sets
    def add_supervision_rule_set(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(supervision_rule_set), values)

    def supervision_rule_set(self, version: str) -> Any | None:
        query = select(supervision_rule_set).where(supervision_rule_set.c.version == version)
        return self.session.execute(query).first()

    def supervision_rule_sets(self) -> list[Any]:
        query = select(supervision_rule_set).order_by(
            supervision_rule_set.c.valid_from, supervision_rule_set.c.published_at
        )
        return list(self.session.execute(query).all())

    # violations
    def violation(self, jr_id: str, *, lock: bool = False) -> Any | None:
        query = select(violation).where(violation.c.jr_id == jr_id)
        if lock and self._postgres:
            query = query.with_for_update()
        return self.session.execute(query).first()

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
        where = []
        if fixmedins_code:
            where.append(violation.c.fixmedins_code == fixmedins_code)
        if rule_id:
            where.append(violation.c.rule_id == rule_id)
        if month:
            where.append(violation.c.month == month)
        if status:
            where.append(violation.c.status == status)
        condition = and_(*where) if where else None
        total_query = select(func.count()).select_from(violation)
        page_query = select(violation)
        if condition is not None:
            total_query = total_query.where(condition)
            page_query = page_query.where(condition)
        total = int(self.session.execute(total_query).scalar_one())
        page_query = (
            page_query.order_by(violation.c.found_at.desc(), violation.c.jr_id.desc()).offset(offset).limit(limit)
        )
        return list(self.session.execute(page_query).all()), total

    def update_violation(self, jr_id: str, version: int, **values: Any) -> bool:
        statement = (
            update(violation)
            .where(violation.c.jr_id == jr_id, violation.c.version == version)
            .values(**values, version=version + 1)
        )
        result = cast("CursorResult[Any]", self.session.execute(statement))
        return int(result.rowcount) == 1

    def add_violation_review(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(violation_review), values)

    def violation_reviews(self, jr_id: str) -> list[Any]:
        query = (
            select(violation_review)
            .where(violation_review.c.jr_id == jr_id)
            .order_by(violation_review.c.at, violation_review.c.id)
        )
        return list(self.session.execute(query).all())

    def add_violation_evidence(self, values: dict[str, Any]) -> Any:
        result = cast("CursorResult[Any]", self.session.execute(insert(violation_evidence).values(**values)))
        key = result.inserted_primary_key
        assert key is not None
        evidence_id = key[0]
        return self.session.execute(select(violation_evidence).where(violation_evidence.c.id == evidence_id)).one()

    def violation_evidence(self, jr_id: str) -> list[Any]:
        query = (
            select(violation_evidence)
            .where(violation_evidence.c.jr_id == jr_id)
            .order_by(violation_evidence.c.submitted_at, violation_evidence.c.id)
        )
        return list(self.session.execute(query).all())

    def violation_figures(self, month: str, *, fixmedins_code: str | None = None) -> list[Any]:
        query = select(
            violation.c.fixmedins_code,
            violation.c.status,
            func.count().label("violations"),
            func.coalesce(func.sum(violation.c.vola_amt), 0).label("vola_amt"),
            func.coalesce(func.sum(violation.c.recovered_amt), 0).label("recovered_amt"),
        ).where(violation.c.month == month)
        if fixmedins_code:
            query = query.where(violation.c.fixmedins_code == fixmedins_code)
        query = query.group_by(violation.c.fixmedins_code, violation.c.status)
        return list(self.session.execute(query).all())
