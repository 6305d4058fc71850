"""The port of departments (3401-3403) of an institution."""

from __future__ import annotations

from typing import Any, Protocol


class DepartmentStore(Protocol):
    """One row per department code of an institution; a revoked one keeps its row with revoked_at set."""

    def department(self, fixmedins_code: str, hosp_dept_codg: str, *, lock: bool = False) -> Any | None: ...
    def departments(self, fixmedins_code: str) -> list[Any]:
        """Every department the institution uploaded, revoked ones too."""
        ...

    def add_department(self, values: dict[str, Any]) -> None: ...
    def update_department(self, fixmedins_code: str, hosp_dept_codg: str, **values: Any) -> None: ...
