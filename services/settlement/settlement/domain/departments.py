"""Departments (3401 科室信息上传, 3401A 批量上传, 3402 变更, 3403 撤销): the inputs and the rules.

A department belongs to one institution and is known by its hosp_dept_codg (院内唯一编码). 3401 and
3401A upload: a new code is added, a revoked one comes back, an active one sent again unchanged is a
success that changes nothing (deployed HIS software re-sends its whole list), and an active one sent
with other content is recorded as its change, as 3402 would. 3402 changes an active department;
3403 revokes one (revoking a revoked one again changes nothing).

Once an institution has uploaded departments, every fee line it uploads (2204, 2301) must name one
of its active departments in bilg_dept_codg; an institution that never uploaded any is not checked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, field_validator

from .inputs import DateTime, _Required

# A Java HIS serialising a java.util.Date with fastjson's defaults sends milliseconds since 1970
# (fengzaiqishi11/hsa-his InsureUnifiedCommonUtil.java, JSONObject.toJSONString); its clock is China's.
CHINA = dt.timezone(dt.timedelta(hours=8), "CST")
_EPOCH_MILLIS = (10**11, 10**13)

# The fields of deptinfo the platform keeps, in the spec's order.
FIELDS = (
    "hosp_dept_codg",
    "hosp_dept_name",
    "caty",
    "begntime",
    "endtime",
    "itro",
    "dept_resper_name",
    "dept_resper_tel",
    "dept_med_serv_scp",
    "dept_estbdat",
    "aprv_bed_cnt",
    "hi_crtf_bed_cnt",
    "poolarea_no",
    "dr_psncnt",
    "phar_psncnt",
    "nurs_psncnt",
    "tecn_psncnt",
    "memo",
)


def _moment(value: Any) -> Any:
    """Milliseconds since 1970 (a whole number of 12 or 13 digits) as China's local time."""
    number = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    if number and value == int(value) and _EPOCH_MILLIS[0] <= abs(value) < _EPOCH_MILLIS[1]:
        return dt.datetime.fromtimestamp(int(value) / 1000, tz=CHINA).replace(tzinfo=None)
    return value


def _unset(value: Any) -> Any:
    """C#'s default(DateTime), 0001-01-01T00:00:00 (a DateTime field the HIS left unset): not sent."""
    if isinstance(value, str) and value.strip().startswith("0001-01-01"):
        return None
    return value


def _count(value: Any) -> Any:
    """A head or bed count: a whole number, also written with decimals (12.0, "12.00") by C# decimals."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = Decimal(text)
        except ArithmeticError:
            raise ValueError("must be a whole number such as 12") from None
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise ValueError("must be a whole number such as 12")
        return int(value)
    return value


def _at_most(limit: int) -> Any:
    def check(value: str | None) -> str | None:
        if value is not None and len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    return AfterValidator(check)


def _not_negative(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise ValueError("must be 0 or more")
    return value


Moment = Annotated[DateTime, BeforeValidator(_moment)]
Count = Annotated[int, BeforeValidator(_count), AfterValidator(_not_negative)]


class DepartmentInfo(_Required):
    """3401 / 3401A / 3402 deptinfo. Required: the code, the name and begntime; the spec's other fields
    are kept as sent (deployed HIS software leaves poolarea_no, itro and the contact empty)."""

    hosp_dept_codg: Annotated[str, _at_most(30)]
    hosp_dept_name: Annotated[str, _at_most(100)]
    begntime: Moment
    caty: Annotated[str | None, _at_most(30)] = None
    endtime: Moment | None = None
    itro: Annotated[str | None, _at_most(500)] = None
    dept_resper_name: Annotated[str | None, _at_most(50)] = None
    dept_resper_tel: Annotated[str | None, _at_most(50)] = None
    dept_med_serv_scp: Annotated[str | None, _at_most(500)] = None
    dept_estbdat: Moment | None = None
    aprv_bed_cnt: Count | None = None
    hi_crtf_bed_cnt: Count | None = None
    poolarea_no: Annotated[str | None, _at_most(6)] = None
    dr_psncnt: Count | None = None
    phar_psncnt: Count | None = None
    nurs_psncnt: Count | None = None
    tecn_psncnt: Count | None = None
    memo: Annotated[str | None, _at_most(500)] = None

    @field_validator("begntime", "endtime", "dept_estbdat", mode="before")
    @classmethod
    def _moments(cls, value: Any) -> Any:
        return _unset(value)

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def content(self) -> dict[str, Any]:
        """What a change may set: every field but the code."""
        return {name: getattr(self, name) for name in FIELDS if name != "hosp_dept_codg"}


class DepartmentRevoke(_Required):
    """3403 data: the department's code; its name and begntime are read but the code alone names it."""

    hosp_dept_codg: Annotated[str, _at_most(30)]
    hosp_dept_name: str | None = None
    begntime: Moment | None = None

    @field_validator("begntime", mode="before")
    @classmethod
    def _moments(cls, value: Any) -> Any:
        return _unset(value)


def same_content(row: Any, info: DepartmentInfo) -> bool:
    """Whether a stored department already holds what `info` says."""
    return all(getattr(row, name) == value for name, value in info.values().items())


def active(row: Any, moment: dt.datetime | None = None) -> bool:
    """Not revoked and, when `moment` is given, not ended before it. begntime is not checked: a HIS
    sends the moment it uploads, and fees of the day may precede it."""
    if row.revoked_at is not None:
        return False
    return moment is None or row.endtime is None or moment <= row.endtime
