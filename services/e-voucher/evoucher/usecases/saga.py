"""The payment saga: an order driven from settling to paid (or failed, or refunded) and its
HIS callback, by a request, a retry and the background worker alike.

Placing an order talks to two outside parties, the settlement service and the payment
provider, between units of work. Each step's outcome is stored before the next begins, and
every status change is a compare-and-set on the stored status, so whoever drives an order
never does anything twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from evoucher.adapters import payment
from evoucher.domain import orders as rules
from evoucher.domain.errors import Invalid, SettlementRefused, Unavailable
from evoucher.domain.moments import utc
from medshared import jsonutil
from medshared.events import utcnow
from medshared.money import money

from .order_state import find_order, snapshot
from .ports import Notifier, SettlementScript, Units

log = logging.getLogger(__name__)


@dataclass
class PaymentDeps:
    settlement: SettlementScript
    provider: payment.PaymentProvider
    notifier: Notifier
    ectoken_ttl: int
    pay_auth_ttl: int
    wait_seconds: float
    callbacks: rules.CallbackPolicy = field(default_factory=rules.CallbackPolicy)
    # When callbacks fall due; tests move it forward instead of sleeping.
    clock: Callable[[], dt.datetime] = utcnow
    # Called once per order status whose callback is given up on (the metric his_callbacks_failed_total).
    callback_failed: Callable[[], None] = lambda: None


def drive(units: Units, deps: PaymentDeps, pay_ord_id: str) -> None:
    """Advance the order as far as it can go now; stop (to be resumed) when a partner is away."""
    while True:
        with units() as store:
            row = find_order(store, pay_ord_id)
        try:
            moved = step(units, deps, row)
        except Unavailable as exc:
            log.warning("order %s waits in %s: %s", pay_ord_id, row.status, exc.message)
            return
        except (KeyError, TypeError, ValueError) as exc:
            # A partner answered in a shape we cannot read: keep the stored state and retry later.
            log.error(
                "order %s waits in %s: unreadable answer (%s: %s)", pay_ord_id, row.status, type(exc).__name__, exc
            )
            return
        if not moved:
            return


def step(units: Units, deps: PaymentDeps, row: Any) -> bool:
    """One step from the stored status; True when the order moved (drive then reads it again)."""
    if row.status == rules.SETTLING:
        try:
            setlinfo = _settle(units, deps, row)
        except SettlementRefused as exc:
            return _move(units, row, rules.FAILED, fail_reason=f"settlement refused ({exc.infno}): {exc.err_msg}"[:300])
        return _move(
            units,
            row,
            rules.SETTLED,
            setl_id=str(setlinfo["setl_id"]),
            setlinfo=jsonutil.dumps(setlinfo),
            fund_pay_sumamt=money(setlinfo.get("fund_pay_sumamt", 0)),
            acct_pay=money(setlinfo.get("acct_pay", 0)),
            psn_cash_pay=money(setlinfo.get("psn_cash_pay", 0)),
        )
    if row.status == rules.SETTLED:
        if row.psn_cash_pay <= Decimal(0):
            return _move(units, row, rules.PAID)
        charge = deps.provider.charge(row.pay_ord_id, row.psn_cash_pay, f"medical order {row.med_org_ord}")
        return _move(units, row, rules.PAYING, charge_id=charge.charge_id)
    if row.status == rules.PAYING:
        charge = _await_charge(deps, row.charge_id)
        if charge.status == payment.SUCCEEDED:
            return _move(units, row, rules.PAID)
        if charge.status == payment.FAILED:
            return _move(units, row, rules.COMPENSATING, fail_reason=f"payment failed: {charge.reason}"[:300])
        return False
    if row.status == rules.COMPENSATING:
        return _move(units, row, rules.FAILED, reversal_setl_id=_reverse(units, deps, row))
    if row.status == rules.REFUNDING:
        if row.reversal_setl_id is None:
            return _move(units, row, rules.REFUNDING, reversal_setl_id=_reverse(units, deps, row))
        if row.charge_id:
            refunded = deps.provider.refund(row.charge_id)
            if refunded.status != payment.REFUNDED:
                raise Unavailable("payment_refund", f"the payment provider has not refunded yet: {refunded.reason}")
        return _move(units, row, rules.REFUNDED)
    if _callback_due(deps, row):
        _call_back(units, deps, row)
    return False


def _move(units: Units, row: Any, target: str, **values: Any) -> bool:
    """Compare-and-set on the stored status: whoever loses the race just re-reads and carries on."""
    if target != row.status:
        rules.advance(row.status, target)
        if target in rules.FINAL:
            # A new final status is a new callback, with its own tries.
            values.update(callback_attempts=0, callback_next_at=None)
    with units() as store:
        store.update_order(row.pay_ord_id, {"status": target, "updated_at": utcnow(), **values}, status=row.status)
    return True


def _await_charge(deps: PaymentDeps, charge_id: str) -> Any:
    deadline = time.monotonic() + deps.wait_seconds
    while True:
        charge = deps.provider.status(charge_id)
        if charge.status != payment.PROCESSING or time.monotonic() >= deadline:
            return charge
        time.sleep(0.05)


def _institution_name(units: Units, fixmedins_code: str) -> str:
    with units() as store:
        inst = store.institution(fixmedins_code)
    return str(inst.fixmedins_name) if inst is not None else ""


def _settle(units: Units, deps: PaymentDeps, row: Any) -> dict[str, Any]:
    def visit_opened(mdtrt_id: str) -> None:
        # Stored at once: a retry after 2201 answered goes on with this visit, never opens another.
        with units() as store:
            store.update_order(row.pay_ord_id, {"mdtrt_id": mdtrt_id})

    request = jsonutil.loads(row.request)
    return deps.settlement.settle(row, request, _institution_name(units, row.fixmedins_code), visit_opened)


def _reverse(units: Units, deps: PaymentDeps, row: Any) -> str:
    return deps.settlement.reverse(row, _institution_name(units, row.fixmedins_code))


# --- the HIS callback


def _callback_due(deps: PaymentDeps, row: Any) -> bool:
    if row.status not in rules.FINAL or row.status in (row.notified_status, row.callback_failed_status):
        return False
    return row.callback_next_at is None or utc(row.callback_next_at) <= deps.clock()


def _call_back(units: Units, deps: PaymentDeps, row: Any) -> None:
    """One try at the HIS callback; a failed one is tried again later with backoff, a bounded number of times."""
    try:
        origin = rules.callback_origin(row.callback_url)
    except Invalid:
        origin = ""  # stored before callback URLs were checked: no origin to call
    with units() as store:
        registered = bool(origin) and origin in store.callback_origins(row.fixmedins_code)
    attempts = row.callback_attempts + 1
    values: dict[str, Any] = {"callback_attempts": attempts}
    if not registered:
        # The origin was unregistered after the order was uploaded: never call it.
        values.update(callback_failed_status=row.status, callback_next_at=None)
        reason = "its origin is not registered for the institution"
    elif _notify(units, deps, row):
        values.update(notified_status=row.status, callback_next_at=None)
        reason = ""
    elif deps.callbacks.exhausted(attempts):
        values.update(callback_failed_status=row.status, callback_next_at=None)
        reason = f"{attempts} tries went unacknowledged"
    else:
        values["callback_next_at"] = deps.clock() + dt.timedelta(seconds=deps.callbacks.delay_after(attempts))
        reason = ""
    with units() as store:
        stored = store.update_order(row.pay_ord_id, values, status=row.status, callback_attempts=row.callback_attempts)
    if reason and stored:
        deps.callback_failed()
        log.error(
            "order %s: callback for %s to %s given up: %s; the HIS can read the outcome with 6301",
            row.pay_ord_id, row.status, origin or "an unreadable URL", reason,
        )  # fmt: skip


def _notify(units: Units, deps: PaymentDeps, row: Any) -> bool:
    with units() as store:
        inst = store.institution(row.fixmedins_code)
    body = {
        **snapshot(row),
        "callType": "refund" if row.status == rules.REFUNDED else "settle",
        "orgCode": row.fixmedins_code,
        "ecCode": row.ec_token,
    }
    return deps.notifier.notify(row.callback_url, body, (inst.gateway_token if inst is not None else "") or "")


# --- the worker's round


def resume_in_flight(units: Units, deps: PaymentDeps, older_than_seconds: float = 1.0) -> int:
    """Pick up orders a stopped process or a slow partner left half-way, and callbacks now due."""
    now = deps.clock()
    with units() as store:
        ids = store.orders_to_resume(now, now - dt.timedelta(seconds=older_than_seconds))
    for pay_ord_id in ids:
        drive(units, deps, pay_ord_id)
    return len(ids)
