"""The store's part for departments (3401-3403), over SQL (settlement.usecases.ports.departments)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from settlement.db import department

_ONE = select(department).where(
    department.c.fixmedins_code == bindparam("fixmedins_code"),
    department.c.hosp_dept_codg == bindparam("hosp_dept_codg"),
)
_ONE_LOCKED = _ONE.with_for_update()
_ALL = (
    select(department)
    .where(department.c.fixmedins_code == bindparam("fixmedins_code"))
    .order_by(department.c.hosp_dept_codg)
)


class DepartmentSql:
    session: Session
    _postgres: bool

    def department(self, fixmedins_code: str, hosp_dept_codg: str, *, lock: bool = False) -> Any | None:
        statement = _ONE_LOCKED if lock and self._postgres else _ONE
        return self.session.execute(
            statement, {"fixmedins_code": fixmedins_code, "hosp_dept_codg": hosp_dept_codg}
        ).first()

    def departments(self, fixmedins_code: str) -> list[Any]:
        return list(self.session.execute(_ALL, {"fixmedins_code": fixmedins_code}))

    def add_department(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(department), values)

    def update_department(self, fixmedins_code: str, hosp_dept_codg: str, **values: Any) -> None:
        self.session.execute(
            update(department)
            .where(department.c.fixmedins_code == fixmedins_code, department.c.hosp_dept_codg == hosp_dept_codg)
            .values(**values)
        )
