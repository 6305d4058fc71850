"""Dependencies every admin router shares: the runtime, operator roles, rendering."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Request
from medshared.money import NotMoney, to_decimal
from medshared.runtime import Runtime
from medshared.security import OperatorGate, Role
from pydantic import BeforeValidator

from enrollment.db import operator_action


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


operators = OperatorGate(operator_action)
# Every enrollment surface is desk work; the audit role reads it all and changes nothing.
enrollment_desk = operators.require(Role.ENROLLMENT_DESK)


def _exact(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except NotMoney as exc:
        raise ValueError(
            'send amounts and rates as decimal strings such as "5000.00" or "0.06"'
        ) from exc


Exact = Annotated[Decimal, BeforeValidator(_exact)]


def render(value: dict[str, Any]) -> dict[str, Any]:
    """Decimals as strings ("5000.00") and dates as yyyy-MM-dd: money never passes through float."""
    rendered: dict[str, Any] = _plain(value)
    return rendered


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
