"""The record a HIS reads back (5201-5205, 5301-5304) and person designations (2505/2506): inputs and bounds.

Every list is bounded: records of what happened (5201 visits, 5205 drug lines) are read for a period
of at most MAX_DAYS, and no answer carries more than MAX_ROWS rows. A caller who wants more rows pages
with page_num / page_size (the names the national paged queries 1312/1316 use); a caller who does not
page and would get more than one answer's worth is told so, never handed a silent first part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Field

from .errors import Refused
from .inputs import Date, DateTime, _datetime, _Required, read

MAX_ROWS = 500
MAX_DAYS = 366

# Diagnoses (diseinfo) by the call that sent them: a later call of the same stage replaces them.
OUTPATIENT, ADMISSION, DISCHARGE = "outpatient", "admission", "discharge"
# 出入院诊断类别: 1 入院诊断, 2 出院诊断; an outpatient diagnosis is neither.
INOUT_DIAG_TYPE = {OUTPATIENT: None, ADMISSION: "1", DISCHARGE: "2"}

# 业务申请类型 (7.10): 01 门诊慢特病登记, 03 就医定点医疗机构登记, 08 异地安置登记. 08 is an out-of-area
# filing: the person files it with the insurance agency, and settlement reads those filings.
RELOCATION = "08"

T = TypeVar("T")


def _moment(value: Any) -> Any:
    """A query's begntime / endtime: the national text forms, or epoch milliseconds (a java.util.Date as
    fastjson writes it), read as the platform's local time."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value / 1000 if abs(value) > 10**11 else value)
    return _datetime(value)


Moment = Annotated[dt.datetime, BeforeValidator(_moment)]


class _Paged(_Required):
    page_num: int | None = Field(default=None, ge=1)
    page_size: int | None = Field(default=None, ge=1, le=MAX_ROWS)


class VisitQuery(_Paged):
    """5201 就诊信息查询: the caller's visits of one person in a period."""

    psn_no: str
    begntime: Moment
    endtime: Moment | None = None
    med_type: str | None = None
    mdtrt_id: str | None = None


class DiagnosisQuery(_Paged):
    """5202 诊断信息查询: the diagnoses the caller sent for one of its visits."""

    mdtrt_id: str
    psn_no: str


class FeeLineQuery(_Paged):
    """5204 费用明细查询: the fee lines of one of the caller's visits, or of one of its settlements."""

    psn_no: str
    mdtrt_id: str
    setl_id: str | None = None


class ChronicDrugQuery(_Paged):
    """5205 人员慢特病用药记录查询."""

    psn_no: str
    begntime: Moment
    endtime: Moment | None = None


class PersonQuery(_Paged):
    """5301 人员慢特病备案查询."""

    psn_no: str


class DesignationQuery(_Paged):
    """5302 人员定点信息查询."""

    psn_no: str
    biz_appy_type: str | None = None


class InpatientQuery(_Paged):
    """5303 在院信息查询: the caller's patients in hospital, one person's when psn_no is sent."""

    psn_no: str | None = None
    begntime: Moment | None = None
    endtime: Moment | None = None


class ReferralQuery(_Paged):
    """5304 转院信息查询: referrals in force at some time from begntime to endtime (open-ended when empty)."""

    psn_no: str
    begntime: Moment
    endtime: Moment | None = None


class Designation(_Required):
    """2505 人员定点备案."""

    psn_no: str = Field(max_length=30)
    insutype: str | None = Field(default=None, max_length=6)  # not in the spec's input; some editions send it
    tel: str | None = Field(default=None, max_length=50)
    addr: str | None = Field(default=None, max_length=200)
    biz_appy_type: str = Field(pattern=r"^\d{2,3}$")
    begndate: Date
    enddate: Date | None = None
    agnter_name: str | None = Field(default=None, max_length=50)
    agnter_cert_type: str | None = Field(default=None, max_length=6)
    agnter_certno: str | None = Field(default=None, max_length=50)
    agnter_tel: str | None = Field(default=None, max_length=30)
    agnter_addr: str | None = Field(default=None, max_length=200)
    agnter_rlts: str | None = Field(default=None, max_length=3)
    fix_srt_no: str | None = Field(default=None, max_length=3)
    fixmedins_code: str | None = Field(default=None, max_length=30)
    fixmedins_name: str | None = Field(default=None, max_length=200)
    memo: str | None = Field(default=None, max_length=500)


class Diagnosis(_Required):
    """One diseinfo[] entry of 2203 / 2401 / 2402 / 2403, kept as sent for 5202."""

    diag_type: str | None = Field(default=None, max_length=3)
    maindiag_flag: str | None = Field(default=None, max_length=3)
    diag_srt_no: int | None = Field(default=None, ge=0, le=9999)
    diag_code: str = Field(max_length=50)
    diag_name: str | None = Field(default=None, max_length=300)
    adm_cond: str | None = Field(default=None, max_length=500)
    diag_dept: str | None = Field(default=None, max_length=100)
    dise_dor_no: str | None = Field(default=None, max_length=30)
    dise_dor_name: str | None = Field(default=None, max_length=50)
    diag_time: DateTime | None = None
    vali_flag: str | None = None


@dataclass(frozen=True)
class Page:
    """Which rows to fetch: `limit` is one more than an unpaged answer may carry, to tell it overflowed."""

    offset: int
    limit: int
    size: int
    paged: bool


def page_of(data: _Paged) -> Page:
    """page_num alone pages by MAX_ROWS, page_size alone is its first page; neither: one unpaged answer."""
    if data.page_num is None and data.page_size is None:
        return Page(0, MAX_ROWS + 1, MAX_ROWS, paged=False)
    size = data.page_size or MAX_ROWS
    return Page(((data.page_num or 1) - 1) * size, size, size, paged=True)


def answered(page: Page, rows: Sequence[T], what: str, narrow: str = "") -> list[T]:
    """The rows of one answer, or a refusal that says how to ask for them in pages."""
    if not page.paged and len(rows) > page.size:
        hint = f", or {narrow}" if narrow else ""
        raise Refused(
            f"more than {page.size} {what} match; one answer carries at most {page.size}: send page_num "
            f"(1, 2, ...) and page_size (at most {MAX_ROWS}) to read them in pages{hint}",
            code="TOO_MANY_ROWS",
        )
    return list(rows[: page.size])


def period(begntime: dt.datetime, endtime: dt.datetime | None, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The period of records of what happened (visits, fee lines): begntime .. endtime, at most MAX_DAYS.

    An endtime left empty or past now (some clients send 9999-12-31 for "until now") reads as now; a
    begntime past now is a period nothing has happened in yet."""
    end = min(endtime or now, now)
    if endtime is not None and endtime < begntime:
        raise _backwards()
    if end - begntime > dt.timedelta(days=MAX_DAYS):
        raise Refused(
            f"begntime to endtime spans more than {MAX_DAYS} days; ask for at most a year at a time",
            code="PERIOD_TOO_LONG",
        )
    return begntime, end


def window(begntime: dt.datetime | None, endtime: dt.datetime | None) -> None:
    """A period that only narrows what is current (patients in hospital, referrals in force): any length."""
    if begntime is not None and endtime is not None and endtime < begntime:
        raise _backwards()


def _backwards() -> Refused:
    return Refused("endtime is before begntime; send a period that starts before it ends", code="INPUT_INVALID")


def diagnoses(node: Any, where: str = "input.diseinfo") -> list[Diagnosis]:
    """The valid diagnoses of a diseinfo node: a list, or one object (some C# clients assign the list to a
    typed object). An entry without diag_code is not a diagnosis (an all-null placeholder) and is not kept;
    one marked vali_flag 0 is withdrawn by its sender."""
    items = [node] if isinstance(node, dict) else node if isinstance(node, list) else []
    kept = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or item.get("diag_code") in (None, ""):
            continue
        diagnosis = read(Diagnosis, item, f"{where}[{i}]")
        if diagnosis.vali_flag != "0":
            kept.append(diagnosis)
    return kept


def overlaps(begin: dt.date, end: dt.date | None, other_begin: dt.date, other_end: dt.date | None) -> bool:
    return (other_end is None or begin <= other_end) and (end is None or other_begin <= end)
