"""Mobile payment (医保移动支付): 6201 upload, authorisation in the app, 6202 place, 6203 refund, 6301 query.

Placing an order talks to two outside parties, the settlement service and the payment
provider, between database transactions. Each step's outcome is stored before the next
begins, and every status change is a compare-and-set on the stored status, so a request, a
retry and the background worker can all drive one order without doing anything twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from medshared import jsonutil
from medshared.money import money
from medshared.runtime import Runtime
from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from evoucher.adapters import payment
from evoucher.adapters.his import HisNotifier
from evoucher.adapters.settlement import SettlementClient, SettlementRefused
from evoucher.db import institution, institution_callback_origin, pay_order, person, person_enrollment, voucher
from evoucher.domain import orders, vouchers
from evoucher.domain.errors import Conflict, Forbidden, Invalid, NotFound, Unavailable
from evoucher.handlers import (
    DecodeRequest,
    mint_ec_token,
    resolve_in,
    utc,
    voucher_for_subject,
)

log = logging.getLogger(__name__)


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class PaymentDeps:
    settlement: SettlementClient
    provider: payment.PaymentProvider
    notifier: HisNotifier
    ectoken_ttl: int
    pay_auth_ttl: int
    wait_seconds: float
    callbacks: orders.CallbackPolicy = field(default_factory=orders.CallbackPolicy)
    # When callbacks fall due; tests move it forward instead of sleeping.
    clock: Callable[[], dt.datetime] = now_utc
    # Called once per order status whose callback is given up on (the metric his_callbacks_failed_total).
    callback_failed: Callable[[], None] = lambda: None


def registered_origins(session: Any, fixmedins_code: str) -> list[str]:
    return list(
        session.execute(
            select(institution_callback_origin.c.origin).where(institution_callback_origin.c.fixmedins_code == fixmedins_code)
        ).scalars()
    )


# --- 6201 ---------------------------------------------------------------------------------


def upload_order(runtime: Runtime, inst: Row[Any], data: Any, now: dt.datetime) -> dict[str, Any]:
    request = orders.parse_6201(data)
    origin = orders.callback_origin(request.callback_url)
    with runtime.unit_of_work() as session:
        # Only an origin the institution registered: never the platform's own services, unless registered.
        orders.check_callback_registered(origin, registered_origins(session, inst.fixmedins_code), inst.fixmedins_code)
        existing = session.execute(
            select(pay_order).where(
                pay_order.c.fixmedins_code == inst.fixmedins_code, pay_order.c.med_org_ord == request.med_org_ord
            )
        ).first()
        if existing is not None:
            if existing.status in (orders.CREATED, orders.AUTHORISED) and existing.medfee_sumamt == request.medfee_sumamt:
                return {"payOrdId": existing.pay_ord_id, "payToken": existing.pay_token}
            raise Conflict(
                "med_org_ord", f"medOrgOrd {request.med_org_ord} was already uploaded ({existing.status}); use a new order number"
            )
        if request.ec_token:
            psn_no = resolve_in(session, request.ec_token, inst.fixmedins_code, now)["psn_no"]
        else:
            psn_no = _psn_by_identity(session, request.id_no, request.user_name)
        pool = session.execute(
            select(person_enrollment.c.insuplc_admdvs).where(
                person_enrollment.c.psn_no == psn_no,
                person_enrollment.c.insutype == request.insutype,
                person_enrollment.c.status == "active",
            )
        ).scalar()
        if pool is None:
            raise Invalid("insutype", f"the patient has no active enrollment under insutype {request.insutype}")
        pay_ord_id = "ORD" + secrets.token_hex(12)
        pay_token = secrets.token_hex(16)
        try:
            session.execute(
                insert(pay_order).values(
                    pay_ord_id=pay_ord_id,
                    pay_token=pay_token,
                    fixmedins_code=inst.fixmedins_code,
                    med_org_ord=request.med_org_ord,
                    psn_no=psn_no,
                    insuplc_admdvs=pool,
                    mdtrtarea_admvs=inst.admdvs,
                    status=orders.CREATED,
                    request=jsonutil.dumps(
                        {
                            "insutype": request.insutype,
                            "med_type": request.med_type,
                            "acct_used_flag": request.acct_used_flag,
                            "visit": request.visit,
                            "diseinfo": request.diseinfo,
                            "feedetail": request.feedetail,
                        }
                    ),
                    medfee_sumamt=request.medfee_sumamt,
                    callback_url=request.callback_url,
                    created_at=now,
                    updated_at=now,
                )
            )
        except IntegrityError:
            raise Conflict(
                "med_org_ord", f"medOrgOrd {request.med_org_ord} was uploaded a moment ago; query it with 6301 or retry"
            ) from None
    return {"payOrdId": pay_ord_id, "payToken": pay_token}


def _psn_by_identity(session: Any, id_no: str, user_name: str) -> str:
    row = session.execute(
        select(person.c.psn_no, person.c.psn_name).where(person.c.certno == id_no.strip().upper())
    ).first()
    if row is None or row.psn_name != user_name.strip():
        raise Invalid("identity", "idNo and userName do not match an insured person; check the patient's ID card")
    if session.execute(select(voucher.c.voucher_id).where(voucher.c.active_psn_no == row.psn_no)).first() is None:
        raise Invalid("no_voucher", "the patient has not activated an e-voucher; mobile payment needs one")
    return str(row.psn_no)


# --- the person, in the app ------------------------------------------------------------------


def order_for_person(runtime: Runtime, openid: str, pay_ord_id: str) -> dict[str, Any]:
    with runtime.unit_of_work() as session:
        row = _order(session, pay_ord_id)
        voucher_for_subject(session, openid, row.psn_no)
        name = session.execute(
            select(institution.c.fixmedins_name).where(institution.c.fixmedins_code == row.fixmedins_code)
        ).scalar()
    # REST answers carry amounts as decimal strings, never as JSON floats.
    view = {k: str(v) if isinstance(v, Decimal) else v for k, v in snapshot(row).items()}
    return {**view, "fixmedins_code": row.fixmedins_code, "fixmedins_name": name}


def authorise(runtime: Runtime, openid: str, pay_ord_id: str, ttl: int, now: dt.datetime) -> dict[str, Any]:
    """The person agrees to pay this order: a payAuthNo the HIS quotes in 6202."""
    with runtime.unit_of_work() as session:
        row = _order(session, pay_ord_id)
        owner = voucher_for_subject(session, openid, row.psn_no)
        if owner.status != vouchers.ACTIVE:
            raise Conflict("voucher_state", f"the voucher is {owner.status}; unfreeze it before paying")
        orders.advance(row.status, orders.AUTHORISED)
        pay_auth_no = "AUTH" + secrets.token_hex(14)
        expires_at = now + dt.timedelta(seconds=ttl)
        session.execute(
            update(pay_order)
            .where(pay_order.c.pay_ord_id == pay_ord_id)
            .values(status=orders.AUTHORISED, pay_auth_no=pay_auth_no, pay_auth_expires_at=expires_at, updated_at=now)
        )
    return {"payAuthNo": pay_auth_no, "payOrdId": pay_ord_id, "expires_at": expires_at.isoformat()}


# --- 6202 / 6203 / 6301 ----------------------------------------------------------------------


def place(runtime: Runtime, deps: PaymentDeps, inst: Row[Any], data: Any, now: dt.datetime) -> dict[str, Any]:
    pay_ord_id = _field(data, "payOrdId")
    with runtime.unit_of_work() as session:
        row = _hospital_order(session, inst, pay_ord_id, _field(data, "payToken"))
        if row.status == orders.CREATED:
            raise Invalid("not_authorised", "the patient has not authorised this order in the app yet")
        if row.status == orders.AUTHORISED:
            if _field(data, "payAuthNo") != row.pay_auth_no:
                raise Invalid("pay_auth_no", "payAuthNo does not match the patient's authorisation; ask them to authorise again")
            if utc(row.pay_auth_expires_at) <= now:
                raise Invalid("pay_auth_no", "the patient's authorisation has expired; ask them to authorise again")
            owner = session.execute(select(voucher).where(voucher.c.active_psn_no == row.psn_no)).first()
            if owner is None or owner.status != vouchers.ACTIVE:
                raise Invalid("voucher_state", "the patient's voucher is not active; the order cannot be paid")
            # The app authorisation stands in for the QR scan: an ecToken for this institution, as at the counter.
            scene = DecodeRequest(
                qr_code="", business_type="01301", operator_id="mobile-pay", operator_name="",
                office_id="", office_name="移动支付",
            )  # fmt: skip
            token = mint_ec_token(session, owner, inst.fixmedins_code, scene, deps.ectoken_ttl, now)
            claimed = session.execute(
                update(pay_order)
                .where(pay_order.c.pay_ord_id == pay_ord_id, pay_order.c.status == orders.AUTHORISED)
                .values(status=orders.SETTLING, ec_token=token, updated_at=now)
            )
            if claimed.rowcount != 1:
                # A concurrent 6202 claimed it first; drop our ecToken and follow that one.
                session.rollback()
    drive(runtime, deps, pay_ord_id)
    with runtime.unit_of_work() as session:
        final = _order(session, pay_ord_id)
    return {**snapshot(final), "payAuthNo": final.pay_auth_no, "payToken": final.pay_token}


def refund(runtime: Runtime, deps: PaymentDeps, inst: Row[Any], data: Any, now: dt.datetime) -> dict[str, Any]:
    pay_ord_id = _field(data, "payOrdId")
    with runtime.unit_of_work() as session:
        row = _hospital_order(session, inst, pay_ord_id, _field(data, "payToken"))
        if row.status not in (orders.REFUNDING, orders.REFUNDED):
            if row.status != orders.PAID:
                raise Conflict("order_state", f"only a paid order can be refunded; this one is {orders.ORD_STAS[row.status][1]}")
            session.execute(
                update(pay_order)
                .where(pay_order.c.pay_ord_id == pay_ord_id, pay_order.c.status == orders.PAID)
                .values(status=orders.REFUNDING, updated_at=now)
            )
    drive(runtime, deps, pay_ord_id)
    with runtime.unit_of_work() as session:
        return snapshot(_order(session, pay_ord_id))


def query(runtime: Runtime, inst: Row[Any], data: Any) -> dict[str, Any]:
    with runtime.unit_of_work() as session:
        row = _hospital_order(session, inst, _field(data, "payOrdId"), _field(data, "payToken"))
    return {**snapshot(row), **callback_view(row)}


def callback_view(row: Row[Any]) -> dict[str, Any]:
    """Where the callback for the order's current status stands: none | pending | delivered | failed."""
    if row.status not in orders.FINAL:
        state = "none"
    elif row.notified_status == row.status:
        state = "delivered"
    elif row.callback_failed_status == row.status:
        state = "failed"
    else:
        state = "pending"
    return {"callbackStas": state, "callbackAttempts": row.callback_attempts}


def _field(data: Any, name: str) -> str:
    if not isinstance(data, dict) or not data.get(name):
        raise Invalid("input", f"input.data.{name} is required")
    return str(data[name])


def _order(session: Any, pay_ord_id: str) -> Row[Any]:
    row = session.execute(select(pay_order).where(pay_order.c.pay_ord_id == pay_ord_id)).first()
    if row is None:
        raise NotFound("no_order", f"no order {pay_ord_id}; check payOrdId from 6201")
    return row


def _hospital_order(session: Any, inst: Row[Any], pay_ord_id: str, pay_token: str) -> Row[Any]:
    row = _order(session, pay_ord_id)
    if row.fixmedins_code != inst.fixmedins_code or not secrets.compare_digest(row.pay_token, pay_token):
        raise Forbidden("pay_token", "payOrdId and payToken do not match an order of this institution")
    return row


def snapshot(row: Row[Any]) -> dict[str, Any]:
    code, name = orders.ORD_STAS[row.status]
    return {
        "payOrdId": row.pay_ord_id,
        "medOrgOrd": row.med_org_ord,
        "ordStas": code,
        "ordStasName": name,
        "feeSumamt": row.medfee_sumamt,
        "ownPayAmt": row.psn_cash_pay,
        "psnAcctPay": row.acct_pay,
        "fundPay": row.fund_pay_sumamt,
        "mdtrtId": row.mdtrt_id,
        "setlId": row.setl_id,
        "failReason": row.fail_reason,
        "traceTime": utc(row.updated_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


# --- driving an order forward ---------------------------------------------------------------


def drive(runtime: Runtime, deps: PaymentDeps, pay_ord_id: str) -> None:
    """Advance the order as far as it can go now; stop (to be resumed) when a partner is away."""
    while True:
        with runtime.unit_of_work() as session:
            row = _order(session, pay_ord_id)
        try:
            moved = _step(runtime, deps, row)
        except Unavailable as exc:
            log.warning("order %s waits in %s: %s", pay_ord_id, row.status, exc.message)
            return
        except (KeyError, TypeError, ValueError) as exc:
            # A partner answered in a shape we cannot read: keep the stored state and retry later.
            log.error("order %s waits in %s: unreadable answer (%s: %s)", pay_ord_id, row.status, type(exc).__name__, exc)
            return
        if not moved:
            return


def _step(runtime: Runtime, deps: PaymentDeps, row: Row[Any]) -> bool:
    if row.status == orders.SETTLING:
        try:
            setlinfo = _settle(runtime, deps, row)
        except SettlementRefused as exc:
            return _move(runtime, row, orders.FAILED, fail_reason=f"settlement refused ({exc.infno}): {exc.err_msg}"[:300])
        return _move(
            runtime,
            row,
            orders.SETTLED,
            setl_id=str(setlinfo["setl_id"]),
            setlinfo=jsonutil.dumps(setlinfo),
            fund_pay_sumamt=money(setlinfo.get("fund_pay_sumamt", 0)),
            acct_pay=money(setlinfo.get("acct_pay", 0)),
            psn_cash_pay=money(setlinfo.get("psn_cash_pay", 0)),
        )
    if row.status == orders.SETTLED:
        if row.psn_cash_pay <= Decimal(0):
            return _move(runtime, row, orders.PAID)
        charge = deps.provider.charge(row.pay_ord_id, row.psn_cash_pay, f"medical order {row.med_org_ord}")
        return _move(runtime, row, orders.PAYING, charge_id=charge.charge_id)
    if row.status == orders.PAYING:
        charge = _await_charge(deps, row.charge_id)
        if charge.status == payment.SUCCEEDED:
            return _move(runtime, row, orders.PAID)
        if charge.status == payment.FAILED:
            return _move(runtime, row, orders.COMPENSATING, fail_reason=f"payment failed: {charge.reason}"[:300])
        return False
    if row.status == orders.COMPENSATING:
        reversal = _reverse(runtime, deps, row)
        return _move(runtime, row, orders.FAILED, reversal_setl_id=reversal)
    if row.status == orders.REFUNDING:
        if row.reversal_setl_id is None:
            return _move(runtime, row, orders.REFUNDING, reversal_setl_id=_reverse(runtime, deps, row))
        if row.charge_id:
            refunded = deps.provider.refund(row.charge_id)
            if refunded.status != payment.REFUNDED:
                raise Unavailable("payment_refund", f"the payment provider has not refunded yet: {refunded.reason}")
        return _move(runtime, row, orders.REFUNDED)
    if _callback_due(deps, row):
        _call_back(runtime, deps, row)
    return False


def _callback_due(deps: PaymentDeps, row: Row[Any]) -> bool:
    if row.status not in orders.FINAL or row.status in (row.notified_status, row.callback_failed_status):
        return False
    return row.callback_next_at is None or utc(row.callback_next_at) <= deps.clock()


def _call_back(runtime: Runtime, deps: PaymentDeps, row: Row[Any]) -> None:
    """One try at the HIS callback; a failed one is tried again later with backoff, a bounded number of times."""
    try:
        origin = orders.callback_origin(row.callback_url)
    except Invalid:
        origin = ""  # stored before callback URLs were checked: no origin to call
    with runtime.unit_of_work() as session:
        registered = bool(origin) and origin in registered_origins(session, row.fixmedins_code)
    attempts = row.callback_attempts + 1
    values: dict[str, Any] = {"callback_attempts": attempts}
    if not registered:
        # The origin was unregistered after the order was uploaded: never call it.
        values.update(callback_failed_status=row.status, callback_next_at=None)
        reason = "its origin is not registered for the institution"
    elif _notify(runtime, deps, row):
        values.update(notified_status=row.status, callback_next_at=None)
        reason = ""
    elif deps.callbacks.exhausted(attempts):
        values.update(callback_failed_status=row.status, callback_next_at=None)
        reason = f"{attempts} tries went unacknowledged"
    else:
        values["callback_next_at"] = deps.clock() + dt.timedelta(seconds=deps.callbacks.delay_after(attempts))
        reason = ""
    with runtime.unit_of_work() as session:
        stored = session.execute(
            update(pay_order)
            .where(
                pay_order.c.pay_ord_id == row.pay_ord_id,
                pay_order.c.status == row.status,
                pay_order.c.callback_attempts == row.callback_attempts,
            )
            .values(**values)
        )
    if reason and stored.rowcount == 1:
        deps.callback_failed()
        log.error(
            "order %s: callback for %s to %s given up: %s; the HIS can read the outcome with 6301",
            row.pay_ord_id, row.status, origin or "an unreadable URL", reason,
        )  # fmt: skip


def _move(runtime: Runtime, row: Row[Any], target: str, **values: Any) -> bool:
    """Compare-and-set on the stored status: whoever loses the race just re-reads and carries on."""
    if target != row.status:
        orders.advance(row.status, target)
        if target in orders.FINAL:
            # A new final status is a new callback, with its own tries.
            values.update(callback_attempts=0, callback_next_at=None)
    with runtime.unit_of_work() as session:
        session.execute(
            update(pay_order)
            .where(pay_order.c.pay_ord_id == row.pay_ord_id, pay_order.c.status == row.status)
            .values(status=target, updated_at=now_utc(), **values)
        )
    return True


def _await_charge(deps: PaymentDeps, charge_id: str) -> payment.Charge:
    deadline = time.monotonic() + deps.wait_seconds
    while True:
        charge = deps.provider.status(charge_id)
        if charge.status != payment.PROCESSING or time.monotonic() >= deadline:
            return charge
        time.sleep(0.05)


def _conversation(runtime: Runtime, deps: PaymentDeps, row: Row[Any]) -> Any:
    with runtime.unit_of_work() as session:
        name = session.execute(
            select(institution.c.fixmedins_name).where(institution.c.fixmedins_code == row.fixmedins_code)
        ).scalar()
    common = {
        "fixmedins_code": row.fixmedins_code,
        "fixmedins_name": name or row.fixmedins_code,
        "mdtrtarea_admvs": row.mdtrtarea_admvs,
        "insuplc_admdvs": row.insuplc_admdvs,
    }
    created = utc(row.created_at)

    def call(infno: str, step: int, body: dict[str, Any], sign_no: str = "") -> Any:
        msgid = orders.order_msgid(row.fixmedins_code, created, row.serial, step)
        return deps.settlement.call(infno, msgid, input=body, sign_no=sign_no, **common)

    return call


def _settle(runtime: Runtime, deps: PaymentDeps, row: Row[Any]) -> dict[str, Any]:
    """9001, 2201, 2203, 2204, 2206, 2207 with msgids fixed by the order, so a retry is the same call."""
    call = _conversation(runtime, deps, row)
    req = jsonutil.loads(row.request)
    visit = req["visit"]
    begntime = utc(row.created_at).strftime("%Y-%m-%d %H:%M:%S")
    sign_no = call("9001", orders.STEP_SIGN_IN, {"signIn": {"opter_no": "mobile-pay", "mac": "", "ip": "127.0.0.1"}})[
        "signinoutb"
    ]["sign_no"]
    mdtrt_id = row.mdtrt_id
    if mdtrt_id is None:
        out = call(
            "2201",
            orders.STEP_2201,
            {
                "data": {
                    "psn_no": row.psn_no,
                    "insutype": req["insutype"],
                    "begntime": begntime,
                    "mdtrt_cert_type": "01",
                    "mdtrt_cert_no": row.ec_token,
                    **visit,
                }
            },
            sign_no,
        )
        mdtrt_id = str(out["data"]["mdtrt_id"])
        with runtime.unit_of_work() as session:
            session.execute(update(pay_order).where(pay_order.c.pay_ord_id == row.pay_ord_id).values(mdtrt_id=mdtrt_id))
    chrg_bchno = row.pay_ord_id
    diseinfo = req["diseinfo"]
    main = diseinfo[0] if diseinfo else {}
    call(
        "2203",
        orders.STEP_2203,
        {
            "mdtrtinfo": {
                "mdtrt_id": mdtrt_id,
                "psn_no": row.psn_no,
                "med_type": req["med_type"],
                "begntime": begntime,
                "dise_codg": main.get("diag_code", ""),
                "dise_name": main.get("diag_name", ""),
            },
            "diseinfo": diseinfo,
        },
        sign_no,
    )
    lines = [
        {
            "rx_circ_flag": "0",
            "fee_ocur_time": begntime,
            "bilg_dept_codg": visit["dept_code"],
            "bilg_dept_name": visit["dept_name"],
            "bilg_dr_codg": visit["atddr_no"],
            "bilg_dr_name": visit["dr_name"],
            "hosp_appr_flag": "1",
            **line,
            "mdtrt_id": mdtrt_id,
            "psn_no": row.psn_no,
            "chrg_bchno": chrg_bchno,
        }
        for line in req["feedetail"]
    ]
    call("2204", orders.STEP_2204, {"feedetail": lines}, sign_no)
    settle_input = {
        "psn_no": row.psn_no,
        "mdtrt_cert_type": "01",
        "mdtrt_cert_no": row.ec_token,
        "med_type": req["med_type"],
        "medfee_sumamt": row.medfee_sumamt,
        "psn_setlway": "01",
        "mdtrt_id": mdtrt_id,
        "chrg_bchno": chrg_bchno,
        "acct_used_flag": req["acct_used_flag"],
        "insutype": req["insutype"],
    }
    pre = call("2206", orders.STEP_2206, {"data": settle_input}, sign_no)["setlinfo"]
    copied = {k: pre[k] for k in ("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt") if k in pre}
    out = call("2207", orders.STEP_2207, {"data": {**settle_input, **copied, "invono": ""}}, sign_no)
    return dict(out["setlinfo"])


def _reverse(runtime: Runtime, deps: PaymentDeps, row: Row[Any]) -> str:
    call = _conversation(runtime, deps, row)
    sign_no = call("9001", orders.STEP_SIGN_IN, {"signIn": {"opter_no": "mobile-pay", "mac": "", "ip": "127.0.0.1"}})[
        "signinoutb"
    ]["sign_no"]
    try:
        out = call(
            "2208", orders.STEP_2208, {"data": {"setl_id": row.setl_id, "mdtrt_id": row.mdtrt_id, "psn_no": row.psn_no}}, sign_no
        )
    except SettlementRefused as exc:
        # A refused reversal must not be taken for a done one: keep the order where it is.
        raise Unavailable("settlement_reversal", f"2208 refused: {exc.err_msg}") from None
    return str(out["setlinfo"]["setl_id"])


def _notify(runtime: Runtime, deps: PaymentDeps, row: Row[Any]) -> bool:
    with runtime.unit_of_work() as session:
        key = session.execute(
            select(institution.c.gateway_token).where(institution.c.fixmedins_code == row.fixmedins_code)
        ).scalar()
    body = {
        **snapshot(row),
        "callType": "refund" if row.status == orders.REFUNDED else "settle",
        "orgCode": row.fixmedins_code,
        "ecCode": row.ec_token,
    }
    return deps.notifier.notify(row.callback_url, body, key or "")


def resume_in_flight(runtime: Runtime, deps: PaymentDeps, older_than_seconds: float = 1.0) -> int:
    """Pick up orders a stopped process or a slow partner left half-way, and callbacks now due."""
    now = deps.clock()
    cutoff = now - dt.timedelta(seconds=older_than_seconds)
    order = pay_order.c
    settled_a_while_ago = order.updated_at <= cutoff
    callback_due = and_(
        order.status.in_(orders.FINAL),
        or_(order.notified_status.is_(None), order.notified_status != order.status),
        or_(order.callback_failed_status.is_(None), order.callback_failed_status != order.status),
        or_(and_(order.callback_next_at.is_(None), settled_a_while_ago), order.callback_next_at <= now),
    )
    with runtime.unit_of_work() as session:
        ids = session.execute(
            select(pay_order.c.pay_ord_id)
            .where(or_(and_(order.status.in_(orders.IN_FLIGHT), settled_a_while_ago), callback_due))
            .order_by(pay_order.c.serial)
            .limit(100)
        ).scalars().all()
    for pay_ord_id in ids:
        drive(runtime, deps, pay_ord_id)
    return len(ids)
