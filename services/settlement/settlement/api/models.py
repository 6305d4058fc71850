"""What the settlement operator API takes and answers: catalogue and policy versions, national catalogue
releases, dictionary versions, settlement-list quality-control rules and institutions' monthly statements.

Amounts are decimal strings ("120.50"); dates yyyy-MM-dd; times ISO 8601 (the platform's local time for
statements, as setl_time is). The policy data (catalogues, region and assistance policies) are described
from the very dataclasses that read them (settlement.policy.model), so the schema and the check agree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, cast

from pydantic import BaseModel, Field
from pydantic.config import JsonDict

from medshared.openapi import problem_responses
from settlement.policy.model import AssistancePolicy, Catalogue, RegionPolicy

OPERATOR_ERRORS = problem_responses(401, 403, 422)
READ_ERRORS = problem_responses(404)
PUBLISH_ERRORS = problem_responses(409)

Money = Decimal  # answered as its exact text, e.g. "120.50"
MONEY = "a decimal string with two places, e.g. 120.50"


# ---------------------------------------------------------------- policy data, described from its dataclasses

_DECIMAL_TEXT = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "a decimal as a string, e.g. 0.85"}


def dataclass_schema(cls: Any) -> dict[str, Any]:
    """The JSON Schema of what settlement.policy.codec reads into `cls`: every field, its type, which are
    required (no default) and no other key (the codec refuses unknown keys); decimals as strings."""
    return _schema(cls)


def _schema(cls: Any) -> dict[str, Any]:
    origin = typing.get_origin(cls)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(cls) if a is not type(None)]
        return {"anyOf": [_schema(options[0]), {"type": "null"}]}
    if origin is tuple:
        return {"type": "array", "items": _schema(typing.get_args(cls)[0])}
    if origin in (dict, Mapping):
        return {"type": "object", "additionalProperties": _schema(typing.get_args(cls)[1])}
    if dataclasses.is_dataclass(cls):
        hints = typing.get_type_hints(cls)
        fields = [f for f in dataclasses.fields(cls) if f.init]
        required = [
            f.name for f in fields if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        ]
        name = getattr(cls, "__name__", "object")
        schema: dict[str, Any] = {
            "type": "object",
            "title": name,
            "properties": {f.name: _schema(hints[f.name]) for f in fields},
            "additionalProperties": False,
        }
        if cls.__doc__ and not cls.__doc__.startswith(name + "("):
            schema["description"] = " ".join(cls.__doc__.split())
        if required:
            schema["required"] = required
        return schema
    if cls is Decimal:
        return dict(_DECIMAL_TEXT)
    if cls is dt.date:
        return {"type": "string", "format": "date"}
    if isinstance(cls, type) and issubclass(cls, Enum):
        return {"type": "string", "enum": [m.value for m in cls]}
    return {"type": {str: "string", int: "integer", bool: "boolean"}[cls]}


CATALOGUE_SCHEMA = dataclass_schema(Catalogue)
REGION_POLICY_SCHEMA = dataclass_schema(RegionPolicy)
ASSISTANCE_POLICY_SCHEMA = dataclass_schema(AssistancePolicy)
_POLICY_ONE_OF = cast(JsonDict, {"oneOf": [REGION_POLICY_SCHEMA, ASSISTANCE_POLICY_SCHEMA]})


class PolicyPublication(BaseModel):
    """A policy version to publish: a region's (参保地政策, one insutype and year) or medical assistance's."""

    kind: Literal["region", "assistance"]
    policy: dict[str, Any] = Field(
        description="kind region: a RegionPolicy; kind assistance: an AssistancePolicy",
        json_schema_extra=_POLICY_ONE_OF,
    )


class CatalogueVersion(BaseModel):
    catalogue_id: str
    version: str
    effective_from: str = Field(description="yyyy-MM-dd")
    published_at: str = Field(description="ISO 8601 (UTC)")
    items: int = Field(description="how many national items it holds")


class CataloguePublished(BaseModel):
    catalogue_id: str
    version: str
    effective_from: str = Field(description="yyyy-MM-dd")


class PolicyVersion(BaseModel):
    policy_id: str
    version: str
    kind: str = Field(description="region or assistance")
    admdvs: str
    insutype: str | None = Field(description="region policies: 310 or 390")
    year: int
    effective_from: str = Field(description="yyyy-MM-dd")
    published_at: str = Field(description="ISO 8601 (UTC)")
    policy: dict[str, Any] = Field(description="the policy as published", json_schema_extra=_POLICY_ONE_OF)


class PolicyPublished(BaseModel):
    policy_id: str
    version: str
    kind: str
    effective_from: str = Field(description="yyyy-MM-dd")


# ---------------------------------------------------------------- national catalogue releases (1301-1315)


class CatalogueRelease(BaseModel):
    """One published release (ver) of a national catalogue and what its file held."""

    family: str = Field(description="the infno, e.g. 1301")
    name: str
    ver: str
    ver_name: str | None
    published_at: str = Field(description="yyyyMMddHHmmss (the platform's local time)")
    operator: str
    source: str = Field(description="zip, txt or csv")
    received: int
    accepted: int
    unchanged: int
    rejected: int


class CatalogueFamily(BaseModel):
    infno: str
    name: str
    answer: Literal["page", "file"] = Field(description="page: 13xx answers a page; file: a zip to download")
    columns: list[str] = Field(description="the columns in the national order")
    latest: CatalogueRelease | None


class RejectedRow(BaseModel):
    row: int = Field(description="the row number in the file")
    reason: str


class ReleaseReport(BaseModel):
    """What publishing a file did: accepted (new or changed), unchanged and rejected rows."""

    family: str
    ver: str
    ver_name: str | None
    received: int
    accepted: int
    unchanged: int
    rejected_count: int
    rejected: list[RejectedRow] = Field(description="the first rejected rows, each with its number and reason")
    published: bool


class ReleaseRecords(BaseModel):
    release: CatalogueRelease
    total: int
    offset: int
    records: list[dict[str, str | bool | None]] = Field(
        description="each record's national columns (text, null when empty, times yyyy-MM-dd HH:mm:ss) and "
        "`current`: whether it is still in force"
    )


# ---------------------------------------------------------------- dictionaries (1901)


class DictionarySummary(BaseModel):
    version: int
    effective_from: str = Field(description="yyyy-MM-dd")
    memo: str
    published_by: str
    published_at: str | None = Field(description="ISO 8601 (UTC)")
    types: int = Field(description="how many code tables")
    entries: int = Field(description="how many values")


class DictionaryEntry(BaseModel):
    type: str = Field(description="the national field name, e.g. insutype")
    value: str
    label: str
    parent_value: str
    admdvs: str = Field(description='"" for a national value, else the region it applies to')
    sort: int
    vali_flag: str = Field(description="1 valid, 0 not")


class DictionaryVersion(BaseModel):
    version: int
    effective_from: str = Field(description="yyyy-MM-dd")
    memo: str
    published_by: str
    published_at: str | None = Field(description="ISO 8601 (UTC)")
    types: int
    entries: list[DictionaryEntry]


# ---------------------------------------------------------------- settlement-list quality control (4101)


class QcRule(BaseModel):
    """One quality-control rule of the settlement lists (4101/4101A); `kind` says which keys it needs."""

    id: str = Field(description="1 to 40 letters, digits, '.', '_' or '-'")
    kind: Literal[
        "required",
        "not_empty",
        "one_of",
        "in_catalogue",
        "exactly_one",
        "date_order",
        "fee_summary",
        "fund_payments",
        "equals_settlement",
    ]
    node: str | None = Field(None, description="setlinfo (default) or a row node of the list")
    field: str | None = None
    fields: list[str] | None = None
    values: list[str] | None = None
    value: str | int | None = None
    where: dict[str, list[str]] | None = Field(None, description="a row field -> the values a row must have")
    catalogue: str | None = None
    pattern: str | None = Field(None, description="a regular expression")
    not_before: str | None = None
    not_after: str | None = None
    compare: list[str] | None = None
    account_funds: list[str] | None = None
    settlement: str | None = None
    err_lv: str | None = Field(None, description="1 error (the list is sent back, default), 2 warning")
    visit: str | None = None
    infnos: list[str] | None = Field(None, description="4101 and/or 4101A (default both)")
    hint: str | None = None


class QcRuleSet(BaseModel):
    """A quality-control rule version as the bureau publishes it (and as GET answers it)."""

    version: str = Field(description="1 to 20 letters, digits, '.', '_' or '-'")
    effective_from: str = Field(description="yyyy-MM-dd: lists uploaded from this day are checked against it")
    memo: str | None = None
    rules: list[QcRule] = Field(description="1 to 500 rules, each with its own id")


class QcRuleVersion(BaseModel):
    version: str
    effective_from: str = Field(description="yyyy-MM-dd")
    published_at: str = Field(description="ISO 8601 (UTC)")
    rules: int = Field(description="how many rules it holds")


# ---------------------------------------------------------------- institutions' monthly statements


class Figures(BaseModel):
    """A month's settlements of one institution (or one clr_type of them), reversals netted."""

    setl_cnt: int = Field(description="settlements minus reversals")
    settlements: int = Field(description="lines: settlements and reversals")
    medfee_sumamt: Money = Field(description=MONEY)
    fund_pay_sumamt: Money = Field(description=MONEY)
    acct_pay: Money = Field(description=MONEY)
    psn_cash_pay: Money = Field(description=MONEY)
    owed_amt: Money = Field(description="what the funds owe the institution: fund_pay_sumamt + acct_pay")
    by_fund: dict[str, Money] = Field(description="fund_pay_type -> amount (" + MONEY + ")")


class ClearingApplication(BaseModel):
    """An institution's 3203 clearing application against a statement."""

    clr_appy_evt_id: str
    statement_id: str
    fixmedins_code: str
    month: str = Field(description="yyyy-MM")
    clr_type: str
    clr_way: str | None
    setlym: str | None
    psntime: int
    medfee_sumamt: Money
    med_sumfee: Money
    fund_appy_sum: Money
    cash_payamt: Money
    acct_pay: Money
    begndate: str = Field(description="yyyy-MM-dd")
    enddate: str = Field(description="yyyy-MM-dd")
    status: str = Field(description="applied, revoked or confirmed")
    msgid: str
    applied_at: str | None
    revoked_at: str | None
    version: int


class StatementHead(BaseModel):
    statement_id: str
    fixmedins_code: str
    fixmedins_name: str
    clr_optins: str = Field(description="the clearing region (admdvs)")
    month: str = Field(description="yyyy-MM")
    status: str = Field(description="issued or confirmed")
    confirmable: bool
    setl_cnt: int
    settlements: int
    medfee_sumamt: Money
    fund_pay_sumamt: Money
    acct_pay: Money
    psn_cash_pay: Money
    owed_amt: Money
    by_fund: dict[str, Money]
    by_clr_type: dict[str, Figures] = Field(description="clr_type (11 outpatient, 21 inpatient, 41 pharmacy)")
    generated_at: str | None = Field(description="ISO 8601, the platform's local time")
    generated_by: str
    confirmed_at: str | None
    confirmed_by: str | None
    version: int


class Statement(StatementHead):
    """A statement with the institution's clearing applications."""

    applications: list[ClearingApplication]


class StatementPreview(Figures):
    """A month's figures as they stand now: stored nowhere, never confirmable."""

    statement_id: str | None = Field(description="the statement issued for the month, if any")
    fixmedins_code: str
    fixmedins_name: str
    clr_optins: str
    month: str
    status: Literal["preview"]
    month_closed: bool
    confirmable: Literal[False]
    note: str
    by_clr_type: dict[str, Figures]
