"""The national message envelope (入参/出参公共报文) and the TIF gateway signature.

Field names are the national ones, verbatim. Validation errors are turned into one
sentence a hospital clerk can act on, naming the field and what it must look like.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from medshared import jsonutil

INF_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_INPUT_CHARS = 40_000
# The msgid is the idempotency key: unique per sender is all that matters. Deployed HIS software
# sends 20 to 36 characters (fixmedins_code + time + sequence, unpadded or with milliseconds, without
# the institution code, UUIDs); 64 leaves room and is what the platform stores.
MSGID_MAX_LENGTH = 64

_ADMDVS = re.compile(r"^\d{6}$")
_INFNO = re.compile(r"^\d{4,6}[A-Z]?$")
_INF_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d%H%M%S", "%Y/%m/%d %H:%M:%S")
# Envelope fields later editions and provinces add; counted by name, anything else as "other".
KNOWN_EXTRA_FIELDS = frozenset(
    {"fixmedins_soft_fcty", "recer_admdvs", "app_id", "enc_type", "enctype", "serv_code", "inf_refmsgid"}
)


class EnvelopeError(ValueError):
    """The envelope itself is unusable; the message says which field and why."""


def as_text(value: Any) -> Any:
    """A scalar sent as a number where the spec types text (opter_type 1, infno 2207): its digits as text.

    Decimals keep their written digits ("1.0000" stays 1.0000), never an exponent; bools and
    containers are left for the model to refuse.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, float):
        return repr(value)
    return value


def _text_or_empty(value: Any) -> Any:
    return "" if value is None else as_text(value)


Text = Annotated[str, BeforeValidator(as_text)]
OptionalText = Annotated[str, BeforeValidator(_text_or_empty)]


class NationalRequest(BaseModel):
    """入参公共报文. Fields the spec does not list (later editions, local additions) are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    infno: Text = Field(description="交易编号, e.g. 2207")
    msgid: Text = Field(description=f"报文ID: unique per sender, printable, at most {MSGID_MAX_LENGTH} characters")
    mdtrtarea_admvs: Text = Field(description="就医地医保区划 (6 digits)")
    insuplc_admdvs: OptionalText = Field(default="", description="参保地医保区划 (6 digits when input carries psn_no)")
    recer_sys_code: Text = Field(description="接收方系统代码, YBXT normally")
    dev_no: OptionalText = ""
    dev_safe_info: OptionalText = ""
    cainfo: OptionalText = ""
    signtype: OptionalText = ""
    infver: Text = Field(description="接口版本号, e.g. V1.0")
    opter_type: Text = Field(description="经办人类别: 1 staff, 2 self-service, 3 mobile")
    opter: Text
    opter_name: Text
    inf_time: Text = Field(description="交易时间 yyyy-MM-dd HH:mm:ss")
    fixmedins_code: Text
    fixmedins_name: Text
    sign_no: OptionalText = ""
    input: dict[str, Any] = Field(default_factory=dict)

    @field_validator("input", mode="before")
    @classmethod
    def _input(cls, v: Any) -> Any:
        if v is None or v == "":
            return {}
        if isinstance(v, str) and v.strip() in ("{}", "null"):
            return {}
        if isinstance(v, str):
            # Some HIS software sends `input` as a JSON string: unambiguous when it holds an object.
            try:
                decoded = jsonutil.loads(v)
            except ValueError:
                raise ValueError(
                    "must be the transaction's input object (a JSON object, or that object as a JSON string)"
                ) from None
            if isinstance(decoded, dict):
                return decoded
        if not isinstance(v, dict):
            raise ValueError('must be the transaction\'s input object, e.g. {"data": {...}}')
        return v

    @field_validator("infno")
    @classmethod
    def _infno(cls, v: str) -> str:
        v = v.upper()
        if not _INFNO.match(v):
            raise ValueError("must be a transaction code such as 2207 (4 digits, optionally with a letter: 2203A)")
        return v

    @field_validator("msgid")
    @classmethod
    def _msgid(cls, v: str) -> str:
        if not v or len(v) > MSGID_MAX_LENGTH or not v.isprintable():
            raise ValueError(
                f"must be a printable message id of 1 to {MSGID_MAX_LENGTH} characters, unique for every "
                "request you send, e.g. fixmedins_code + yyyyMMddHHmmss + a 4-digit sequence"
            )
        return v

    @field_validator("mdtrtarea_admvs")
    @classmethod
    def _mdtrtarea(cls, v: str) -> str:
        if not _ADMDVS.match(v):
            raise ValueError("must be the 6-digit admdvs of the place of treatment, e.g. 540100")
        return v

    @field_validator("insuplc_admdvs")
    @classmethod
    def _insuplc(cls, v: str) -> str:
        if v and not _ADMDVS.match(v):
            raise ValueError("must be the person's 6-digit insured admdvs from 1101 insuinfo")
        return v

    @field_validator("opter_type")
    @classmethod
    def _opter_type(cls, v: str) -> str:
        v = v.lstrip("0") if v.strip("0") else v
        if v not in {"1", "2", "3"}:
            raise ValueError("must be 1 (staff), 2 (self-service terminal) or 3 (mobile terminal)")
        return v

    @field_validator("inf_time")
    @classmethod
    def _inf_time(cls, v: str) -> str:
        moment = parse_inf_time(v)
        if moment is None:
            raise ValueError("must be the time of the call as yyyy-MM-dd HH:mm:ss")
        return moment.strftime(INF_TIME_FORMAT)

    @field_validator("fixmedins_code")
    @classmethod
    def _fixmedins(cls, v: str) -> str:
        if not v or len(v) > 30:
            raise ValueError("must be the institution's code (定点医药机构编号), at most 30 characters")
        return v

    @field_validator("recer_sys_code", "infver", "opter", "opter_name", "fixmedins_name")
    @classmethod
    def _required_text(cls, v: str) -> str:
        if not v:
            raise ValueError("is required")
        return v

    @property
    def inf_datetime(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.inf_time)  # validated to INF_TIME_FORMAT


# Envelope fields by their spec names: a class attribute pydantic serves through a descriptor on each access.
_ENVELOPE_FIELDS = frozenset(NationalRequest.model_fields)
_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d", re.ASCII)


def parse_inf_time(text: str) -> dt.datetime | None:
    """yyyy-MM-dd HH:mm:ss, also with a T, slashes, no separators or a fraction of a second."""
    text = text.strip().split(".")[0]
    if _CANONICAL_TIME.fullmatch(text):  # what nearly every call sends, read without strptime
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:  # 2026-02-30: no such day
            return None
    for fmt in _INF_TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def parse_request(body: Any, *, infno: str | None = None) -> NationalRequest:
    """Validate a decoded envelope, or raise EnvelopeError with one actionable sentence.

    `infno` is the transaction code a client put in the path (…/callService/2207): it fills a
    missing `infno` and must agree with one that is present.
    """
    if not isinstance(body, dict):
        raise EnvelopeError("the request body must be a JSON object holding the national envelope")
    body = _known_keys_any_case(body)
    if infno is not None:
        sent = as_text(body.get("infno"))
        if sent in (None, ""):
            body = dict(body, infno=infno)
        elif str(sent).upper() != infno.upper():
            raise EnvelopeError(f"infno: the body says {sent} but the path says {infno}; send one transaction code")
    try:
        size = input_chars(body.get("input"))
    except RecursionError:
        raise EnvelopeError("input is nested too deeply; send the national input structure as documented") from None
    if size > MAX_INPUT_CHARS:
        raise EnvelopeError(
            f"input is {size} characters; the national interface accepts at most {MAX_INPUT_CHARS}: "
            "send fewer rows per call (split a long 2204/2301 or 3301 upload into several)"
        )
    try:
        return NationalRequest.model_validate(body)
    except ValidationError as exc:
        raise EnvelopeError(describe_validation_error(exc)) from None


def _known_keys_any_case(body: dict[str, Any]) -> dict[str, Any]:
    """`Input` or `MSGID` for `input` or `msgid`: the spec's field, whatever its case, unless it was also sent."""
    odd = [
        key for key in body if isinstance(key, str) and key not in _ENVELOPE_FIELDS and key.lower() in _ENVELOPE_FIELDS
    ]
    if not odd:
        return body
    fixed = dict(body)
    for key in odd:
        if key.lower() not in fixed:
            fixed[key.lower()] = fixed.pop(key)
    return fixed


def extra_fields(body: Any) -> list[str]:
    """Envelope fields the spec does not list, named when known and otherwise "other" (for a metric)."""
    if not isinstance(body, dict):
        return []
    extra = [key for key in body if key not in _ENVELOPE_FIELDS]
    return [key if key in KNOWN_EXTRA_FIELDS else "other" for key in extra]


def input_chars(value: Any) -> int:
    """Length of `input` as compact JSON, so the limit does not depend on how the HIS spaced or escaped it."""
    return 0 if value is None else len(jsonutil.dumps(value))


# What to send, in a clerk's words, for each kind of value pydantic found wrong.
_WHAT_TO_SEND = {
    "missing": "is required",
    "string_type": "must be text",
    "string_too_long": "is too long",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "decimal_parsing": "must be a decimal number such as 12.50",
    "decimal_type": "must be a decimal number such as 12.50",
    "decimal_max_digits": "has too many digits",
    "decimal_max_places": "has too many decimal places",
    "decimal_whole_digits": "has too many digits before the decimal point",
    "finite_number": "must be a finite decimal number",
    "datetime_parsing": "must be yyyy-MM-dd HH:mm:ss",
    "datetime_type": "must be yyyy-MM-dd HH:mm:ss",
    "datetime_from_date_parsing": "must be yyyy-MM-dd HH:mm:ss",
    "date_parsing": "must be yyyy-MM-dd",
    "date_type": "must be yyyy-MM-dd",
    "date_from_datetime_parsing": "must be yyyy-MM-dd",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "list_type": "must be a list",
    "bool_type": "must be 0 or 1",
    "bool_parsing": "must be 0 or 1",
}


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        got = err.get("input")
        if kind == "string_type" and got is None:
            kind = "missing"
        shown = "" if kind == "missing" or isinstance(got, (dict, list)) else f" (got {_shown(got)})"
        if kind in ("value_error", "assertion_error"):
            msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
            parts.append(f"{loc}: {msg}{shown}" if loc else msg)
        elif kind == "string_pattern_mismatch":
            parts.append(f"{loc}: {_pattern_hint(err)}{shown}")
        elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
            ctx = err.get("ctx", {})
            bound = next(iter(ctx.values()), "")
            word = {
                "greater_than_equal": "at least",
                "less_than_equal": "at most",
                "greater_than": "more than",
                "less_than": "less than",
            }[kind]
            parts.append(f"{loc}: must be {word} {bound}{shown}")
        else:
            parts.append(f"{loc}: {_WHAT_TO_SEND.get(kind, 'is not a usable value')}{shown}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _pattern_hint(err: Any) -> str:
    pattern = str(err.get("ctx", {}).get("pattern", ""))
    if pattern == r"^[01]$":
        return "must be 0 or 1"
    if pattern == r"^\d{6}$":
        return "must be 6 digits"
    return "is not in the form the spec gives for this field"


def now_17(moment: dt.datetime | None = None) -> str:
    """yyyyMMddHHmmssSSS, the response time format."""
    moment = moment or dt.datetime.now()
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def new_refmsgid(admdvs: str, moment: dt.datetime | None = None) -> str:
    """inf_refmsgid: receiver admdvs(6) + yyyyMMddHHmmss(14) + serial(10)."""
    moment = moment or dt.datetime.now()
    return f"{admdvs}{moment:%Y%m%d%H%M%S}{secrets.randbelow(10**10):010d}"


def page_frame(total: int, size: int, page_num: int, page_size: int) -> dict[str, Any]:
    """The paging fields of a paged national answer (13xx, 1316/1317, 4104: the platform's PageHelper
    shape clients read, e.g. openhis Output_1312.cs); the answer adds its rows as `data`."""
    pages = (total + page_size - 1) // page_size
    start = (page_num - 1) * page_size + 1 if size else 0
    return {
        "pageNum": page_num,
        "pageSize": page_size,
        "size": size,
        "startRow": start,
        "endRow": start + size - 1 if size else 0,
        "pages": pages,
        "recordCounts": total,
        "firstPage": page_num == 1,
        "lastPage": page_num >= pages,
    }


def response(
    *,
    admdvs: str,
    received: dt.datetime,
    output: Any = None,
    err_msg: str | None = None,
    warn_msg: str | None = None,
) -> dict[str, Any]:
    """出参公共报文: infcode 0 with output, or -1 with err_msg."""
    return {
        "infcode": 0 if err_msg is None else -1,
        "inf_refmsgid": new_refmsgid(admdvs),
        "refmsg_time": now_17(received),
        "respond_time": now_17(),
        "err_msg": err_msg,
        "warn_msg": warn_msg,
        "cainfo": None,
        "signtype": None,
        "output": output if err_msg is None else None,
    }


def refusal(exc: Exception, *, admdvs: str, received: dt.datetime) -> dict[str, Any]:
    """A refused national call (a DomainError or any error with `.message`): infcode -1 with its sentence."""
    return response(admdvs=admdvs, received=received, err_msg=str(getattr(exc, "message", exc)))


def gateway_signature(timestamp: str, token: str, nonce: str) -> str:
    """x-tif-signature = lowercase hex sha256(timestamp + token + nonce + timestamp)."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


def signature_matches(signature: str, timestamp: str, token: str, nonce: str) -> bool:
    return hmac.compare_digest(signature.lower(), gateway_signature(timestamp, token, nonce))


MAX_NONCE_LENGTH = 64
_UNIX_SECONDS = re.compile(r"[0-9]{1,12}")


class GatewayRefused(ValueError):
    """The x-tif headers do not prove who is calling; the message names the header to fix."""


class GatewayHeaders:
    """The TIF gateway headers of one call: read them, then verify them against the caller's token.

    Which token belongs to a paasid, and whether a nonce was seen before, are each service's
    own business (its credential table and its nonce store).
    """

    def __init__(self, headers: Mapping[str, str]) -> None:
        self.paasid = headers.get("x-tif-paasid", "")
        self.timestamp = headers.get("x-tif-timestamp", "")
        self.nonce = headers.get("x-tif-nonce", "")
        self.signature = headers.get("x-tif-signature", "")
        if not (self.paasid and self.timestamp and self.nonce and self.signature):
            raise GatewayRefused(
                "the gateway headers x-tif-paasid, x-tif-timestamp, x-tif-nonce and x-tif-signature are all required"
            )
        if len(self.nonce) > MAX_NONCE_LENGTH:
            raise GatewayRefused(f"x-tif-nonce must be at most {MAX_NONCE_LENGTH} characters")
        if not _UNIX_SECONDS.fullmatch(self.timestamp):
            raise GatewayRefused("x-tif-timestamp must be Unix seconds in ASCII digits, e.g. 1764633600")

    def verify(self, token: str, *, max_skew_seconds: int, now: float | None = None) -> None:
        import time

        current = time.time() if now is None else now
        if abs(current - int(self.timestamp)) > max_skew_seconds:
            raise GatewayRefused(
                "x-tif-timestamp is too far from the platform clock; check the HIS clock and sign again"
            )
        if not signature_matches(self.signature, self.timestamp, token, self.nonce):
            raise GatewayRefused("x-tif-signature does not match: sign sha256(timestamp + token + nonce + timestamp)")


def gateway_headers(paasid: str, token: str, *, now: float | None = None) -> dict[str, str]:
    """Headers a HIS sends; used by integrators' scripts and by tests."""
    import time

    timestamp = str(int(now if now is not None else time.time()))
    nonce = secrets.token_hex(16)
    return {
        "x-tif-paasid": paasid,
        "x-tif-timestamp": timestamp,
        "x-tif-nonce": nonce,
        "x-tif-signature": gateway_signature(timestamp, token, nonce),
    }
