"""Payment providers that charge the self-paid part of a mobile-payment order.

A provider confirms asynchronously: `charge` only starts a charge, `status` tells later
whether it succeeded. Both are idempotent by the caller's key (the pay order id), so a
resumed order never charges twice.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

PROCESSING = "processing"
SUCCEEDED = "succeeded"
FAILED = "failed"
REFUNDED = "refunded"


@dataclass(frozen=True)
class Charge:
    charge_id: str
    amount: Decimal
    status: str
    reason: str = ""


class PaymentProvider(Protocol):
    def charge(self, key: str, amount: Decimal, description: str) -> Charge: ...

    def status(self, charge_id: str) -> Charge: ...

    def refund(self, charge_id: str) -> Charge: ...


class LocalPaymentProvider:
    """Behaves like a real provider for development and tests: charges settle after a delay,
    and amounts listed in `fail_amounts` (or every amount, with `fail_all`) are declined."""

    def __init__(self, confirm_seconds: float, fail_amounts: list[Decimal], fail_all: bool = False) -> None:
        self.confirm_seconds = confirm_seconds
        self.fail_amounts = set(fail_amounts)
        self.fail_all = fail_all
        self._charges: dict[str, tuple[Decimal, float, bool, bool]] = {}  # id -> amount, started, declined, refunded
        self._lock = threading.Lock()

    def charge(self, key: str, amount: Decimal, description: str) -> Charge:
        charge_id = f"local-{key}"
        with self._lock:
            if charge_id not in self._charges:
                declined = self.fail_all or amount in self.fail_amounts
                self._charges[charge_id] = (amount, time.monotonic(), declined, False)
        return self.status(charge_id)

    def status(self, charge_id: str) -> Charge:
        with self._lock:
            found = self._charges.get(charge_id)
        if found is None:
            return Charge(charge_id, Decimal(0), FAILED, "unknown charge")
        amount, started, declined, refunded = found
        if refunded:
            return Charge(charge_id, amount, REFUNDED)
        if time.monotonic() - started < self.confirm_seconds:
            return Charge(charge_id, amount, PROCESSING)
        if declined:
            return Charge(charge_id, amount, FAILED, "the payer's bank declined the charge")
        return Charge(charge_id, amount, SUCCEEDED)

    def refund(self, charge_id: str) -> Charge:
        with self._lock:
            found = self._charges.get(charge_id)
            if found is None:
                return Charge(charge_id, Decimal(0), FAILED, "unknown charge")
            amount, started, declined, _ = found
            self._charges[charge_id] = (amount, started, declined, True)
        return Charge(charge_id, amount, REFUNDED)
