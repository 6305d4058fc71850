"""What several use cases share: the voucher an account holds or may act for, the person
behind a name and ID number, and single-use identity tickets."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from evoucher.domain import identity, vouchers
from evoucher.domain.errors import Invalid, NotFound
from evoucher.domain.identity import IdentityVerifier, VerifiedPerson
from evoucher.domain.moments import utc

from .ports import Store


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def voucher_view(row: Any) -> dict[str, Any]:
    return {
        "voucher_id": row.voucher_id,
        "psn_no": row.psn_no,
        "insuplc_admdvs": row.insuplc_admdvs,
        "status": row.status,
        "activated_at": utc(row.activated_at).isoformat(),
        "version": row.version,
    }


def require_own_voucher(store: Store, openid: str) -> Any:
    row = store.voucher_of_openid(openid)
    if row is None:
        raise NotFound("no_voucher", "this account has no voucher yet; activate one with your name and ID number")
    return row


def voucher_for_subject(store: Store, openid: str, psn_no: str | None) -> Any:
    """The voucher this account may act for: its own, or a consenting dependant's."""
    own = require_own_voucher(store, openid)
    if psn_no is None or psn_no == own.psn_no:
        return own
    vouchers.check_family_access(store.consented(own.psn_no, psn_no))
    target = store.voucher_of_person(psn_no)
    if target is None:
        raise NotFound("no_voucher", "this family member has no active voucher; they must activate one first")
    return target


def person_by_identity(store: Store, psn_name: str, certno: str) -> vouchers.PersonRecord | None:
    for row in store.people_with_certno(certno.strip().upper()):
        record = vouchers.PersonRecord(row.psn_no, row.psn_cert_type, row.certno, row.psn_name, row.death_date)
        if vouchers.identity_matches(record, psn_name, certno):
            return record
    return None


def verify_identity(verifier: IdentityVerifier, ticket: str, what: str, now: dt.datetime) -> VerifiedPerson:
    """The person the provider's ticket vouches for (signature and expiry checked; single use is the caller's)."""
    return verifier.verify(identity.required(ticket, what), int(now.timestamp()))


def use_ticket(store: Store, verified: VerifiedPerson, openid: str, purpose: str, now: dt.datetime) -> None:
    """Record the ticket with the change it allows: one identity check, one change."""
    fresh = store.use_identity_ticket(
        {
            "ticket_id": verified.ticket_id,
            "openid": openid,
            "purpose": purpose,
            "used_at": now,
            "expires_at": dt.datetime.fromtimestamp(verified.expires_at, dt.UTC),
        }
    )
    if not fresh:
        raise Invalid("identity_ticket", "this identity check was already used; do the face check again")
