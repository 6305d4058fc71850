"""1901 字典表查询: the values of one code table from the dictionary version in force on a date;
1201 医药机构信息获取: designated institutions by type, code or part of the name; and the bureau's
publication of a dictionary version (the operator API, settlement.api.admin_dictionaries)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from medshared.errors import Conflict, Invalid, NotFound
from settlement.domain import dictionaries as dic
from settlement.domain.errors import Refused

from .common import Call, Outcome
from .ports import Store


def query_dictionary(store: Store, call: Call, data: dic.DictionaryQuery) -> Outcome:
    """output.list[]: type, label, value, parent_value, sort, vali_flag, create_user, create_date, version.

    Values national and local to `admdvs` (the calling institution's when not sent); `parentValue`
    narrows to the children of one value (psn_type 11 -> 1101, 1102 ...); `vali_flag` to valid (1)
    or withdrawn (0) values. A type the version does not have is refused, naming it; a known type
    whose filters match nothing answers an empty list."""
    day = data.date.date() if data.date else call.now.date()
    version = store.dictionary_on(day)
    if version is None:
        raise Refused(
            f"no dictionary version is in force on {day}; send input.data.date on or after the first "
            "version's effective_from, or ask the bureau to publish one",
            code="NO_DICTIONARY",
        )
    if not version.has_type(data.type):
        raise dic.refuse_unknown_type(data.type, version)
    entries = version.query(
        data.type,
        admdvs=data.admdvs or call.inst.admdvs,
        parent_value=data.parent_value,
        vali_flag=data.vali_flag,
    )
    return Outcome({"list": [_row(entry, version) for entry in entries]})


def _row(entry: dic.Entry, version: dic.DictionaryVersion) -> dict[str, Any]:
    return {
        "type": entry.type,
        "label": entry.label,
        "value": entry.value,
        "parent_value": entry.parent_value,
        "sort": entry.sort,
        "vali_flag": entry.vali_flag,
        "create_user": version.published_by,
        "create_date": version.effective_from.isoformat(),
        "version": version.version,
    }


def query_institutions(store: Store, call: Call, data: dic.InstitutionQuery) -> Outcome:
    """output.medinsinfo[]: fixmedins_code, fixmedins_name, uscc, fixmedins_type, hosp_lv; public
    information, open to every signed-in institution; at most dic.INSTITUTIONS_MAX, by code."""
    rows = store.designated_institutions(
        fixmedins_type=data.fixmedins_type,
        fixmedins_code=data.fixmedins_code,
        name_part=data.fixmedins_name,
        limit=dic.INSTITUTIONS_MAX,
    )
    return Outcome({"medinsinfo": [_institution(row) for row in rows]})


def _institution(row: Any) -> dict[str, Any]:
    kind = dic.fixmedins_type_of(row.hosp_lv)
    return {
        "fixmedins_code": row.fixmedins_code,
        "fixmedins_name": row.fixmedins_name,
        "uscc": "",  # the platform does not keep the 统一社会信用代码
        "fixmedins_type": kind,
        "hosp_lv": "" if kind == dic.PHARMACY else row.hosp_lv,
    }


# ------------------------------------------------------------------ the operator's side


def publish_dictionary(store: Store, body: Any, operator: str, moment: dt.datetime) -> dic.DictionaryVersion:
    """Validate and store a new version; its number must be new (a published version never changes)."""
    try:
        version = dic.DictionaryVersion.from_dict(body, published_by=operator, published_at=moment)
    except dic.DictionaryDataError as exc:
        raise Invalid("invalid_dictionary", exc.message) from None
    if store.dictionary_version(version.version) is not None:
        raise Conflict(
            "version_exists",
            f"dictionary version {version.version} is already published; publish a new version number",
        )
    store.add_dictionary_version(version)
    return version


def dictionary_versions(store: Store) -> list[dict[str, Any]]:
    return [v.summary() for v in store.dictionary_versions()]


def dictionary_version(store: Store, version: int) -> dict[str, Any]:
    found = store.dictionary_version(version)
    if found is None:
        raise NotFound("dictionary_unknown", f"dictionary version {version} is not published")
    return {**found.summary(), "entries": [e.to_dict() for e in found.entries]}
