"""The in-memory store's part for departments (3401-3403) (settlement.usecases.ports.departments)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


class FakeDepartments:
    def __init__(self) -> None:
        super().__init__()
        self.department_rows: dict[tuple[str, str], SimpleNamespace] = {}

    def department(self, fixmedins_code: str, hosp_dept_codg: str, *, lock: bool = False) -> Any | None:
        return self.department_rows.get((fixmedins_code, hosp_dept_codg))

    def departments(self, fixmedins_code: str) -> list[Any]:
        return [row for (code, _), row in sorted(self.department_rows.items()) if code == fixmedins_code]

    def add_department(self, values: dict[str, Any]) -> None:
        key = (values["fixmedins_code"], values["hosp_dept_codg"])
        if key in self.department_rows:
            raise ValueError(f"department {key} exists")  # the SQL store's unique constraint
        self.department_rows[key] = SimpleNamespace(**values)

    def update_department(self, fixmedins_code: str, hosp_dept_codg: str, **values: Any) -> None:
        row = self.department_rows[(fixmedins_code, hosp_dept_codg)]
        for name, value in values.items():
            setattr(row, name, value)
