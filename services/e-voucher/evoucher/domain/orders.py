"""Mobile-payment orders (6201/6202/6203/6301): the input rules and the state machine.

An order moves created -> authorised -> settling -> settled -> paying -> paid. If the charge
fails after the settlement went through, it goes paying -> compensating -> failed (the
settlement is reversed), so the hospital only ever sees "settled and paid" or "nothing".
A refund goes paid -> refunding -> refunded. Every state is stored, so a process that stops
half-way resumes from the stored state.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from evoucher.domain.errors import Conflict, Invalid
from medshared.money import NotMoney, to_decimal

CREATED = "created"
AUTHORISED = "authorised"
SETTLING = "settling"
SETTLED = "settled"
PAYING = "paying"
PAID = "paid"
COMPENSATING = "compensating"
FAILED = "failed"
REFUNDING = "refunding"
REFUNDED = "refunded"

# Statuses the order worker drives forward without anyone asking.
IN_FLIGHT = (SETTLING, SETTLED, PAYING, COMPENSATING, REFUNDING)
# Statuses the HIS is called back about.
FINAL = (PAID, FAILED, REFUNDED)

_NEXT: dict[str, set[str]] = {
    CREATED: {AUTHORISED},
    AUTHORISED: {AUTHORISED, SETTLING},
    SETTLING: {SETTLED, FAILED},
    SETTLED: {PAYING, PAID},
    PAYING: {PAID, COMPENSATING},
    COMPENSATING: {FAILED},
    PAID: {REFUNDING},
    REFUNDING: {REFUNDED},
    FAILED: set(),
    REFUNDED: set(),
}

# ordStas as the HIS reads it.
ORD_STAS = {
    CREATED: ("0", "已保存"),
    AUTHORISED: ("1", "已授权"),
    SETTLING: ("2", "结算中"),
    SETTLED: ("2", "结算中"),
    PAYING: ("2", "结算中"),
    COMPENSATING: ("2", "结算中"),
    PAID: ("6", "结算完成"),
    REFUNDING: ("2", "退款中"),
    REFUNDED: ("7", "已退款"),
    FAILED: ("15", "结算失败"),
}


def advance(current: str, target: str) -> str:
    if target not in _NEXT[current]:
        raise Conflict("order_state", f"the order is {current}; it cannot become {target}")
    return target


# Steps of the settlement conversation; the digit ends the msgid so a retry reuses it.
STEP_SIGN_IN, STEP_2201, STEP_2203, STEP_2204, STEP_2206, STEP_2207, STEP_2208 = range(7)


def order_msgid(fixmedins_code: str, created_at: dt.datetime, serial: int, step: int) -> str:
    """fixmedins_code + yyyyMMddHHmmss of the order + 3 digits of its serial + the step.

    Two orders of one institution share a msgid only if a thousand were created in one second.
    """
    return f"{fixmedins_code}{created_at:%Y%m%d%H%M%S}{serial % 1000:03d}{step}"


_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake(name: str) -> str:
    """feedetlSn -> feedetl_sn: 6201 is camelCase, the settlement interface snake_case."""
    return _CAMEL.sub(r"_\1", name).lower()


@dataclass(frozen=True)
class OrderRequest:
    med_org_ord: str
    insutype: str
    med_type: str
    medfee_sumamt: Decimal
    acct_used_flag: str
    callback_url: str
    ec_token: str
    id_no: str
    user_name: str
    visit: dict[str, str]
    diseinfo: list[dict[str, Any]]
    feedetail: list[dict[str, Any]]


_VISIT_FIELDS = ("iptOtpNo", "atddrNo", "drName", "deptCode", "deptName", "caty")


# --- callbacks to the HIS ---------------------------------------------------------------------

MAX_CALLBACK_URL = 500
_DEFAULT_PORTS = {"http": 80, "https": 443}


def callback_origin(url: str, field: str = "input.data.callbackUrl") -> str:
    """scheme://host[:port] of an http(s) URL, lower-cased, default port left out; Invalid otherwise."""
    shown = url if len(url) <= 80 else url[:80] + "..."
    if len(url) > MAX_CALLBACK_URL:
        raise Invalid("callback_url", f"{field} must be at most {MAX_CALLBACK_URL} characters (got {len(url)})")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise Invalid(
            "callback_url", f"{field} {shown!r} is not a URL; send e.g. https://his.example.org/notify"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise Invalid("callback_url", f"{field} {shown!r} must be an http(s) URL the platform can call back")
    if parts.username is not None or parts.password is not None:
        raise Invalid("callback_url", f"{field} must not carry a user name or password")
    host = parts.hostname.lower()
    host = f"[{host}]" if ":" in host else host
    port = port or _DEFAULT_PORTS[scheme]
    return f"{scheme}://{host}" if port == _DEFAULT_PORTS[scheme] else f"{scheme}://{host}:{port}"


def check_callback_registered(origin: str, registered: list[str], fixmedins_code: str) -> None:
    if origin in registered:
        return
    known = ", ".join(sorted(registered)) or "none yet"
    raise Invalid(
        "callback_url",
        f"input.data.callbackUrl is on {origin}, which is not registered for {fixmedins_code} (registered: {known}); "
        f"send a callbackUrl on a registered origin, or ask the bureau to register {origin}",
    )


@dataclass(frozen=True)
class CallbackPolicy:
    """How often an unacknowledged callback is tried: exponential backoff, a bounded number of times."""

    max_attempts: int = 8
    backoff_seconds: float = 2.0
    backoff_max_seconds: float = 600.0

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed try: 2, 4, 8 ... at most backoff_max_seconds."""
        return float(min(self.backoff_max_seconds, self.backoff_seconds * 2 ** min(attempts - 1, 30)))

    def exhausted(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


def parse_6201(data: Any) -> OrderRequest:
    """Validate a 6201 `data` node; amounts must add up to the lines, or nothing is stored."""
    if not isinstance(data, dict):
        raise Invalid("input", "input.data must be an object holding the order (6201)")
    missing = [
        f
        for f in ("medOrgOrd", "insutype", "medType", "medfeeSumamt", "callbackUrl", *_VISIT_FIELDS)
        if not data.get(f)
    ]
    if missing:
        raise Invalid("input", f"input.data is missing {', '.join(missing)}")
    if not (data.get("ecToken") or (data.get("idNo") and data.get("userName"))):
        raise Invalid("input", "input.data must name the patient: ecToken from the decode, or idNo with userName")
    if len(str(data["medOrgOrd"])) > MAX_MED_ORG_ORD:
        raise Invalid("input", f"input.data.medOrgOrd must be at most {MAX_MED_ORG_ORD} characters")
    url = str(data["callbackUrl"]).strip()
    callback_origin(url)
    total = _amount(data["medfeeSumamt"], "medfeeSumamt")
    lines = data.get("feedetailList")
    if not isinstance(lines, list) or not lines:
        raise Invalid("input", "input.data.feedetailList must list the fee lines of the order")
    feedetail = []
    line_sum = Decimal("0.00")
    for index, line in enumerate(lines):
        if not isinstance(line, dict):
            raise Invalid("input", f"feedetailList[{index}] must be an object")
        for field in ("feedetlSn", "medListCodg", "medinsListCodg", "detItemFeeSumamt", "cnt", "pric"):
            if line.get(field) in (None, ""):
                raise Invalid("input", f"feedetailList[{index}].{field} is required")
        amount = _amount(line["detItemFeeSumamt"], f"feedetailList[{index}].detItemFeeSumamt")
        _number(line["cnt"], f"feedetailList[{index}].cnt", CNT)
        _number(line["pric"], f"feedetailList[{index}].pric", PRIC)
        line_sum += amount
        feedetail.append({snake(k): v for k, v in line.items()})
    if line_sum != total:
        raise Invalid(
            "input", f"medfeeSumamt {total} does not equal the sum of feedetailList ({line_sum}); correct the order"
        )
    diseinfo = [{snake(k): v for k, v in d.items()} for d in data.get("diseinfoList") or [] if isinstance(d, dict)]
    return OrderRequest(
        med_org_ord=str(data["medOrgOrd"]),
        insutype=str(data["insutype"]),
        med_type=str(data["medType"]),
        medfee_sumamt=total,
        acct_used_flag=str(data.get("acctUsedFlag") or "0"),
        callback_url=url,
        ec_token=str(data.get("ecToken") or ""),
        id_no=str(data.get("idNo") or ""),
        user_name=str(data.get("userName") or ""),
        visit={snake(f): str(data[f]) for f in _VISIT_FIELDS},
        diseinfo=diseinfo,
        feedetail=feedetail,
    )


MAX_MED_ORG_ORD = 64


@dataclass(frozen=True)
class NationalNumber:
    """N(precision, scale) of the national interface: at most precision digits, scale of them decimals."""

    precision: int
    scale: int
    example: str
    noun: str = "a number"

    @property
    def limit(self) -> Decimal:
        return Decimal(10) ** (self.precision - self.scale)

    @property
    def largest(self) -> str:
        return f"{'9' * (self.precision - self.scale)}.{'9' * self.scale}"


AMOUNT = NationalNumber(16, 2, "65.00", "an amount")  # every amount
CNT = NationalNumber(16, 4, "2")
PRIC = NationalNumber(16, 6, "32.5")


def _number(value: Any, field: str, kind: NationalNumber) -> Decimal:
    """An exact number within N(p,s) and greater than zero, or Invalid naming the field.

    The range is checked before anything is rounded or stored: a value such as 1e400 or one of
    61 digits cannot be quantised at all, and would not fit the Numeric(16,2) column.
    """
    try:
        number = to_decimal(value)
    except NotMoney:
        raise Invalid("input", f"{field} must be {kind.noun} such as {kind.example}") from None
    if number.copy_abs() >= kind.limit:
        raise Invalid("input", f"{field} must be at most {kind.largest}, the national N({kind.precision},{kind.scale})")
    step = Decimal(1).scaleb(-kind.scale)
    if number != number.quantize(step):
        raise Invalid(
            "input", f"{field} has more than {kind.scale} decimals; send it as N({kind.precision},{kind.scale})"
        )
    if number <= 0:
        raise Invalid("input", f"{field} must be greater than zero")
    return number.quantize(step)


def _amount(value: Any, field: str) -> Decimal:
    return _number(value, field, AMOUNT)
