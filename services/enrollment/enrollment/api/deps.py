"""Dependencies every admin router shares: the runtime, operator roles, rendering."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import AfterValidator, BeforeValidator
from starlette.datastructures import Headers

from enrollment.db import operator_action
from enrollment.usecases.ports import UnitOfWork
from medshared.limits import Scope
from medshared.money import NotMoney, to_decimal
from medshared.problems import Problem
from medshared.runtime import Runtime
from medshared.security import OperatorCredential, OperatorGate, Role, authenticate_operator


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_uow(request: Request) -> UnitOfWork:
    uow: UnitOfWork = request.app.state.uow
    return uow


# The use cases' unit of work (enrollment.store.SqlUnitOfWork over the runtime).
UowDep = Annotated[UnitOfWork, Depends(get_uow)]


operators = OperatorGate(operator_action)
# Every enrollment surface is desk work; the audit role reads it all and changes nothing.
enrollment_desk = operators.require(Role.ENROLLMENT_DESK)


def _exact(value: Any) -> Decimal:
    try:
        return to_decimal(value)
    except NotMoney as exc:
        raise ValueError('send amounts and rates as decimal strings such as "5000.00" or "0.06"') from exc


Exact = Annotated[Decimal, BeforeValidator(_exact)]

# The national amount format N(16,2): at most 14 digits before the point and 2 after.
MONEY_LIMIT = Decimal("1E14")
# Rates and shares are fractions of a base; six decimals is finer than any published rate.
RATE_PLACES = 6


def _amount(value: Decimal) -> Decimal:
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError('send an amount with at most two decimals, such as "5000.00"')
    if not -MONEY_LIMIT < value < MONEY_LIMIT:
        raise ValueError('send an amount of at most 14 digits before the point (N(16,2)), such as "5000.00"')
    return value


def _rate(value: Decimal) -> Decimal:
    if value.as_tuple().exponent < -RATE_PLACES:  # type: ignore[operator]
        raise ValueError(f'send a rate with at most {RATE_PLACES} decimals, such as "0.06"')
    if not 0 <= value <= 1:
        raise ValueError('send a rate between 0 and 1, such as "0.06" for 6 %')
    return value


# Money in enrollment's REST input: exact, and within N(16,2).
Amount = Annotated[Decimal, BeforeValidator(_exact), AfterValidator(_amount)]
# A rate or share of a base: exact, between 0 and 1.
Rate = Annotated[Decimal, BeforeValidator(_exact), AfterValidator(_rate)]


def may_import(tokens: dict[str, OperatorCredential]) -> Any:
    """For the edge's body limit: only a desk operator's request may send an upload-sized file."""

    def allowed(scope: Scope) -> bool:
        try:
            who = authenticate_operator(tokens, Headers(scope=scope).get("x-operator-token"))
        except Problem:
            return False
        return Role.ENROLLMENT_DESK in who.roles

    return allowed


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
