"""JSON that keeps money exact.

simplejson reads JSON numbers straight into Decimal and writes Decimal back as a JSON
number (65.00, not "65.00" and not 65.0), which the standard library cannot do without
passing through float. National amounts are N(16,2) numbers on the wire, so they must
never touch float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import simplejson


def loads(raw: str | bytes) -> Any:
    """Decode JSON; anything undecodable, however deep, raises ValueError like malformed JSON does."""
    try:
        return simplejson.loads(raw, use_decimal=True)
    except RecursionError:
        raise ValueError("the JSON is nested too deeply to read") from None


def _default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _as_text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return _default(value)


def dumps_text_amounts(value: Any) -> str:
    """`dumps`, with every Decimal written as a JSON string ("65.00"), as events carry amounts, and
    tuples, named ones too, as arrays: one pass of the C encoder, no copy of the value."""
    text: str = simplejson.dumps(
        value,
        use_decimal=False,
        namedtuple_as_object=False,
        ensure_ascii=False,
        default=_as_text,
        separators=(",", ":"),
    )
    return text


def dumps(value: Any) -> str:
    text: str = simplejson.dumps(value, use_decimal=True, ensure_ascii=False, default=_default, separators=(",", ":"))
    return text
