"""The `input` node of each transaction, validated into typed values.

HIS systems send many optional national fields; those we do not use are ignored, but
every field the platform relies on is required and checked, and the error names it.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal
from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from medshared.national import as_text, describe_validation_error, parse_inf_time

from .errors import Refused


def _datetime(value: Any) -> Any:
    """yyyy-MM-dd HH:mm:ss; also the ISO form with a T (C# and Java serialisers), a fraction of a
    second, compact digits, or a date alone (yyyy-MM-dd, yyyy/MM/dd or yyyyMMdd: midnight)."""
    if isinstance(value, str):
        text = value.strip()
        moment = parse_inf_time(text)
        if moment is not None:
            return moment
        for fmt, size in (("%Y-%m-%d", 10), ("%Y/%m/%d", 10), ("%Y%m%d", 8)):
            if len(text) == size:
                try:
                    return dt.datetime.strptime(text, fmt)
                except ValueError:
                    continue
        _no_datetime()
    return value


def _no_datetime() -> Any:
    raise ValueError("must be yyyy-MM-dd HH:mm:ss")


def _date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ValueError("must be yyyy-MM-dd") from None
    return value


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("must be an exact decimal number")
    return value


def _bounded(integer_digits: int, places: int) -> Any:
    """The national N(p,s) bound: at most `integer_digits` digits before the point and `places` after
    (trailing zeros are fine: 12.5000 is 12.50)."""
    limit = Decimal(10) ** integer_digits
    step = Decimal(1).scaleb(-places)

    def check(value: Decimal) -> Decimal:
        if not value.is_finite():
            raise ValueError("must be a finite decimal number")
        if abs(value) >= limit:
            raise ValueError(f"must be below {limit:,} in magnitude (national N({integer_digits + places},{places}))")
        if value != value.quantize(step, rounding=ROUND_DOWN):
            raise ValueError(f"has more than {places} decimal places (national N({integer_digits + places},{places}))")
        return value

    return AfterValidator(check)


DateTime = Annotated[dt.datetime, BeforeValidator(_datetime)]
Date = Annotated[dt.date, BeforeValidator(_date)]
# Money on the national interface is N(16,2); quantities N(16,4); unit prices N(16,6).
Amount = Annotated[Decimal, BeforeValidator(_exact), _bounded(14, 2)]
Quantity = Annotated[Decimal, BeforeValidator(_exact), _bounded(12, 4)]
Price = Annotated[Decimal, BeforeValidator(_exact), _bounded(10, 6)]
Flag = Annotated[str, Field(pattern=r"^[01]$")]


def _wants_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    return get_origin(annotation) in (Union, UnionType) and str in get_args(annotation)


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class _Required(_In):
    """Liberal where the meaning is plain: "" and null mean "not sent"; a number sent for a text
    field (psn_setlway 1, acct_used_flag 0) is its digits as text."""

    @field_validator("*", mode="before")
    @classmethod
    def _liberal(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, str) and value.strip() == "":
            return None
        number = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
        if number and info.field_name is not None and _wants_text(cls.model_fields[info.field_name].annotation):
            return as_text(value)
        return value


class SignIn(_Required):
    opter_no: str
    mac: str | None = None
    ip: str


class SignOut(_Required):
    sign_no: str
    opter_no: str


class PersonQuery(_Required):
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    card_sn: str | None = None
    begntime: DateTime | None = None
    psn_cert_type: str | None = None
    certno: str | None = None
    psn_name: str | None = None


class TreatmentCheck(_Required):
    psn_no: str
    insutype: str
    fixmedins_code: str
    med_type: str
    begntime: DateTime
    endtime: DateTime | None = None
    dise_codg: str | None = None


class Register(_Required):
    psn_no: str
    insutype: str
    begntime: DateTime
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    ipt_otp_no: str
    atddr_no: str
    dr_name: str
    dept_code: str
    dept_name: str
    caty: str


class CancelRegister(_Required):
    psn_no: str
    mdtrt_id: str
    ipt_otp_no: str


class VisitInfo(_Required):
    mdtrt_id: str
    psn_no: str
    med_type: str
    begntime: DateTime
    main_cond_dscr: str | None = None
    dise_codg: str | None = None
    dise_name: str | None = None


class FeeDetail(_Required):
    feedetl_sn: str
    mdtrt_id: str
    psn_no: str
    chrg_bchno: str | None = None
    init_feedetl_sn: str | None = None
    # The national code; a line may leave it out when its own code (medins_list_codg) is mapped with
    # 3301 on the fee day (usecases.fees prices it then with the mapping's code).
    med_list_codg: str | None = None
    medins_list_codg: str
    det_item_fee_sumamt: Amount
    cnt: Quantity
    pric: Price
    fee_ocur_time: DateTime
    bilg_dept_codg: str | None = None  # checked against the departments uploaded with 3401, if any


class CancelFees2205(_Required):
    mdtrt_id: str
    chrg_bchno: str
    psn_no: str


class CancelFees2302(_Required):
    feedetl_sn: str
    mdtrt_id: str
    psn_no: str


class Settle(_Required):
    psn_no: str
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    med_type: str | None = None
    medfee_sumamt: Amount
    psn_setlway: str
    mdtrt_id: str
    insutype: str
    acct_used_flag: Flag
    mid_setl_flag: Flag = "0"
    chrg_bchno: str | None = None
    invono: str | None = None


class Reverse(_Required):
    setl_id: str
    mdtrt_id: str
    psn_no: str


class Admit(_Required):
    psn_no: str
    insutype: str
    begntime: DateTime
    mdtrt_cert_type: str
    mdtrt_cert_no: str
    med_type: str
    ipt_no: str
    atddr_no: str
    chfpdr_name: str
    adm_dept_codg: str
    adm_dept_name: str
    dise_codg: str | None = None
    dise_name: str | None = None


class Discharge(_Required):
    mdtrt_id: str
    psn_no: str
    insutype: str
    endtime: DateTime
    dscg_way: str | None = None


class AdmissionChange(_Required):
    mdtrt_id: str
    psn_no: str
    med_type: str | None = None
    begntime: DateTime | None = None
    dise_codg: str | None = None


class VisitRef(_Required):
    mdtrt_id: str
    psn_no: str


class ReferralFiling(_Required):
    psn_no: str
    diag_code: str
    diag_name: str
    reflin_medins_no: str
    reflin_medins_name: str
    mdtrtarea_admdvs: str
    refl_type: str
    refl_date: Date
    refl_rea: str
    refl_opnn: str


class ChronicFiling(_Required):
    psn_no: str
    insutype: str
    opsp_dise_code: str
    opsp_dise_name: str
    begndate: Date
    enddate: Date | None = None


class CancelFiling(_Required):
    trt_dcla_detl_sn: str
    psn_no: str
    memo: str | None = None


class Reversal(_Required):
    psn_no: str
    omsgid: str
    oinfno: str


class TotalsReconciliation(_Required):
    insutype: str
    clr_type: str
    setl_optins: str
    stmt_begndate: Date
    stmt_enddate: Date
    medfee_sumamt: Amount
    fund_pay_sumamt: Amount
    acct_pay: Amount
    fixmedins_setl_cnt: int


class SettlementQuery(_Required):
    psn_no: str
    setl_id: str
    mdtrt_id: str


class CumulativeQuery(_Required):
    psn_no: str
    cum_ym: str | None = Field(default=None, pattern=r"^\d{6}$")


M = TypeVar("M", bound=BaseModel)


def read(model: type[M], node: Any, where: str) -> M:
    """Validate one input node, or refuse naming the field and what it must be."""
    if not isinstance(node, dict):
        raise Refused(f"{where} must be an object", code="INPUT_INVALID")
    try:
        return model.model_validate(node)
    except ValidationError as exc:
        parts = describe_validation_error(exc).split("; ")
        raise Refused("; ".join(f"{where}.{p}" for p in parts), code="INPUT_INVALID") from None


def read_list(model: type[M], node: Any, where: str) -> list[M]:
    if isinstance(node, dict):
        node = [node]  # one line sent as an object rather than a list of one: unambiguous
    if not isinstance(node, list) or not node:
        raise Refused(f"{where} must be a non-empty list", code="INPUT_INVALID")
    return [read(model, item, f"{where}[{i}]") for i, item in enumerate(node)]
