"""An in-memory store with the methods of evoucher.usecases.ports.Store, its unit-of-work
opener, and stand-ins for the partners of mobile payment.

Rows are plain namespaces with the columns' names, so the use cases read them as they read
SQL rows; every read hands out a copy, as a database would. A unit that ends in an error
leaves the store as it found it, so a test can say "a refusal changed nothing".
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from medshared.events import Event

# The columns of pay_order a new order starts without (the database's defaults).
ORDER_DEFAULTS = {
    "pay_auth_no": None, "pay_auth_expires_at": None, "ec_token": None, "mdtrt_id": None, "setl_id": None,
    "setlinfo": None, "fund_pay_sumamt": None, "acct_pay": None, "psn_cash_pay": None, "charge_id": None,
    "reversal_setl_id": None, "fail_reason": None, "notified_status": None, "callback_attempts": 0,
    "callback_next_at": None, "callback_failed_status": None,
}  # fmt: skip


def _copy(row: Any) -> Any:
    return None if row is None else SimpleNamespace(**vars(row))


class FakeStore:
    def __init__(self) -> None:
        self.sessions: dict[str, SimpleNamespace] = {}
        self.people: dict[str, SimpleNamespace] = {}
        self.enrollments: list[SimpleNamespace] = []
        self.vouchers: dict[str, SimpleNamespace] = {}
        self.voucher_changes: list[dict[str, Any]] = []
        self.tickets: dict[str, dict[str, Any]] = {}
        self.bindings: dict[str, SimpleNamespace] = {}
        self.qr_codes: dict[str, SimpleNamespace] = {}
        self.ec_tokens: dict[str, SimpleNamespace] = {}
        self.institutions: dict[str, SimpleNamespace] = {}
        self.origins: set[tuple[str, str]] = set()
        self.orders: dict[str, SimpleNamespace] = {}
        self.events: list[tuple[str, Event]] = []
        self._serial = itertools.count(1)
        self._saved: dict[str, Any] | None = None

    # --- seeding, as the consumer and the demo would

    def add_person(self, psn_no: str, psn_name: str, certno: str, *, pools: dict[str, str] | None = None) -> None:
        self.people[psn_no] = SimpleNamespace(
            psn_no=psn_no, psn_cert_type="01", certno=certno, psn_name=psn_name, gend="1", naty="01",
            brdy="1980-05-01", death_date=None, version=1,
        )  # fmt: skip
        for insutype, pool in (pools or {"390": "540100"}).items():
            self.enrollments.append(
                SimpleNamespace(psn_no=psn_no, insutype=insutype, insuplc_admdvs=pool, status="active")
            )

    def add_institution(self, fixmedins_code: str, name: str, admdvs: str = "540100", token: str = "his-key") -> None:
        self.institutions[fixmedins_code] = SimpleNamespace(
            fixmedins_code=fixmedins_code, fixmedins_name=name, admdvs=admdvs, gateway_token=token
        )

    def event_types(self) -> list[str]:
        return [event.event_type for _, event in self.events]

    # --- units of work

    def begin(self) -> None:
        self._saved = copy.deepcopy({k: v for k, v in vars(self).items() if k not in ("_serial", "_saved")})

    def rollback(self) -> None:
        if self._saved is not None:
            vars(self).update(copy.deepcopy(self._saved))

    def stage(self, topic: str, event: Event) -> None:
        self.events.append((topic, event))

    # --- mobile sessions

    def add_session(self, token_hash: str, openid: str, created_at: dt.datetime, expires_at: dt.datetime) -> None:
        self.sessions[token_hash] = SimpleNamespace(openid=openid, created_at=created_at, expires_at=expires_at)

    def mobile_session(self, token_hash: str) -> Any | None:
        return _copy(self.sessions.get(token_hash))

    def end_sessions(self, openid: str) -> None:
        self.sessions = {key: row for key, row in self.sessions.items() if row.openid != openid}

    # --- people and enrollments

    def person(self, psn_no: str) -> Any:
        return _copy(self.people[psn_no])

    def people_with_certno(self, certno: str) -> list[Any]:
        return [_copy(row) for row in self.people.values() if row.certno == certno]

    def active_pools(self, psn_no: str) -> list[str]:
        return [row.insuplc_admdvs for row in self.enrollments if row.psn_no == psn_no and row.status == "active"]

    def pool_of(self, psn_no: str, insutype: str) -> str | None:
        pools = [
            row.insuplc_admdvs
            for row in self.enrollments
            if row.psn_no == psn_no and row.insutype == insutype and row.status == "active"
        ]
        return pools[0] if pools else None

    # --- vouchers

    def voucher(self, voucher_id: str) -> Any | None:
        return _copy(self.vouchers.get(voucher_id))

    def _voucher_where(self, column: str, value: str) -> Any | None:
        return next((_copy(row) for row in self.vouchers.values() if getattr(row, column) == value), None)

    def voucher_of_openid(self, openid: str) -> Any | None:
        return self._voucher_where("active_openid", openid)

    def voucher_of_person(self, psn_no: str) -> Any | None:
        return self._voucher_where("active_psn_no", psn_no)

    def voucher_and_person(self, voucher_id: str) -> tuple[Any, Any]:
        owner = self.vouchers[voucher_id]
        return _copy(owner), _copy(self.people[owner.psn_no])

    def add_voucher(self, values: dict[str, Any]) -> bool:
        for column in ("active_psn_no", "active_openid"):
            if self._voucher_where(column, values[column]) is not None:
                return False
        self.vouchers[values["voucher_id"]] = SimpleNamespace(**values)
        return True

    def update_voucher(self, voucher_id: str, **values: Any) -> None:
        vars(self.vouchers[voucher_id]).update(values)

    def record_voucher_change(self, values: dict[str, Any]) -> None:
        self.voucher_changes.append(dict(values))

    def use_identity_ticket(self, values: dict[str, Any]) -> bool:
        if values["ticket_id"] in self.tickets:
            return False
        self.tickets[values["ticket_id"]] = dict(values)
        return True

    # --- family bindings

    def binding(self, binding_id: str) -> Any | None:
        return _copy(self.bindings.get(binding_id))

    def open_binding(self, guardian_psn_no: str, dependant_psn_no: str) -> Any | None:
        return next(
            (
                _copy(row)
                for row in self.bindings.values()
                if (row.guardian_psn_no, row.dependant_psn_no) == (guardian_psn_no, dependant_psn_no)
                and row.status in ("requested", "consented")
            ),
            None,
        )

    def consented(self, guardian_psn_no: str, dependant_psn_no: str) -> bool:
        return any(
            (row.guardian_psn_no, row.dependant_psn_no, row.status) == (guardian_psn_no, dependant_psn_no, "consented")
            for row in self.bindings.values()
        )

    def bindings_of(self, psn_no: str) -> list[Any]:
        rows = [
            row
            for row in self.bindings.values()
            if psn_no in (row.guardian_psn_no, row.dependant_psn_no) and row.status != "withdrawn"
        ]
        return [_copy(row) for row in sorted(rows, key=lambda row: row.requested_at)]

    def add_binding(self, values: dict[str, Any]) -> None:
        self.bindings[values["binding_id"]] = SimpleNamespace(consented_at=None, withdrawn_at=None, **values)

    def update_binding(self, binding_id: str, **values: Any) -> None:
        vars(self.bindings[binding_id]).update(values)

    def withdraw_open_bindings_of(self, psn_no: str, now: dt.datetime) -> None:
        for row in self.bindings.values():
            if psn_no in (row.guardian_psn_no, row.dependant_psn_no) and row.status in ("requested", "consented"):
                row.status, row.withdrawn_at = "withdrawn", now

    # --- QR codes and ecTokens

    def add_qr_code(self, values: dict[str, Any]) -> None:
        self.qr_codes[values["qr_id"]] = SimpleNamespace(decoded_at=None, decoded_by=None, **values)

    def claim_qr_code(self, qr_id: str, fixmedins_code: str, now: dt.datetime) -> tuple[Any, Any] | None:
        row = self.qr_codes.get(qr_id)
        if row is None or row.decoded_at is not None:
            return None
        row.decoded_at, row.decoded_by = now, fixmedins_code
        return self.voucher_and_person(str(row.voucher_id))

    def qr_code_issued(self, qr_id: str) -> bool:
        return qr_id in self.qr_codes

    def add_ec_token(self, values: dict[str, Any]) -> None:
        self.ec_tokens[values["ec_token"]] = SimpleNamespace(**values)

    def ec_token(self, token: str) -> Any | None:
        return _copy(self.ec_tokens.get(token))

    # --- institutions

    def institution(self, fixmedins_code: str) -> Any | None:
        return _copy(self.institutions.get(fixmedins_code))

    def first_use_of_nonce(self, paasid: str, nonce: str, window_seconds: int) -> bool:
        return True

    def callback_origins(self, fixmedins_code: str) -> list[str]:
        return sorted(origin for code, origin in self.origins if code == fixmedins_code)

    def add_callback_origin(self, fixmedins_code: str, origin: str) -> None:
        self.origins.add((fixmedins_code, origin))

    # --- payment orders

    def order(self, pay_ord_id: str) -> Any | None:
        return _copy(self.orders.get(pay_ord_id))

    def order_of_institution(self, fixmedins_code: str, med_org_ord: str) -> Any | None:
        return next(
            (
                _copy(row)
                for row in self.orders.values()
                if (row.fixmedins_code, row.med_org_ord) == (fixmedins_code, med_org_ord)
            ),
            None,
        )

    def add_order(self, values: dict[str, Any]) -> bool:
        if self.order_of_institution(values["fixmedins_code"], values["med_org_ord"]) is not None:
            return False
        self.orders[values["pay_ord_id"]] = SimpleNamespace(
            **{**ORDER_DEFAULTS, "serial": next(self._serial), **values}
        )
        return True

    def update_order(self, pay_ord_id: str, values: dict[str, Any], **expected: Any) -> bool:
        row = self.orders.get(pay_ord_id)
        if row is None or any(getattr(row, name) != value for name, value in expected.items()):
            return False
        vars(row).update(values)
        return True

    def orders_to_resume(self, now: dt.datetime, cutoff: dt.datetime, limit: int = 100) -> list[str]:
        raise NotImplementedError("the worker's round is covered by the API tests")

    # --- what the person and the bureau read

    def usage(self, psn_no: str) -> list[Any]:
        rows = sorted((row for row in self.ec_tokens.values() if row.psn_no == psn_no), key=lambda row: row.created_at)
        return [
            SimpleNamespace(
                **vars(row), fixmedins_name=getattr(self.institutions.get(row.fixmedins_code), "fixmedins_name", None)
            )
            for row in reversed(rows)
        ]

    def settlements_of(self, psn_no: str) -> list[Any]:
        return []

    def pool_counts(self) -> dict[str, dict[str, int]]:
        raise NotImplementedError("the figures are covered by the integration tests")


class FakeUnits:
    """`with units() as store:` the one store; a unit that raises leaves it as it was."""

    def __init__(self, store: FakeStore) -> None:
        self.store = store
        self.opened = 0

    @contextmanager
    def __call__(self) -> Iterator[FakeStore]:
        self.opened += 1
        self.store.begin()
        try:
            yield self.store
        except BaseException:
            self.store.rollback()
            raise


class ScriptedSettlementDouble:
    """Answers the settlement script as the settlement service would, counting what it was asked."""

    def __init__(self, fund_pay: str = "60.00", cash: str = "40.00") -> None:
        self.fund_pay, self.cash = Decimal(fund_pay), Decimal(cash)
        self.settled: list[str] = []
        self.reversed: list[str] = []

    def settle(
        self, order: Any, request: dict[str, Any], fixmedins_name: str, visit_opened: Callable[[str], None]
    ) -> dict[str, Any]:
        visit_opened(f"MDTRT-{order.pay_ord_id}")
        self.settled.append(order.pay_ord_id)
        return {
            "setl_id": f"SETL-{order.pay_ord_id}",
            "fund_pay_sumamt": self.fund_pay,
            "acct_pay": "0.00",
            "psn_cash_pay": self.cash,
        }

    def reverse(self, order: Any, fixmedins_name: str) -> str:
        self.reversed.append(order.setl_id)
        return f"REV-{order.setl_id}"


class HisDouble:
    """A HIS that acknowledges every callback and keeps what it was told."""

    def __init__(self) -> None:
        self.callbacks: list[tuple[str, dict[str, Any], str]] = []

    def notify(self, url: str, body: dict[str, Any], key: str) -> bool:
        self.callbacks.append((url, body, key))
        return True
