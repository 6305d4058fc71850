"""The port of detail reconciliation (3202), clearing applications (3203/3204) and institution monthly statements.

The uploaded detail file is read through the files port (FileStore.file and file_content); the
settlements are read here, in the columns the comparison and the statement need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any, Protocol


class StatementStore(Protocol):
    def statement_institution(self, fixmedins_code: str) -> Any | None:
        """The institution's row (fixmedins_code, fixmedins_name, admdvs, hosp_lv), or None."""
        ...

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
        """The institution's settlements and reversals with begin <= setl_time < end (at most `limit`),
        oldest first: setl_id, mdtrt_id, psn_no, medins_setl_id, setl_time, medfee_sumamt,
        fund_pay_sumamt, acct_pay, psn_cash_pay, init_setl_id, reversed_by."""
        ...

    def settlements_by_id(self, fixmedins_code: str, setl_ids: Collection[str]) -> list[Any]:
        """Those of `setl_ids` that are the institution's settlements, in period_settlements' columns."""
        ...

    def month_settlements(self, fixmedins_code: str, begin: dt.datetime, end: dt.datetime) -> list[Any]:
        """The institution's settlements and reversals with begin <= setl_time < end: clr_type,
        init_setl_id, medfee_sumamt, fund_pay_sumamt, acct_pay, psn_cash_pay, setldetail (JSON)."""
        ...

    # statements
    def add_statement(self, values: dict[str, Any]) -> None: ...
    def statement(self, statement_id: str, *, lock: bool = False) -> Any | None: ...
    def statements(
        self, *, month: str | None = None, fixmedins_code: str | None = None, status: str | None = None
    ) -> list[Any]:
        """Statements matching every filter given, newest month first."""
        ...

    def update_statement(self, statement_id: str, **values: Any) -> None: ...

    # clearing applications
    def add_clearing_application(self, values: dict[str, Any]) -> None: ...
    def clearing_application(self, clr_appy_evt_id: str, *, lock: bool = False) -> Any | None: ...
    def clearing_applications(self, statement_id: str) -> list[Any]:
        """A statement's applications, oldest first."""
        ...

    def update_clearing_application(self, clr_appy_evt_id: str, **values: Any) -> None: ...
