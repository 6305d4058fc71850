"""The repository the use cases work through (remote_care.usecases.ports), over SQL.

`SqlStore` holds every statement over one SQLAlchemy session (the tables of remote_care.db);
`SqlStores` opens them on the runtime: a unit of work for changes, a plain session for reads.
tests/unit/fakes.py holds an in-memory store with the same methods.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Row, and_, case, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medshared.events import Event
from medshared.outbox import stage
from medshared.runtime import Runtime
from medshared.security import first_use_of_nonce
from remote_care.db import (
    clearing_item,
    enrollment,
    filing,
    outbox,
    partner_nonce,
    person,
    statement,
    statement_audit,
    statement_line,
    voucher,
)
from remote_care.domain.filings import EnrollmentView, Period, PersonView
from remote_care.messaging.contracts import parse_date
from remote_care.usecases.ports import Raced

_LINE_COLUMNS = [
    "statement_id",
    "setl_id",
    "clr_type",
    "psn_no",
    "certno",
    "mdtrt_id",
    "fixmedins_code",
    "setl_time",
    "setl_cnt",
    "reversal_cnt",
    "medfee_fen",
    "fund_fen",
    "acct_fen",
]


def _statement_id_expr(period: str) -> Any:
    return (
        literal(f"CLR-{period.replace('-', '')}-")
        + clearing_item.c.insuplc_admdvs
        + "-"
        + clearing_item.c.mdtrtarea_admvs
    )


def _enrollment_view(row: Row[Any]) -> EnrollmentView:
    periods = tuple(
        Period(status=p["status"], begndate=parse_date(p["begndate"]), enddate=parse_date(p["enddate"]))  # type: ignore[arg-type]
        for p in json.loads(row.periods)
    )
    return EnrollmentView(
        insutype=row.insutype,
        insuplc_admdvs=row.insuplc_admdvs,
        psn_type=row.psn_type,
        begndate=row.begndate,
        enddate=row.enddate,
        status=row.status,
        periods=periods,
    )


class SqlStore:
    """The store over one SQLAlchemy session (a unit of work, or a read-only session)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # read models
    def person(self, psn_no: str, *, lock: bool = False) -> PersonView | None:
        """The person as enrollment last described them; `lock` serialises filings for one person."""
        query = select(person).where(person.c.psn_no == psn_no)
        row = self.session.execute(query.with_for_update() if lock else query).first()
        if row is None:
            return None
        rows = self.session.execute(select(enrollment).where(enrollment.c.psn_no == psn_no)).all()
        return PersonView(
            psn_no=row.psn_no,
            psn_name=row.psn_name,
            death_date=row.death_date,
            enrollments=tuple(_enrollment_view(e) for e in rows),
        )

    def voucher_states(self, psn_no: str) -> list[Any]:
        query = select(voucher.c.status, voucher.c.activated_at).where(voucher.c.psn_no == psn_no)
        return list(self.session.execute(query).all())

    # filings
    def filing(
        self, *, filing_id: str | None = None, trt_dcla_detl_sn: str | None = None, lock: bool = False
    ) -> Any | None:
        if trt_dcla_detl_sn is not None:
            query = select(filing).where(filing.c.trt_dcla_detl_sn == trt_dcla_detl_sn)
        else:
            query = select(filing).where(filing.c.filing_id == filing_id)
        return self.session.execute(query.with_for_update() if lock else query).first()

    def filings(
        self,
        *,
        psn_no: str | None = None,
        status: str | None = None,
        province_prefix: str | None = None,
        insutype: str | None = None,
    ) -> list[Any]:
        query = select(filing).order_by(filing.c.created_at, filing.c.filing_id)
        if psn_no is not None:
            query = query.where(filing.c.psn_no == psn_no)
        if status is not None:
            query = query.where(filing.c.status == status)
        if insutype is not None:
            query = query.where(filing.c.insutype == insutype)
        if province_prefix is not None:
            query = query.where(func.substr(filing.c.insuplc_admdvs, 1, 2) == province_prefix)
        return list(self.session.execute(query).all())

    def add_filing(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(filing).values(**values))

    def update_filing(self, filing_id: str, **values: Any) -> None:
        self.session.execute(update(filing).where(filing.c.filing_id == filing_id).values(**values))

    def stay_settled(self, mdtrt_id: str) -> bool:
        """The stay has a settlement on record that was not reversed (net count above zero)."""
        net = self.session.execute(
            select(func.coalesce(func.sum(clearing_item.c.setl_cnt), 0)).where(clearing_item.c.mdtrt_id == mdtrt_id)
        ).scalar_one()
        return int(net) > 0

    # clearing
    def statement_ids(self, period: str) -> set[str]:
        return set(self.session.execute(select(statement.c.statement_id).where(statement.c.period == period)).scalars())

    def _lines_select(
        self,
        period: str,
        *,
        pair: tuple[str, str] | None = None,
        skip: Iterable[str] = (),
        province_prefix: str | None = None,
    ) -> Any:
        """The month's items netted into one line per original settlement (a reversal under its
        original's setl_id), in SQL: what a run issues and what a preview shows."""
        items = clearing_item
        query = (
            select(
                _statement_id_expr(period).label("statement_id"),
                items.c.line_setl_id.label("setl_id"),
                func.max(items.c.clr_type).label("clr_type"),
                func.max(items.c.psn_no).label("psn_no"),
                func.max(items.c.certno).label("certno"),
                func.max(items.c.mdtrt_id).label("mdtrt_id"),
                func.max(items.c.fixmedins_code).label("fixmedins_code"),
                func.min(items.c.setl_time).label("setl_time"),
                func.sum(items.c.setl_cnt).label("setl_cnt"),
                func.sum(case((items.c.setl_cnt < 0, 1), else_=0)).label("reversal_cnt"),
                func.sum(items.c.medfee_fen).label("medfee_fen"),
                func.sum(items.c.fund_fen).label("fund_fen"),
                func.sum(items.c.acct_fen).label("acct_fen"),
            )
            .where(items.c.period == period)
            .group_by(items.c.insuplc_admdvs, items.c.mdtrtarea_admvs, items.c.line_setl_id)
        )
        if pair is not None:
            query = query.where(and_(items.c.insuplc_admdvs == pair[0], items.c.mdtrtarea_admvs == pair[1]))
        if province_prefix is not None:
            query = query.where(
                (func.substr(items.c.insuplc_admdvs, 1, 2) == province_prefix)
                | (func.substr(items.c.mdtrtarea_admvs, 1, 2) == province_prefix)
            )
        skipped = sorted(skip)
        if skipped:
            query = query.where(_statement_id_expr(period).not_in(skipped))
        return query

    def build_lines(self, period: str, *, only: str | None = None, skip: Iterable[str] = ()) -> None:
        """Group the month's items into one line per original settlement, in SQL."""
        pair = (only.split("-")[2], only.split("-")[3]) if only is not None else None
        query = self._lines_select(period, pair=pair, skip=skip)
        self.session.execute(insert(statement_line).from_select(_LINE_COLUMNS, query))

    def preview_totals(
        self, period: str, *, skip: Iterable[str] = (), province_prefix: str | None = None
    ) -> dict[str, dict[str, dict[str, int]]]:
        """Per pair not yet issued, per clr_type: the counts and fen amounts its statement would hold."""
        lines = self._lines_select(period, skip=skip, province_prefix=province_prefix).subquery()
        rows = self.session.execute(
            select(
                lines.c.statement_id,
                lines.c.clr_type,
                func.sum(lines.c.setl_cnt),
                func.sum(lines.c.medfee_fen),
                func.sum(lines.c.fund_fen),
                func.sum(lines.c.acct_fen),
            ).group_by(lines.c.statement_id, lines.c.clr_type)
        ).all()
        out: dict[str, dict[str, dict[str, int]]] = {}
        for sid, clr_type, cnt, medfee, fund, acct in rows:
            out.setdefault(sid, {})[clr_type] = {
                "setl_cnt": int(cnt),
                "medfee_fen": int(medfee),
                "fund_fen": int(fund),
                "acct_fen": int(acct),
            }
        return out

    def preview_lines(
        self, period: str, insured: str, treating: str, *, offset: int, limit: int
    ) -> tuple[int, list[Any]]:
        """The lines a run would issue for one pair now, and how many there are."""
        lines = self._lines_select(period, pair=(insured, treating)).subquery()
        total = self.session.execute(select(func.count()).select_from(lines)).scalar_one()
        if limit <= 0:
            return int(total), []
        rows = self.session.execute(
            select(lines).order_by(lines.c.setl_time, lines.c.setl_id).offset(offset).limit(limit)
        ).all()
        return int(total), list(rows)

    def line_statement_ids(self, period: str) -> set[str]:
        query = (
            select(statement_line.c.statement_id)
            .where(statement_line.c.statement_id.like(f"CLR-{period.replace('-', '')}-%"))
            .distinct()
        )
        return set(self.session.execute(query).scalars())

    def delete_lines(self, statement_id: str) -> None:
        self.session.execute(delete(statement_line).where(statement_line.c.statement_id == statement_id))

    def totals(self, statement_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        """Per statement, per clr_type: the count and fen amounts of its lines."""
        lines = statement_line
        rows = self.session.execute(
            select(
                lines.c.statement_id,
                lines.c.clr_type,
                func.sum(lines.c.setl_cnt),
                func.sum(lines.c.medfee_fen),
                func.sum(lines.c.fund_fen),
                func.sum(lines.c.acct_fen),
            )
            .where(lines.c.statement_id.in_(statement_ids))
            .group_by(lines.c.statement_id, lines.c.clr_type)
        ).all()
        out: dict[str, dict[str, dict[str, int]]] = {sid: {} for sid in statement_ids}
        for sid, clr_type, cnt, medfee, fund, acct in rows:
            out[sid][clr_type] = {
                "setl_cnt": int(cnt),
                "medfee_fen": int(medfee),
                "fund_fen": int(fund),
                "acct_fen": int(acct),
            }
        return out

    def statement(self, statement_id: str, *, lock: bool = False) -> Any | None:
        query = select(statement).where(statement.c.statement_id == statement_id)
        return self.session.execute(query.with_for_update() if lock else query).first()

    def statements(self, *, period: str | None = None, province_prefix: str | None = None) -> list[Any]:
        query = select(statement).order_by(statement.c.period, statement.c.statement_id)
        if period is not None:
            query = query.where(statement.c.period == period)
        if province_prefix is not None:
            query = query.where(
                (func.substr(statement.c.insured_admdvs, 1, 2) == province_prefix)
                | (func.substr(statement.c.treating_admdvs, 1, 2) == province_prefix)
            )
        return list(self.session.execute(query).all())

    def add_statement(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(statement).values(**values))

    def update_statement(self, statement_id: str, **values: Any) -> None:
        self.session.execute(update(statement).where(statement.c.statement_id == statement_id).values(**values))

    def count_lines(self, statement_id: str) -> int:
        where = statement_line.c.statement_id == statement_id
        return int(self.session.execute(select(func.count()).select_from(statement_line).where(where)).scalar_one())

    def lines(self, statement_id: str, *, offset: int, limit: int) -> list[Any]:
        query = (
            select(statement_line)
            .where(statement_line.c.statement_id == statement_id)
            .order_by(statement_line.c.setl_time, statement_line.c.setl_id)
            .offset(offset)
            .limit(limit)
        )
        return list(self.session.execute(query).all())

    def add_audit(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(statement_audit).values(**values))

    def audit_trail(self, statement_id: str) -> list[Any]:
        query = (
            select(statement_audit).where(statement_audit.c.statement_id == statement_id).order_by(statement_audit.c.id)
        )
        return list(self.session.execute(query).all())

    def clearing_items(self, period: str, psn_no: str | None) -> list[Any]:
        items = clearing_item
        where = [items.c.period == period]
        if psn_no:
            where.append(items.c.psn_no == psn_no)
        query = select(items).where(*where).order_by(items.c.setl_time, items.c.setl_id)
        return list(self.session.execute(query).all())

    def treating_side_lines(
        self, period: str, mdtrtarea: str | None, *, offset: int, limit: int
    ) -> tuple[int, list[Any]]:
        """The month's lines with their statement's treating pool, and how many there are in all."""
        lines, statements = statement_line, statement
        where = [statements.c.period == period]
        if mdtrtarea:
            where.append(statements.c.treating_admdvs == mdtrtarea)
        joined = lines.join(statements, lines.c.statement_id == statements.c.statement_id)
        total = self.session.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
        rows = self.session.execute(
            select(lines, statements.c.treating_admdvs)
            .select_from(joined)
            .where(*where)
            .order_by(lines.c.statement_id, lines.c.setl_time, lines.c.setl_id)
            .offset(offset)
            .limit(limit)
        ).all()
        return int(total), list(rows)

    # callers, events
    def first_use_of_nonce(self, key_id: str, nonce: str, window_seconds: int) -> bool:
        return first_use_of_nonce(self.session, partner_nonce, key_id, nonce, window_seconds, caller_column="key_id")

    def stage(self, topic: str, event: Event) -> None:
        stage(self.session, outbox, topic, event)


class SqlStores:
    """Stores over the runtime's database (remote_care.usecases.ports.Stores)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @contextmanager
    def writing(self) -> Iterator[SqlStore]:
        try:
            with self.runtime.unit_of_work() as session:
                yield SqlStore(session)
        except IntegrityError as exc:
            raise Raced(str(exc.orig)) from exc

    @contextmanager
    def reading(self) -> Iterator[SqlStore]:
        with self.runtime.factory() as session:
            yield SqlStore(session)
