"""The store's part for detail reconciliation (3202), clearing applications (3203/3204) and institution
monthly statements, over SQL (settlement.usecases.ports.statements).

Settlements are read by (fixmedins_code, setl_time) through ix_settlement_institution_time, in the
columns asked for only: a reconciliation never reads setlinfo, a statement reads setldetail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from settlement.db import clearing_application, institution, institution_statement, settlement

_PERIOD_COLUMNS = [
    settlement.c[name]
    for name in (
        "setl_id",
        "mdtrt_id",
        "psn_no",
        "medins_setl_id",
        "setl_time",
        "medfee_sumamt",
        "fund_pay_sumamt",
        "acct_pay",
        "psn_cash_pay",
        "init_setl_id",
        "reversed_by",
    )
]
_MONTH_COLUMNS = [
    settlement.c[name]
    for name in (
        "clr_type",
        "init_setl_id",
        "medfee_sumamt",
        "fund_pay_sumamt",
        "acct_pay",
        "psn_cash_pay",
        "setldetail",
    )
]
_IN_CHUNK = 500  # ids per IN (...) list: far below every backend's parameter limit
_SET_STATEMENT = update(institution_statement).where(institution_statement.c.statement_id == bindparam("b_id"))
_SET_APPLICATION = update(clearing_application).where(clearing_application.c.clr_appy_evt_id == bindparam("b_id"))


class StatementSql:
    session: Session
    _postgres: bool

    def statement_institution(self, fixmedins_code: str) -> Any | None:
        return self.session.execute(select(institution).where(institution.c.fixmedins_code == fixmedins_code)).first()

    def period_settlements(
        self,
        fixmedins_code: str,
        begin: dt.datetime,
        end: dt.datetime,
        *,
        clr_optins: str,
        clr_type: str | None = None,
        insutype: str | None = None,
        limit: int,
    ) -> list[Any]:
        query = select(*_PERIOD_COLUMNS).where(
            settlement.c.fixmedins_code == fixmedins_code,
            settlement.c.setl_time >= begin,
            settlement.c.setl_time < end,
            settlement.c.clr_optins == clr_optins,
        )
        if clr_type:
            query = query.where(settlement.c.clr_type == clr_type)
        if insutype:
            query = query.where(settlement.c.insutype == insutype)
        query = query.order_by(settlement.c.setl_time, settlement.c.setl_id).limit(limit)
        return list(self.session.execute(query).all())

    def settlements_by_id(self, fixmedins_code: str, setl_ids: Collection[str]) -> list[Any]:
        ids = sorted(set(setl_ids))
        found: list[Any] = []
        for start in range(0, len(ids), _IN_CHUNK):
            query = select(*_PERIOD_COLUMNS).where(
                settlement.c.fixmedins_code == fixmedins_code,
                settlement.c.setl_id.in_(ids[start : start + _IN_CHUNK]),
            )
            found.extend(self.session.execute(query).all())
        return found

    def month_settlements(self, fixmedins_code: str, begin: dt.datetime, end: dt.datetime) -> list[Any]:
        query = select(*_MONTH_COLUMNS).where(
            settlement.c.fixmedins_code == fixmedins_code,
            settlement.c.setl_time >= begin,
            settlement.c.setl_time < end,
        )
        return list(self.session.execute(query).all())

    # statements
    def add_statement(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(institution_statement), values)

    def statement(self, statement_id: str, *, lock: bool = False) -> Any | None:
        query = select(institution_statement).where(institution_statement.c.statement_id == statement_id)
        if lock and self._postgres:
            query = query.with_for_update()
        return self.session.execute(query).first()

    def statements(
        self, *, month: str | None = None, fixmedins_code: str | None = None, status: str | None = None
    ) -> list[Any]:
        query = select(institution_statement)
        if month:
            query = query.where(institution_statement.c.month == month)
        if fixmedins_code:
            query = query.where(institution_statement.c.fixmedins_code == fixmedins_code)
        if status:
            query = query.where(institution_statement.c.status == status)
        query = query.order_by(institution_statement.c.month.desc(), institution_statement.c.fixmedins_code)
        return list(self.session.execute(query).all())

    def update_statement(self, statement_id: str, **values: Any) -> None:
        self.session.execute(_SET_STATEMENT, {"b_id": statement_id, **values})

    # clearing applications
    def add_clearing_application(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(clearing_application), values)

    def clearing_application(self, clr_appy_evt_id: str, *, lock: bool = False) -> Any | None:
        query = select(clearing_application).where(clearing_application.c.clr_appy_evt_id == clr_appy_evt_id)
        if lock and self._postgres:
            query = query.with_for_update()
        return self.session.execute(query).first()

    def clearing_applications(self, statement_id: str) -> list[Any]:
        query = (
            select(clearing_application)
            .where(clearing_application.c.statement_id == statement_id)
            .order_by(clearing_application.c.applied_at, clearing_application.c.clr_appy_evt_id)
        )
        return list(self.session.execute(query).all())

    def update_clearing_application(self, clr_appy_evt_id: str, **values: Any) -> None:
        self.session.execute(_SET_APPLICATION, {"b_id": clr_appy_evt_id, **values})
