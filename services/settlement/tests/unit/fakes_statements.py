"""The in-memory store's part for detail reconciliation (3202), clearing applications (3203/3204) and
institution monthly statements (settlement.usecases.ports.statements).

Settlements are FakeStore's own (self.settlements); institutions are read from the demo data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

DEMO = Path(__file__).resolve().parents[2] / "settlement" / "demo_data"
_PERIOD = (
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
_MONTH = ("clr_type", "init_setl_id", "medfee_sumamt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "setldetail")


def _columns(row: Any, names: tuple[str, ...]) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(row, name, None) for name in names})


class FakeStatement:
    settlements: dict[str, SimpleNamespace]

    def __init__(self) -> None:
        super().__init__()
        self.statement_institutions = {
            row["fixmedins_code"]: SimpleNamespace(**row)
            for row in json.loads((DEMO / "institutions.json").read_text(encoding="utf-8"))
        }
        self.statement_rows: dict[str, SimpleNamespace] = {}
        self.application_rows: dict[str, SimpleNamespace] = {}

    def statement_institution(self, fixmedins_code: str) -> Any | None:
        return self.statement_institutions.get(fixmedins_code)

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
        rows = [
            s
            for s in self.settlements.values()
            if s.fixmedins_code == fixmedins_code
            and begin <= s.setl_time < end
            and s.clr_optins == clr_optins
            and (not clr_type or s.clr_type == clr_type)
            and (not insutype or s.insutype == insutype)
        ]
        rows.sort(key=lambda s: (s.setl_time, s.setl_id))
        return [_columns(s, _PERIOD) for s in rows[:limit]]

    def settlements_by_id(self, fixmedins_code: str, setl_ids: Collection[str]) -> list[Any]:
        wanted = set(setl_ids)
        return [
            _columns(s, _PERIOD)
            for s in self.settlements.values()
            if s.fixmedins_code == fixmedins_code and s.setl_id in wanted
        ]

    def month_settlements(self, fixmedins_code: str, begin: dt.datetime, end: dt.datetime) -> list[Any]:
        return [
            _columns(s, _MONTH)
            for s in self.settlements.values()
            if s.fixmedins_code == fixmedins_code and begin <= s.setl_time < end
        ]

    # statements
    def add_statement(self, values: dict[str, Any]) -> None:
        if values["statement_id"] in self.statement_rows:
            raise ValueError(f"statement {values['statement_id']} exists")
        self.statement_rows[values["statement_id"]] = SimpleNamespace(**values)

    def statement(self, statement_id: str, *, lock: bool = False) -> Any | None:
        return self.statement_rows.get(statement_id)

    def statements(
        self, *, month: str | None = None, fixmedins_code: str | None = None, status: str | None = None
    ) -> list[Any]:
        rows = [
            r
            for r in self.statement_rows.values()
            if (not month or r.month == month)
            and (not fixmedins_code or r.fixmedins_code == fixmedins_code)
            and (not status or r.status == status)
        ]
        rows.sort(key=lambda r: r.fixmedins_code)
        rows.sort(key=lambda r: r.month, reverse=True)
        return rows

    def update_statement(self, statement_id: str, **values: Any) -> None:
        vars(self.statement_rows[statement_id]).update(values)

    # clearing applications
    def add_clearing_application(self, values: dict[str, Any]) -> None:
        self.application_rows[values["clr_appy_evt_id"]] = SimpleNamespace(**values)

    def clearing_application(self, clr_appy_evt_id: str, *, lock: bool = False) -> Any | None:
        return self.application_rows.get(clr_appy_evt_id)

    def clearing_applications(self, statement_id: str) -> list[Any]:
        rows = [r for r in self.application_rows.values() if r.statement_id == statement_id]
        return sorted(rows, key=lambda r: (r.applied_at, r.clr_appy_evt_id))

    def update_clearing_application(self, clr_appy_evt_id: str, **values: Any) -> None:
        vars(self.application_rows[clr_appy_evt_id]).update(values)
