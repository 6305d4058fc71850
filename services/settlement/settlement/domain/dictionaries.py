"""Dictionaries (1901 字典表查询) and institution look-up (1201 医药机构信息获取): the rules and the inputs.

A dictionary version is a whole set of code tables (insutype, med_type, psn_type ...) that a bureau
operator publishes with the date it is in force from; a version never changes afterwards, and every
version stays queryable: 1901 answers from the version in force on the `date` it is sent.

A value is national (admdvs "") or local to an admdvs: a province's value (xx0000) applies to its
cities and counties, a city's (xxxx00) to its counties. Where a local value and a national one share
a type, value and parent, the local one is answered in its area.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator

from medshared.national import describe_validation_error

from .errors import Refused
from .inputs import DateTime, _Required

NATIONAL = ""  # the admdvs of a national value
VALID, INVALID = "1", "0"
# Every dictionary type a HIS may ask for in one call: the list of one type (values of a few
# hundred at most). An empty type (the whole set in one answer) is refused: it would not fit the
# national answer's 40,000 characters.
TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
ADMDVS_PATTERN = re.compile(r"^\d{6}$")


class DictionaryDataError(ValueError):
    """A dictionary version an operator sent is malformed; the message names the entry and field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _at_most(limit: int) -> Any:
    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"must be at most {limit} characters")
        return value

    return AfterValidator(check)


@dataclass(frozen=True)
class Entry:
    """One value of one code table."""

    type: str
    value: str
    label: str
    parent_value: str = ""
    admdvs: str = NATIONAL
    sort: int = 0
    vali_flag: str = VALID

    def applies_to(self, admdvs: str) -> bool:
        """Whether this value is in force for an institution or person of `admdvs`."""
        if self.admdvs == NATIONAL or self.admdvs == admdvs:
            return True
        if self.admdvs.endswith("0000"):
            return admdvs[:2] == self.admdvs[:2]
        if self.admdvs.endswith("00"):
            return admdvs[:4] == self.admdvs[:4]
        return False

    @property
    def reach(self) -> int:
        """How narrow the value's area is: national 0, province 1, city 2, county 3."""
        if self.admdvs == NATIONAL:
            return 0
        if self.admdvs.endswith("0000"):
            return 1
        return 2 if self.admdvs.endswith("00") else 3

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "value": self.value,
            "label": self.label,
            "parent_value": self.parent_value,
            "admdvs": self.admdvs,
            "sort": self.sort,
            "vali_flag": self.vali_flag,
        }


class _EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    type: Annotated[str, Field(min_length=1)]
    value: Annotated[str, Field(min_length=1), _at_most(30)]
    label: Annotated[str, Field(min_length=1), _at_most(100)]
    parent_value: Annotated[str, _at_most(30)] = ""
    admdvs: str = NATIONAL
    sort: int | None = Field(default=None, ge=0)
    vali_flag: Annotated[str, Field(pattern=r"^[01]$")] = VALID

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        value = value.lower()
        if not TYPE_PATTERN.match(value):
            raise ValueError("must be a national field name such as insutype or psn_cert_type")
        return value

    @field_validator("admdvs")
    @classmethod
    def _admdvs(cls, value: str) -> str:
        if value and not ADMDVS_PATTERN.match(value):
            raise ValueError('must be 6 digits, or "" for a national value')
        return value

    @field_validator("parent_value", "admdvs", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return "" if value is None else value


class _VersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    version: int = Field(ge=1)
    effective_from: dt.date
    memo: Annotated[str, _at_most(500)] = ""
    entries: list[_EntryIn] = Field(min_length=1)

    @field_validator("effective_from", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError("must be an ISO date yyyy-MM-dd") from None
        return value


@dataclass(frozen=True)
class DictionaryVersion:
    """A whole set of code tables in force from `effective_from` until a later version."""

    version: int
    effective_from: dt.date
    entries: tuple[Entry, ...]
    memo: str = ""
    published_by: str = ""
    published_at: dt.datetime | None = None
    _by_type: dict[str, tuple[Entry, ...]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_type: dict[str, list[Entry]] = {}
        for entry in self.entries:
            by_type.setdefault(entry.type, []).append(entry)
        self._by_type.update({t: tuple(sorted(v, key=lambda e: (e.sort, e.value))) for t, v in by_type.items()})

    @classmethod
    def from_dict(
        cls, body: Any, *, published_by: str = "", published_at: dt.datetime | None = None
    ) -> DictionaryVersion:
        """Validate a version as an operator sends it; DictionaryDataError names what is wrong."""
        if not isinstance(body, dict):
            raise DictionaryDataError("a dictionary version must be an object with version, effective_from, entries")
        try:
            parsed = _VersionIn.model_validate(body)
        except ValidationError as exc:
            raise DictionaryDataError(describe_validation_error(exc)) from None
        entries: list[Entry] = []
        seen: dict[tuple[str, str, str, str], int] = {}
        position: dict[str, int] = {}
        for i, item in enumerate(parsed.entries):
            key = (item.type, item.value, item.parent_value, item.admdvs)
            if key in seen:
                raise DictionaryDataError(
                    f"entries[{i}]: {item.type} value {item.value} (parent {item.parent_value or '-'}, "
                    f"admdvs {item.admdvs or 'national'}) is listed twice, also as entries[{seen[key]}]"
                )
            seen[key] = i
            position[item.type] = position.get(item.type, 0) + 1
            sort = item.sort if item.sort is not None else position[item.type]
            entries.append(
                Entry(item.type, item.value, item.label, item.parent_value, item.admdvs, sort, item.vali_flag)
            )
        values = {(e.type, e.value) for e in entries}
        for i, entry in enumerate(entries):
            if entry.parent_value and (entry.type, entry.parent_value) not in values:
                raise DictionaryDataError(
                    f"entries[{i}]: parent_value {entry.parent_value} is not a value of {entry.type} in this version"
                )
        return cls(parsed.version, parsed.effective_from, tuple(entries), parsed.memo, published_by, published_at)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "memo": self.memo,
            "entries": [e.to_dict() for e in self.entries],
        }

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_type))

    def has_type(self, type_: str) -> bool:
        return type_.lower() in self._by_type

    def query(
        self, type_: str, *, admdvs: str, parent_value: str | None = None, vali_flag: str | None = None
    ) -> list[Entry]:
        """The values of one type in force for `admdvs`, in their order; a local value replaces the
        national (or broader) value of the same type, value and parent."""
        chosen: dict[tuple[str, str], Entry] = {}
        for entry in self._by_type.get(type_.lower(), ()):
            if not entry.applies_to(admdvs):
                continue
            key = (entry.value, entry.parent_value)
            held = chosen.get(key)
            if held is None or entry.reach > held.reach:
                chosen[key] = entry
        found = [
            e
            for e in chosen.values()
            if (parent_value is None or e.parent_value == parent_value)
            and (vali_flag is None or e.vali_flag == vali_flag)
        ]
        return sorted(found, key=lambda e: (e.sort, e.value))

    def summary(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "effective_from": self.effective_from.isoformat(),
            "memo": self.memo,
            "published_by": self.published_by,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "types": len(self._by_type),
            "entries": len(self.entries),
        }


def in_force(versions: list[DictionaryVersion], day: dt.date) -> DictionaryVersion | None:
    """The version in force on `day`: the latest effective_from on or before it (the higher version among equals)."""
    live = [v for v in versions if v.effective_from <= day]
    return max(live, key=lambda v: (v.effective_from, v.version)) if live else None


# ------------------------------------------------------------------ 1901 and 1201 inputs


class DictionaryQuery(_Required):
    """1901 input.data. Deployed HIS software sends parentValue or parent_value, valiFlag, vali_flag or
    vali_Flag (newtouch-cloud/openhis Input_1901.cs, S-117-John/nhis-web Input1901Data.java converted to
    snake case, fengzaiqishi11/hsa-his InsureUnifiedPayRestBOImpl.java); `date` as a date or date-time."""

    type: str
    parent_value: str | None = Field(
        default=None, validation_alias=AliasChoices("parentValue", "parent_value", "parentvalue", "ParentValue")
    )
    admdvs: str | None = Field(default=None, pattern=r"^\d{6}$")
    date: DateTime | None = None
    vali_flag: str | None = Field(
        default=None,
        pattern=r"^[01]$",
        validation_alias=AliasChoices("vali_flag", "valiFlag", "vali_Flag", "valiflag", "ValiFlag"),
    )

    @field_validator("type", mode="after")
    @classmethod
    def _type(cls, value: str) -> str:
        return value.lower()


def refuse_unknown_type(type_: str, version: DictionaryVersion) -> Refused:
    shown = ", ".join(version.types[:12]) + (" ..." if len(version.types) > 12 else "")
    return Refused(
        f"input.data.type {type_} is not a dictionary of version {version.version} (in force from "
        f"{version.effective_from}); send one of: {shown}",
        code="DICTIONARY_TYPE_UNKNOWN",
    )


# 1201: at most this many institutions in one answer, ordered by fixmedins_code; narrow the query
# (fixmedins_code, or more of fixmedins_name) to find one beyond them.
INSTITUTIONS_MAX = 100
HOSPITAL, PHARMACY = "1", "2"  # fixmedins_type 定点医疗机构 / 定点零售药店


class InstitutionQuery(_Required):
    """1201 input.medinsinfo: fixmedins_type (1 hospitals, 2 pharmacies), fixmedins_code (exact),
    fixmedins_name (any part of the name). None of them sent: every institution, up to the bound."""

    fixmedins_type: str | None = None
    fixmedins_code: str | None = None
    fixmedins_name: str | None = None

    @field_validator("fixmedins_code", mode="after")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return value.upper() if value else value


def fixmedins_type_of(hosp_lv: str) -> str:
    """The institution table keeps a hospital's level (1, 2, 3) or "pharmacy"."""
    return PHARMACY if hosp_lv == "pharmacy" else HOSPITAL
