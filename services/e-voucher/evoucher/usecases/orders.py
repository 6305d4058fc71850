"""Mobile payment (医保移动支付) as the HIS and the person see it: 6201 upload, authorisation in
the app, 6202 place, 6203 refund, 6301 query. Placing and refunding hand the order to the
saga (saga.py), which drives it through settlement and the payment provider."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from evoucher.domain import orders as rules
from evoucher.domain import vouchers
from evoucher.domain.errors import Conflict, Forbidden, Invalid
from evoucher.domain.moments import utc
from medshared import jsonutil

from .codes import DecodeRequest, mint_ec_token, resolve_in
from .common import voucher_for_subject
from .order_state import callback_view, find_order, snapshot
from .ports import Store, Units
from .saga import PaymentDeps, drive

# The app authorisation stands in for the QR scan: an ecToken for this institution, as at the counter.
MOBILE_SCENE = DecodeRequest(
    qr_code="", business_type="01301", operator_id="mobile-pay", operator_name="", office_id="", office_name="移动支付"
)


def upload_order(units: Units, inst: Any, data: Any, now: dt.datetime) -> dict[str, Any]:
    """6201: the HIS uploads an order for the patient; the same upload again answers the same order."""
    request = rules.parse_6201(data)
    origin = rules.callback_origin(request.callback_url)
    with units() as store:
        # Only an origin the institution registered: never the platform's own services, unless registered.
        rules.check_callback_registered(origin, store.callback_origins(inst.fixmedins_code), inst.fixmedins_code)
        existing = store.order_of_institution(inst.fixmedins_code, request.med_org_ord)
        if existing is not None:
            if existing.status in (rules.CREATED, rules.AUTHORISED) and existing.medfee_sumamt == request.medfee_sumamt:
                return {"payOrdId": existing.pay_ord_id, "payToken": existing.pay_token}
            raise Conflict(
                "med_org_ord",
                f"medOrgOrd {request.med_org_ord} was already uploaded ({existing.status}); use a new order number",
            )
        if request.ec_token:
            psn_no = resolve_in(store, request.ec_token, inst.fixmedins_code, now)["psn_no"]
        else:
            psn_no = _psn_by_identity(store, request.id_no, request.user_name)
        pool = store.pool_of(psn_no, request.insutype)
        if pool is None:
            raise Invalid("insutype", f"the patient has no active enrollment under insutype {request.insutype}")
        pay_ord_id = "ORD" + secrets.token_hex(12)
        pay_token = secrets.token_hex(16)
        stored = {
            "insutype": request.insutype,
            "med_type": request.med_type,
            "acct_used_flag": request.acct_used_flag,
            "visit": request.visit,
            "diseinfo": request.diseinfo,
            "feedetail": request.feedetail,
        }
        added = store.add_order(
            {
                "pay_ord_id": pay_ord_id,
                "pay_token": pay_token,
                "fixmedins_code": inst.fixmedins_code,
                "med_org_ord": request.med_org_ord,
                "psn_no": psn_no,
                "insuplc_admdvs": pool,
                "mdtrtarea_admvs": inst.admdvs,
                "status": rules.CREATED,
                "request": jsonutil.dumps(stored),
                "medfee_sumamt": request.medfee_sumamt,
                "callback_url": request.callback_url,
                "created_at": now,
                "updated_at": now,
            }
        )
        if not added:
            raise Conflict(
                "med_org_ord", f"medOrgOrd {request.med_org_ord} was uploaded a moment ago; query it with 6301 or retry"
            )
    return {"payOrdId": pay_ord_id, "payToken": pay_token}


def _psn_by_identity(store: Store, id_no: str, user_name: str) -> str:
    found = next(iter(store.people_with_certno(id_no.strip().upper())), None)
    if found is None or found.psn_name != user_name.strip():
        raise Invalid("identity", "idNo and userName do not match an insured person; check the patient's ID card")
    if store.voucher_of_person(found.psn_no) is None:
        raise Invalid("no_voucher", "the patient has not activated an e-voucher; mobile payment needs one")
    return str(found.psn_no)


# --- the person, in the app


def order_for_person(units: Units, openid: str, pay_ord_id: str) -> dict[str, Any]:
    with units() as store:
        row = find_order(store, pay_ord_id)
        voucher_for_subject(store, openid, row.psn_no)
        inst = store.institution(row.fixmedins_code)
    # REST answers carry amounts as decimal strings, never as JSON floats.
    view = {name: str(value) if isinstance(value, Decimal) else value for name, value in snapshot(row).items()}
    return {**view, "fixmedins_code": row.fixmedins_code, "fixmedins_name": inst.fixmedins_name if inst else None}


def authorise(units: Units, openid: str, pay_ord_id: str, ttl: int, now: dt.datetime) -> dict[str, Any]:
    """The person agrees to pay this order: a payAuthNo the HIS quotes in 6202."""
    with units() as store:
        row = find_order(store, pay_ord_id)
        owner = voucher_for_subject(store, openid, row.psn_no)
        if owner.status != vouchers.ACTIVE:
            raise Conflict("voucher_state", f"the voucher is {owner.status}; unfreeze it before paying")
        rules.advance(row.status, rules.AUTHORISED)
        pay_auth_no = "AUTH" + secrets.token_hex(14)
        expires_at = now + dt.timedelta(seconds=ttl)
        values = {
            "status": rules.AUTHORISED,
            "pay_auth_no": pay_auth_no,
            "pay_auth_expires_at": expires_at,
            "updated_at": now,
        }
        store.update_order(pay_ord_id, values)
    return {"payAuthNo": pay_auth_no, "payOrdId": pay_ord_id, "expires_at": expires_at.isoformat()}


# --- 6202 / 6203 / 6301


def place(units: Units, deps: PaymentDeps, inst: Any, data: Any, now: dt.datetime) -> dict[str, Any]:
    """6202: an authorised order is settled and charged; the answer is where it stands now."""
    pay_ord_id = _field(data, "payOrdId")
    with units() as store:
        row = _hospital_order(store, inst, pay_ord_id, _field(data, "payToken"))
        if row.status == rules.CREATED:
            raise Invalid("not_authorised", "the patient has not authorised this order in the app yet")
        if row.status == rules.AUTHORISED:
            if _field(data, "payAuthNo") != row.pay_auth_no:
                raise Invalid(
                    "pay_auth_no", "payAuthNo does not match the patient's authorisation; ask them to authorise again"
                )
            if utc(row.pay_auth_expires_at) <= now:
                raise Invalid("pay_auth_no", "the patient's authorisation has expired; ask them to authorise again")
            owner = store.voucher_of_person(row.psn_no)
            if owner is None or owner.status != vouchers.ACTIVE:
                raise Invalid("voucher_state", "the patient's voucher is not active; the order cannot be paid")
            token = mint_ec_token(store, owner, inst.fixmedins_code, MOBILE_SCENE, deps.ectoken_ttl, now)
            claimed = store.update_order(
                pay_ord_id, {"status": rules.SETTLING, "ec_token": token, "updated_at": now}, status=rules.AUTHORISED
            )
            if not claimed:
                # A concurrent 6202 claimed it first; drop our ecToken and follow that one.
                store.rollback()
    drive(units, deps, pay_ord_id)
    with units() as store:
        final = find_order(store, pay_ord_id)
    return {**snapshot(final), "payAuthNo": final.pay_auth_no, "payToken": final.pay_token}


def refund(units: Units, deps: PaymentDeps, inst: Any, data: Any, now: dt.datetime) -> dict[str, Any]:
    """6203: a paid order's settlement is reversed and its payment refunded."""
    pay_ord_id = _field(data, "payOrdId")
    with units() as store:
        row = _hospital_order(store, inst, pay_ord_id, _field(data, "payToken"))
        if row.status not in (rules.REFUNDING, rules.REFUNDED):
            if row.status != rules.PAID:
                raise Conflict(
                    "order_state", f"only a paid order can be refunded; this one is {rules.ORD_STAS[row.status][1]}"
                )
            store.update_order(pay_ord_id, {"status": rules.REFUNDING, "updated_at": now}, status=rules.PAID)
    drive(units, deps, pay_ord_id)
    with units() as store:
        return snapshot(find_order(store, pay_ord_id))


def query(units: Units, inst: Any, data: Any) -> dict[str, Any]:
    """6301: where the order and its callback stand."""
    with units() as store:
        row = _hospital_order(store, inst, _field(data, "payOrdId"), _field(data, "payToken"))
    return {**snapshot(row), **callback_view(row)}


def _field(data: Any, name: str) -> str:
    if not isinstance(data, dict) or not data.get(name):
        raise Invalid("input", f"input.data.{name} is required")
    return str(data[name])


def _hospital_order(store: Store, inst: Any, pay_ord_id: str, pay_token: str) -> Any:
    row = find_order(store, pay_ord_id)
    if row.fixmedins_code != inst.fixmedins_code or not secrets.compare_digest(row.pay_token, pay_token):
        raise Forbidden("pay_token", "payOrdId and payToken do not match an order of this institution")
    return row
