"""Family binding (亲情账户): a guardian, after their own identity check, asks to act for a
family member; it takes effect when that member consents from their own account."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from evoucher.domain import identity
from evoucher.domain import vouchers as rules
from evoucher.domain.errors import Conflict, Forbidden, Invalid, NotFound
from evoucher.domain.identity import IdentityVerifier

from .common import person_by_identity, require_own_voucher, use_ticket, verify_identity
from .ports import Store, Units


def _view(store: Store, row: Any) -> dict[str, Any]:
    return {
        "binding_id": row.binding_id,
        "guardian_psn_no": row.guardian_psn_no,
        "guardian_name": store.person(row.guardian_psn_no).psn_name,
        "dependant_psn_no": row.dependant_psn_no,
        "dependant_name": store.person(row.dependant_psn_no).psn_name,
        "relation": row.relation,
        "status": row.status,
    }


def _binding(store: Store, binding_id: str) -> Any:
    row = store.binding(binding_id)
    if row is None:
        raise NotFound("no_binding", "no such family binding")
    return row


def request_family_binding(
    units: Units,
    openid: str,
    psn_name: str,
    certno: str,
    relation: str,
    now: dt.datetime,
    *,
    identity_ticket: str,
    verifier: IdentityVerifier,
) -> dict[str, Any]:
    """The guardian, verified by an identity check of their own, asks to add a family member."""
    verified = verify_identity(verifier, identity_ticket, "adding a family member", now)
    with units() as store:
        own = require_own_voucher(store, openid)
        holder = store.person(own.psn_no)
        identity.check_presented(
            verified, openid, holder.certno, holder.psn_name, "yourself, the holder of this account"
        )
        dependant = person_by_identity(store, psn_name, certno)
        if dependant is None:
            raise Invalid("identity_mismatch", rules.IDENTITY_MISMATCH)
        if dependant.psn_no == own.psn_no:
            raise Invalid("self_binding", "you cannot add yourself as a family member")
        existing = store.open_binding(own.psn_no, dependant.psn_no)
        if existing:
            return _view(store, existing)
        use_ticket(store, verified, openid, "family", now)
        binding_id = secrets.token_hex(16)
        store.add_binding(
            {
                "binding_id": binding_id,
                "guardian_psn_no": own.psn_no,
                "dependant_psn_no": dependant.psn_no,
                "relation": relation,
                "status": "requested",
                "requested_at": now,
            }
        )
        return _view(store, _binding(store, binding_id))


def list_family(units: Units, openid: str) -> list[dict[str, Any]]:
    with units() as store:
        own = require_own_voucher(store, openid)
        return [_view(store, row) for row in store.bindings_of(own.psn_no)]


def consent_family_binding(units: Units, openid: str, binding_id: str, now: dt.datetime) -> dict[str, Any]:
    """Only the dependant, from their own account, can consent."""
    with units() as store:
        own = require_own_voucher(store, openid)
        row = _binding(store, binding_id)
        if row.dependant_psn_no != own.psn_no:
            raise Forbidden("not_dependant", "only the family member being added can consent, from their own account")
        if row.status != "requested":
            raise Conflict("binding_state", f"this binding is {row.status}")
        store.update_binding(binding_id, status="consented", consented_at=now)
        return _view(store, _binding(store, binding_id))


def withdraw_family_binding(units: Units, openid: str, binding_id: str, now: dt.datetime) -> dict[str, Any]:
    """Either side may end a binding at any time."""
    with units() as store:
        own = require_own_voucher(store, openid)
        row = _binding(store, binding_id)
        if own.psn_no not in (row.guardian_psn_no, row.dependant_psn_no):
            raise Forbidden("not_party", "this family binding is not yours")
        store.update_binding(binding_id, status="withdrawn", withdrawn_at=now)
        return _view(store, _binding(store, binding_id))
