"""3401 / 3401A 科室信息上传, 3402 科室信息变更, 3403 科室信息撤销: an institution's own departments,
and the check of the billing department on its fee lines (2204, 2301).

An institution only ever reads or changes its own departments: every statement names the calling
institution's fixmedins_code, so another institution's code is simply not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from settlement.domain import departments as dep
from settlement.domain.errors import Refused

from .common import Call, Outcome
from .ports import Store


def upload_departments(store: Store, call: Call, items: list[dep.DepartmentInfo]) -> Outcome:
    """3401 (deptinfo an object or a list) and 3401A (a list): all or none.

    A new code is added; a revoked one is uploaded again; an active one sent unchanged changes
    nothing; an active one sent with other content is recorded as its change (as 3402)."""
    code = call.req.fixmedins_code
    for info in _distinct(items):
        row = store.department(code, info.hosp_dept_codg, lock=True)
        if row is None:
            store.add_department(
                {
                    "fixmedins_code": code,
                    **info.values(),
                    "uploaded_at": call.now,
                    "changed_at": call.now,
                    "revoked_at": None,
                }
            )
        elif row.revoked_at is not None:
            store.update_department(
                code, info.hosp_dept_codg, **info.content(), uploaded_at=call.now, changed_at=call.now, revoked_at=None
            )
        elif not dep.same_content(row, info):
            store.update_department(code, info.hosp_dept_codg, **info.content(), changed_at=call.now)
    return Outcome(None)


def change_departments(store: Store, call: Call, items: list[dep.DepartmentInfo]) -> Outcome:
    """3402: each department named must be one of the institution's active departments."""
    code = call.req.fixmedins_code
    for info in _distinct(items):
        row = store.department(code, info.hosp_dept_codg, lock=True)
        if row is None:
            raise Refused(
                f"hosp_dept_codg {info.hosp_dept_codg} is not a department of {code}; upload it with 3401 first",
                code="DEPARTMENT_UNKNOWN",
            )
        if row.revoked_at is not None:
            raise Refused(
                f"department {info.hosp_dept_codg} of {code} was revoked; upload it again with 3401",
                code="DEPARTMENT_REVOKED",
            )
        if not dep.same_content(row, info):
            store.update_department(code, info.hosp_dept_codg, **info.content(), changed_at=call.now)
    return Outcome(None)


def revoke_department(store: Store, call: Call, data: dep.DepartmentRevoke) -> Outcome:
    """3403: revoke one of the institution's departments; a revoked one stays revoked (a success)."""
    code = call.req.fixmedins_code
    row = store.department(code, data.hosp_dept_codg, lock=True)
    if row is None:
        raise Refused(
            f"hosp_dept_codg {data.hosp_dept_codg} is not a department of {code}; nothing to revoke",
            code="DEPARTMENT_UNKNOWN",
        )
    if row.revoked_at is None:
        store.update_department(code, data.hosp_dept_codg, revoked_at=call.now, changed_at=call.now)
    return Outcome(None)


def _distinct(items: list[dep.DepartmentInfo]) -> list[dep.DepartmentInfo]:
    """One entry per code; the same code twice in one upload must say the same thing."""
    seen: dict[str, dep.DepartmentInfo] = {}
    for i, info in enumerate(items):
        held = seen.get(info.hosp_dept_codg)
        if held is None:
            seen[info.hosp_dept_codg] = info
        elif held.values() != info.values():
            raise Refused(
                f"input.deptinfo[{i}]: hosp_dept_codg {info.hosp_dept_codg} is sent twice with different "
                "content; send each department once",
                code="INPUT_INVALID",
            )
    return list(seen.values())


def check_billing_departments(store: Store, call: Call, lines: Sequence[Any]) -> None:
    """Fee lines (2204, 2301) of an institution that uploaded departments must each name one of its
    active departments in bilg_dept_codg (not revoked, not ended before the fee). An institution that
    never uploaded a department is not checked, nor is a line that names none."""
    departments = store.departments(call.req.fixmedins_code)
    if not departments:
        return
    by_code = {row.hosp_dept_codg: row for row in departments}
    for line in lines:
        wanted = getattr(line, "bilg_dept_codg", None)
        if not wanted:
            continue
        row = by_code.get(wanted)
        if row is None or not dep.active(row, getattr(line, "fee_ocur_time", None)):
            known = sorted(code for code, r in by_code.items() if dep.active(r))
            shown = ", ".join(known[:10]) + (" ..." if len(known) > 10 else "")
            state = "is not an active department" if row is not None else "is not a department"
            raise Refused(
                f"fee line {line.feedetl_sn}: bilg_dept_codg {wanted} {state} of {call.req.fixmedins_code}; "
                f"upload it with 3401 or send one of its departments ({shown or 'none active'})",
                code="DEPARTMENT_UNKNOWN",
            )
