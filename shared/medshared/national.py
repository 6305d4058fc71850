"""The national message envelope (入参/出参公共报文) and the TIF gateway signature.

Field names are the national ones, verbatim. Validation errors are turned into one
sentence a hospital clerk can act on, naming the field and what it must look like.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
import hashlib
import hmac
import re
import secrets
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from medshared import jsonutil

INF_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
MAX_INPUT_CHARS = 40_000

_ADMDVS = re.compile(r"^\d{6}$")
_INFNO = re.compile(r"^\d{4}[A-Z]?$")
_MSGID_TAIL = re.compile(r"^\d{14}\d{4}$")


class EnvelopeError(ValueError):
    """The envelope itself is unusable; the message says which field and why."""


class NationalRequest(BaseModel):
    """入参公共报文. Unknown top-level fields are refused so typos surface at once."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    infno: str = Field(description="交易编号, e.g. 2207")
    msgid: str = Field(description="fixmedins_code + yyyyMMddHHmmss + 4-digit sequence (30 chars)")
    mdtrtarea_admvs: str = Field(description="就医地医保区划 (6 digits)")
    insuplc_admdvs: str = Field(default="", description="参保地医保区划 (6 digits when input carries psn_no)")
    recer_sys_code: str = Field(description="接收方系统代码, YBXT normally")
    dev_no: str = ""
    dev_safe_info: str = ""
    cainfo: str = ""
    signtype: str = ""
    infver: str = Field(description="接口版本号, e.g. V1.0")
    opter_type: str = Field(description="经办人类别: 1 staff, 2 self-service, 3 mobile")
    opter: str
    opter_name: str
    inf_time: str = Field(description="交易时间 yyyy-MM-dd HH:mm:ss")
    fixmedins_code: str
    fixmedins_name: str
    sign_no: str = ""
    input: dict[str, Any] = Field(default_factory=dict)

    @field_validator("infno")
    @classmethod
    def _infno(cls, v: str) -> str:
        if not _INFNO.match(v):
            raise ValueError("must be a 4-digit transaction code such as 2207 (optionally with a letter, 2203A)")
        return v

    @field_validator("mdtrtarea_admvs")
    @classmethod
    def _mdtrtarea(cls, v: str) -> str:
        if not _ADMDVS.match(v):
            raise ValueError("must be the 6-digit admdvs of the place of treatment")
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
        if v not in {"1", "2", "3"}:
            raise ValueError("must be 1 (staff), 2 (self-service terminal) or 3 (mobile terminal)")
        return v

    @field_validator("inf_time")
    @classmethod
    def _inf_time(cls, v: str) -> str:
        try:
            dt.datetime.strptime(v, INF_TIME_FORMAT)
        except ValueError:
            raise ValueError("must be yyyy-MM-dd HH:mm:ss") from None
        return v

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

    @model_validator(mode="after")
    def _msgid_shape(self) -> NationalRequest:
        code = self.fixmedins_code
        if len(self.msgid) != 30 or not self.msgid.startswith(code) or not _MSGID_TAIL.match(self.msgid[len(code) :]):
            raise ValueError(
                f"msgid must be 30 characters: fixmedins_code {code} + yyyyMMddHHmmss + a 4-digit sequence "
                f"(got {self.msgid!r})"
            )
        return self

    @property
    def inf_datetime(self) -> dt.datetime:
        return dt.datetime.strptime(self.inf_time, INF_TIME_FORMAT)


def parse_request(body: Any) -> NationalRequest:
    """Validate a decoded envelope, or raise EnvelopeError with one actionable sentence."""
    if not isinstance(body, dict):
        raise EnvelopeError("the request body must be a JSON object holding the national envelope")
    try:
        size = input_chars(body.get("input"))
    except RecursionError:
        raise EnvelopeError("input is nested too deeply; send the national input structure as documented") from None
    if size > MAX_INPUT_CHARS:
        raise EnvelopeError(
            f"input is {size} characters; the national interface accepts at most {MAX_INPUT_CHARS}: "
            "send fewer fee lines per call (split a long 2204/2301 upload into several)"
        )
    try:
        return NationalRequest.model_validate(body)
    except ValidationError as exc:
        raise EnvelopeError(describe_validation_error(exc)) from None


def input_chars(value: Any) -> int:
    """Length of `input` as compact JSON, so the limit does not depend on how the HIS spaced or escaped it."""
    return 0 if value is None else len(jsonutil.dumps(value))


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            parts.append(f"{loc}: not a field of the national envelope")
        elif kind == "missing":
            parts.append(f"{loc}: is required")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            parts.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(parts)


def now_17(moment: dt.datetime | None = None) -> str:
    """yyyyMMddHHmmssSSS, the response time format."""
    moment = moment or dt.datetime.now()
    return moment.strftime("%Y%m%d%H%M%S") + f"{moment.microsecond // 1000:03d}"


def new_refmsgid(admdvs: str, moment: dt.datetime | None = None) -> str:
    """inf_refmsgid: receiver admdvs(6) + yyyyMMddHHmmss(14) + serial(10)."""
    moment = moment or dt.datetime.now()
    return f"{admdvs}{moment:%Y%m%d%H%M%S}{secrets.randbelow(10**10):010d}"


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


def gateway_signature(timestamp: str, token: str, nonce: str) -> str:
    """x-tif-signature = lowercase hex sha256(timestamp + token + nonce + timestamp)."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


def signature_matches(signature: str, timestamp: str, token: str, nonce: str) -> bool:
    return hmac.compare_digest(signature.lower(), gateway_signature(timestamp, token, nonce))


MAX_NONCE_LENGTH = 64


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
        if not self.timestamp.isdigit():
            raise GatewayRefused("x-tif-timestamp must be Unix seconds")

    def verify(self, token: str, *, max_skew_seconds: int, now: float | None = None) -> None:
        import time

        current = time.time() if now is None else now
        if abs(current - int(self.timestamp)) > max_skew_seconds:
            raise GatewayRefused("x-tif-timestamp is too far from the platform clock; check the HIS clock and sign again")
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
