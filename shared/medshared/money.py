"""Money is Decimal, quantized to the cent, rounded half-up once at a documented step."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


class NotMoney(ValueError):
    """A value that cannot be read as an exact amount."""


def to_decimal(value: object) -> Decimal:
    """Read an exact decimal; floats are refused because they already lost the cents."""
    if isinstance(value, (bool, float)):
        raise NotMoney(f"{value!r} is not an exact decimal")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, (int, str)):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise NotMoney(f"{value!r} is not a number") from exc
    else:
        raise NotMoney(f"{value!r} is not a number")
    if not result.is_finite():
        raise NotMoney(f"{value!r} is not a finite number")
    return result


def money(value: object) -> Decimal:
    """round(): half-up to 0.01."""
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """Render an amount the way the national interface prints it: two decimals."""
    return str(money(value))
