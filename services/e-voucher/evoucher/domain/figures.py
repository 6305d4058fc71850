"""The rates the bureaus report, per pool."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def rate(numerator: int, denominator: int) -> Decimal | None:
    """A share to four decimals (0.1234 = 12.34 %), or None when there is nothing to divide by."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
