"""The store's part for departments (3401-3403), over SQL (settlement.usecases.ports.departments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from medshared.hotsql import HotRead
from settlement.db import department

_ONE = select(department).where(
    department.c.fixmedins_code == bindparam("fixmedins_code"),
    department.c.hosp_dept_codg == bindparam("hosp_dept_codg"),
)
_ONE_READ = HotRead(_ONE)
_ONE_LOCKED = HotRead(_ONE.with_for_update())
_ALL = HotRead(
    select(department)
    .where(department.c.fixmedins_code == bindparam("fixmedins_code"))
    .order_by(department.c.hosp_dept_codg)
)


class DepartmentSql:
    session: Session
    _postgres: bool

    def department(self, fixmedins_code: str, hosp_dept_codg: str, *, lock: bool = False) -> Any | None:
        read = _ONE_LOCKED if lock and self._postgres else _ONE_READ
        return read.first(self.session, {"fixmedins_code": fixmedins_code, "hosp_dept_codg": hosp_dept_codg})

    def departments(self, fixmedins_code: str) -> list[Any]:
        return _ALL.all(self.session, {"fixmedins_code": fixmedins_code})

    def add_department(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(department), values)

    def update_department(self, fixmedins_code: str, hosp_dept_codg: str, **values: Any) -> None:
        self.session.execute(
            update(department)
            .where(department.c.fixmedins_code == fixmedins_code, department.c.hosp_dept_codg == hosp_dept_codg)
            .values(**values)
        )
