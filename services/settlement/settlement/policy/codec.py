"""Dataclass <-> JSON-able dict, so policies can be stored as versioned JSON rows.

Decimals travel as strings (never floats), dates as ISO strings, tuples as lists.
Decoding is strict: an unknown or missing key is a PolicyDataError, because a typo in
a policy row must not silently fall back to a default.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from .errors import PolicyDataError


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


def from_jsonable(cls: Any, data: Any, where: str = "") -> Any:
    where = where or getattr(cls, "__name__", str(cls))
    origin = typing.get_origin(cls)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(cls) if a is not type(None)]
        if data is None:
            return None
        return from_jsonable(args[0], data, where)
    if origin is tuple:
        item_t = typing.get_args(cls)[0]
        return tuple(from_jsonable(item_t, v, f"{where}[{i}]") for i, v in enumerate(_list(data, where)))
    if origin in (dict, Mapping):
        key_t, val_t = typing.get_args(cls)
        if not isinstance(data, dict):
            raise PolicyDataError(f"{where}: expected an object, got {data!r}")
        return {from_jsonable(key_t, k, where): from_jsonable(val_t, v, f"{where}.{k}") for k, v in data.items()}
    if dataclasses.is_dataclass(cls):
        return _decode_dataclass(cls, data, where)
    if cls is Decimal:
        if isinstance(data, (bool, float)):
            raise PolicyDataError(f"{where}: write {data!r} as a string, floats lose cents")
        try:
            return Decimal(str(data))
        except InvalidOperation as exc:
            raise PolicyDataError(f"{where}: {data!r} is not a number") from exc
    if cls is date:
        try:
            return date.fromisoformat(data)
        except (TypeError, ValueError) as exc:
            raise PolicyDataError(f"{where}: {data!r} is not an ISO date") from exc
    if isinstance(cls, type) and issubclass(cls, Enum):
        try:
            return cls(data)
        except ValueError as exc:
            raise PolicyDataError(f"{where}: {data!r} is not one of {[m.value for m in cls]}") from exc
    if cls in (str, int, bool):
        if not isinstance(data, cls) or (cls is int and isinstance(data, bool)):
            raise PolicyDataError(f"{where}: expected {cls.__name__}, got {data!r}")
        return data
    raise PolicyDataError(f"{where}: cannot decode type {cls!r}")


def _decode_dataclass(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise PolicyDataError(f"{where}: expected an object, got {data!r}")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise PolicyDataError(f"{where}: unknown field(s) {unknown}")
    kwargs = {}
    for name, f in known.items():
        if name in data:
            kwargs[name] = from_jsonable(hints[name], data[name], f"{where}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise PolicyDataError(f"{where}: missing field {name!r}")
    return cls(**kwargs)


def _list(data: Any, where: str) -> list[Any]:
    if not isinstance(data, list):
        raise PolicyDataError(f"{where}: expected a list, got {data!r}")
    return data
