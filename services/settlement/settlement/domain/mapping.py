"""Item mapping (目录对照): an institution's own item codes mapped to national codes (3301/3302), the
paged queries over the mappings (1316/1317), and how a fee line's national code follows from them.

A mapping says: from begndate to enddate, the institution's item fixmedins_hilist_id is the national
item med_list_codg. The valid mappings of one own code never overlap, so on any day an own code is
mapped to at most one national code. A revoked mapping (3302) stays on record with vali_flag 0.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import Field, field_validator

from settlement.policy import Catalogue, CatalogueItem

from .errors import Refused
from .inputs import Date, DateTime, Flag, _Required

# 3301 marks enddate required, but some HIS software leaves it out for a mapping without an end:
# it is kept open to the date deployed catalogues use for "no end".
OPEN_END = dt.date(2099, 12, 31)
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
VALID, REVOKED = "1", "0"


# ---------------------------------------------------------------- inputs


class MappingUpload(_Required):
    """One mapping of 3301 input.data (an object, or a list of them)."""

    fixmedins_hilist_id: str = Field(max_length=150)
    fixmedins_hilist_name: str = Field(max_length=200)
    list_type: str = Field(max_length=30)
    med_list_codg: str = Field(max_length=50)
    begndate: Date
    enddate: Date | None = None
    aprvno: str | None = Field(default=None, max_length=100)
    dosform: str | None = Field(default=None, max_length=200)
    exct_cont: str | None = Field(default=None, max_length=2000)
    item_cont: str | None = Field(default=None, max_length=2000)
    prcunt: str | None = Field(default=None, max_length=100)
    spec: str | None = Field(default=None, max_length=200)
    pacspec: str | None = Field(default=None, max_length=100)
    memo: str | None = Field(default=None, max_length=500)

    @property
    def end(self) -> dt.date:
        return self.enddate or OPEN_END


class MappingRevoke(_Required):
    """3302 input.data."""

    fixmedins_code: str | None = None
    fixmedins_hilist_id: str = Field(max_length=150)
    list_type: str | None = None
    med_list_codg: str = Field(max_length=50)


class MappingQuery(_Required):
    """1316 / 1317 input.data: the filters and the page."""

    query_date: Date | None = None
    fixmedins_code: str | None = None
    medins_list_codg: str | None = None
    medins_list_name: str | None = None
    hilist_code: str | None = None  # 1316: the national code on the payment catalogue's side
    insu_admdvs: str | None = None
    list_type: str | None = None
    med_list_codg: str | None = None
    begndate: Date | None = None
    vali_flag: Flag | None = None
    updt_time: DateTime | None = None
    page_num: int = Field(default=1, ge=1)
    page_size: int = Field(default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("query_date", "begndate", "updt_time", mode="after")
    @classmethod
    def _unset_csharp_date(cls, value: Any) -> Any:
        """A C# DateTime property left unset serialises as 0001-01-01T00:00:00: that is "not sent"."""
        return None if value is not None and value.year == 1 else value


# ---------------------------------------------------------------- the record


def new_rid() -> str:
    """唯一记录号 (C40) of a mapping."""
    return uuid.uuid4().hex


@dataclass(frozen=True)
class ItemMapping:
    """One stored mapping, valid (vali_flag 1) or revoked (0)."""

    rid: str
    fixmedins_code: str
    fixmedins_hilist_id: str
    fixmedins_hilist_name: str
    list_type: str
    med_list_codg: str
    begndate: dt.date
    enddate: dt.date
    crte_time: dt.datetime
    updt_time: dt.datetime
    vali_flag: str = VALID
    aprvno: str | None = None
    dosform: str | None = None
    exct_cont: str | None = None
    item_cont: str | None = None
    prcunt: str | None = None
    spec: str | None = None
    pacspec: str | None = None
    memo: str | None = None
    crter_id: str | None = None
    crter_name: str | None = None
    opter_id: str | None = None
    opter_name: str | None = None

    def covers(self, day: dt.date) -> bool:
        return self.begndate <= day <= self.enddate

    def overlaps(self, begin: dt.date, end: dt.date) -> bool:
        return self.begndate <= end and begin <= self.enddate

    @property
    def period(self) -> str:
        return f"{self.begndate} to {self.enddate}"


# What a mapping says about the item besides its codes and dates: a repeated 3301 may correct it.
DESCRIPTIVE = (
    "fixmedins_hilist_name",
    "list_type",
    "aprvno",
    "dosform",
    "exct_cont",
    "item_cont",
    "prcunt",
    "spec",
    "pacspec",
    "memo",
)


def mapping_from(
    fixmedins_code: str, sent: MappingUpload, now: dt.datetime, opter: str, opter_name: str
) -> ItemMapping:
    return ItemMapping(
        rid=new_rid(),
        fixmedins_code=fixmedins_code,
        fixmedins_hilist_id=sent.fixmedins_hilist_id,
        med_list_codg=sent.med_list_codg,
        begndate=sent.begndate,
        enddate=sent.end,
        crte_time=now,
        updt_time=now,
        crter_id=opter,
        crter_name=opter_name,
        opter_id=opter,
        opter_name=opter_name,
        **{name: getattr(sent, name) for name in DESCRIPTIVE},
    )


# ---------------------------------------------------------------- the rules of a new mapping


def check_period(sent: MappingUpload, where: str) -> None:
    if sent.end < sent.begndate:
        raise Refused(f"{where}: enddate {sent.end} is before begndate {sent.begndate}", code="INPUT_INVALID")


def repeated(existing: Sequence[ItemMapping], sent: MappingUpload, where: str) -> ItemMapping | None:
    """The valid mapping `sent` repeats (same own code, national code and begndate), or None when it is
    new. Refused when it would overlap another valid mapping of the same own code: a changed mapping
    is revoked (3302) or ended (sent again with an earlier enddate) before the new one is uploaded."""
    check_period(sent, where)
    own, code, begin, end = sent.fixmedins_hilist_id, sent.med_list_codg, sent.begndate, sent.end
    same = next((m for m in existing if m.med_list_codg == code and m.begndate == begin), None)
    for m in existing:
        if m is same or not m.overlaps(begin, end):
            continue
        if m.med_list_codg == code:
            raise Refused(
                f"{where}: fixmedins_hilist_id {own} is already mapped to med_list_codg {code} from {m.period} "
                f"(rid {m.rid}); to change its dates send it again with begndate {m.begndate}, or revoke it "
                "with 3302 first",
                code="MAPPING_CONFLICT",
            )
        raise Refused(
            f"{where}: fixmedins_hilist_id {own} is already mapped to med_list_codg {m.med_list_codg} from "
            f"{m.period} (rid {m.rid}), which overlaps {begin} to {end}; revoke that mapping with 3302, or end "
            f"it (send it again with an enddate before {begin}), then upload the mapping to {code}",
            code="MAPPING_CONFLICT",
        )
    return same


def with_changes(stored: ItemMapping, sent: MappingUpload, now: dt.datetime, opter: str, name: str) -> ItemMapping:
    """The stored mapping as `sent` describes it (enddate and descriptive fields); itself when unchanged."""
    values: dict[str, Any] = {n: getattr(sent, n) for n in DESCRIPTIVE}
    values["enddate"] = sent.end
    if all(getattr(stored, n) == v for n, v in values.items()):
        return stored
    return replace(stored, **values, updt_time=now, opter_id=opter, opter_name=name)


def revoked(m: ItemMapping, now: dt.datetime, opter: str, opter_name: str) -> ItemMapping:
    return replace(m, vali_flag=REVOKED, updt_time=now, opter_id=opter, opter_name=opter_name)


def check_day(begin: dt.date, end: dt.date, today: dt.date) -> dt.date:
    """The day whose payment catalogue must list the national code: today when the mapping is in force
    today, else its first day (a mapping that starts later) or its last (one that has ended)."""
    return min(max(today, begin), end)


def catalogue_index(catalogue: Catalogue, admdvs: str) -> dict[str, CatalogueItem]:
    """The catalogue's items by national code as the institution's region sees them (its city's
    override, else its province's, else the national item), so a long upload looks each code up once."""
    index = {item.med_list_codg: item for item in catalogue.items}
    for region in (admdvs[:2] + "0000", admdvs):
        index.update({item.med_list_codg: item for item in catalogue.overrides.get(region, ())})
    return index


# ---------------------------------------------------------------- fee lines


def by_own_code(mappings: Iterable[ItemMapping]) -> dict[str, list[ItemMapping]]:
    found: dict[str, list[ItemMapping]] = {}
    for m in mappings:
        if m.vali_flag == VALID:
            found.setdefault(m.fixmedins_hilist_id, []).append(m)
    return found


def in_force(mappings: Iterable[ItemMapping], day: dt.date) -> ItemMapping | None:
    return next((m for m in mappings if m.vali_flag == VALID and m.covers(day)), None)


def national_code(sn: str, own: str, sent: str | None, day: dt.date, mappings: Sequence[ItemMapping]) -> str:
    """The national code a fee line is priced with.

    Mapped on the fee day: the mapping's code (a line without med_list_codg takes it; one with a
    different code is refused: the money would follow whichever the platform guessed). Not mapped:
    the code as sent, so software that never maps works as before."""
    mapping = in_force(mappings, day)
    if mapping is None:
        if not sent:
            raise Refused(
                f"fee line {sn}: med_list_codg is required: medins_list_codg {own} is not mapped to a national "
                f"code on {day}; send med_list_codg, or map {own} with 3301",
                code="INPUT_INVALID",
            )
        return sent
    if sent and sent != mapping.med_list_codg:
        raise Refused(
            f"fee line {sn}: medins_list_codg {own} is mapped to med_list_codg {mapping.med_list_codg} on {day} "
            f"(3301, rid {mapping.rid}) but the line sends med_list_codg {sent}; send {mapping.med_list_codg} "
            f"or leave med_list_codg empty, or revoke the mapping with 3302 and upload the right one with 3301",
            code="MAPPING_MISMATCH",
        )
    return mapping.med_list_codg


# ---------------------------------------------------------------- queries


@dataclass(frozen=True)
class MappingFilter:
    """What 1316 / 1317 select among one institution's mappings."""

    own_code: str | None = None
    name_contains: str | None = None
    list_type: str | None = None
    med_list_codg: str | None = None
    begins_from: dt.date | None = None
    vali_flag: str | None = None
    updated_from: dt.datetime | None = None
    in_force_on: dt.date | None = None

    def admits(self, m: ItemMapping) -> bool:
        return (
            (self.own_code is None or m.fixmedins_hilist_id == self.own_code)
            and (self.name_contains is None or self.name_contains in m.fixmedins_hilist_name)
            and (self.list_type is None or m.list_type == self.list_type)
            and (self.med_list_codg is None or m.med_list_codg == self.med_list_codg)
            and (self.begins_from is None or m.begndate >= self.begins_from)
            and (self.vali_flag is None or m.vali_flag == self.vali_flag)
            and (self.updated_from is None or m.updt_time >= self.updated_from)
            and (self.in_force_on is None or m.covers(self.in_force_on))
        )


def query_filter(q: MappingQuery, *, national: str | None) -> MappingFilter:
    return MappingFilter(
        own_code=q.medins_list_codg,
        name_contains=q.medins_list_name,
        list_type=q.list_type,
        med_list_codg=national,
        begins_from=q.begndate,
        vali_flag=q.vali_flag,
        updated_from=q.updt_time,
        in_force_on=q.query_date,
    )
