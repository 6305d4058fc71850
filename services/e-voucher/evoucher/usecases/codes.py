"""The dynamic QR code on the phone, its decode at an institution (ec.query), and the
ecToken that decode hands out, bound to the decoding institution."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from evoucher.domain import qr
from evoucher.domain import vouchers as rules
from evoucher.domain.errors import Forbidden, Invalid, NotFound
from evoucher.domain.moments import utc
from evoucher.messaging.contracts import TOPIC, voucher_used_event

from .common import voucher_for_subject
from .ports import Store, Units

BUSINESS_TYPES = {
    "01101", "01102", "01103", "01104", "01201", "01202", "01203", "01204",
    "01301", "01302", "01303", "01304", "01305", "02121", "02122", "03131",
}  # fmt: skip


def issue_qr(
    units: Units, openid: str, psn_no: str | None, *, secret: str, ttl_seconds: int, now: dt.datetime
) -> qr.QrCode:
    with units() as store:
        target = voucher_for_subject(store, openid, psn_no)
        rules.check_can_show_code(target.status)
        code = qr.mint(secret, int(now.timestamp()), ttl_seconds)
        store.add_qr_code(
            {
                "qr_id": code.qr_id,
                "voucher_id": target.voucher_id,
                "psn_no": target.psn_no,
                "shown_by_openid": openid,
                "created_at": now,
                "expires_at": dt.datetime.fromtimestamp(code.expires_at, dt.UTC),
            }
        )
    return code


@dataclass(frozen=True)
class DecodeRequest:
    qr_code: str
    business_type: str
    operator_id: str
    operator_name: str
    office_id: str
    office_name: str


def decode_qr(
    units: Units, fixmedins_code: str, request: DecodeRequest, *, secret: str, ectoken_ttl: int, now: dt.datetime
) -> dict[str, Any]:
    """ec.query: one decode per code, an ecToken bound to the decoding institution."""
    if request.business_type not in BUSINESS_TYPES:
        raise Invalid("business_type", f"businessType {request.business_type!r} is not a code of 附录 A.1 (e.g. 01101)")
    if not request.operator_id or not request.operator_name:
        raise Invalid("operator", "operatorId and operatorName are required")
    qr_id = qr.verify(secret, request.qr_code, int(now.timestamp()))
    with units() as store:
        # Claim the code first: of two institutions scanning it at once, one gets it.
        claimed = store.claim_qr_code(qr_id, fixmedins_code, now)
        if claimed is None:
            if not store.qr_code_issued(qr_id):
                raise Invalid(
                    "qr_forged", "this QR code was not issued by the e-voucher platform; ask the patient to refresh it"
                )
            raise Invalid("qr_used", "this QR code has already been scanned; ask the patient to show a fresh code")
        owner, who = claimed
        if owner.status != rules.ACTIVE:
            raise Invalid("voucher_state", f"this voucher is {owner.status}; the patient cannot use it now")
        token = mint_ec_token(store, owner, fixmedins_code, request, ectoken_ttl, now)
        store.stage(TOPIC, voucher_used_event(owner, fixmedins_code, now))
    return {
        "idNo": who.certno,
        "idType": who.psn_cert_type,
        "userName": who.psn_name,
        "ecToken": token,
        "insuOrg": owner.insuplc_admdvs,
        "ecIndexNo": owner.voucher_id,
        "gender": who.gend or "",
        "birthday": (who.brdy or "").replace("-", "."),
        "nationality": who.naty or "",
    }


def mint_ec_token(
    store: Store, owner: Any, fixmedins_code: str, request: DecodeRequest, ttl: int, now: dt.datetime
) -> str:
    # 40 chars: the insured area, "ec", 32 random hex; opaque to everyone but this service.
    token = f"{owner.insuplc_admdvs}ec{secrets.token_hex(16)}"
    store.add_ec_token(
        {
            "ec_token": token,
            "voucher_id": owner.voucher_id,
            "psn_no": owner.psn_no,
            "fixmedins_code": fixmedins_code,
            "business_type": request.business_type,
            "operator_id": request.operator_id[:20],
            "office_name": request.office_name[:30],
            "created_at": now,
            "expires_at": now + dt.timedelta(seconds=ttl),
        }
    )
    return token


def resolve_ec_token(units: Units, token: str, fixmedins_code: str, now: dt.datetime) -> dict[str, Any]:
    with units() as store:
        return resolve_in(store, token, fixmedins_code, now)


def resolve_in(store: Store, token: str, fixmedins_code: str, now: dt.datetime) -> dict[str, Any]:
    row = store.ec_token(token)
    if row is None or utc(row.expires_at) <= now:
        raise NotFound("ectoken_unknown", "this ecToken is unknown or has expired; scan the patient's QR code again")
    if row.fixmedins_code != fixmedins_code:
        raise Forbidden(
            "ectoken_foreign", "this ecToken was issued to another institution; scan the patient's QR code here"
        )
    owner, who = store.voucher_and_person(row.voucher_id)
    if owner.status != rules.ACTIVE:
        raise NotFound("ectoken_unknown", f"the patient's voucher is {owner.status}; this ecToken is no longer valid")
    return {
        "psn_no": who.psn_no,
        "psn_cert_type": who.psn_cert_type,
        "certno": who.certno,
        "psn_name": who.psn_name,
        "insuplc_admdvs": owner.insuplc_admdvs,
        "expires_at": utc(row.expires_at).isoformat(),
    }
