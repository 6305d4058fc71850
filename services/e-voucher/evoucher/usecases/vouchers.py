"""Vouchers: activation after an identity check (reclaiming one bound elsewhere), freeze,
unfreeze and revoke by the person or an operator; each change commits with its event."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from evoucher.domain import identity
from evoucher.domain import vouchers as rules
from evoucher.domain.errors import Conflict, NotFound
from evoucher.domain.identity import IdentityVerifier
from evoucher.messaging.contracts import TOPIC, voucher_event

from .common import person_by_identity, require_own_voucher, use_ticket, verify_identity, voucher_view
from .ports import Store, Units
from .sessions import remote_care_token


def activate(
    units: Units,
    openid: str,
    psn_name: str,
    certno: str,
    *,
    identity_ticket: str,
    verifier: IdentityVerifier,
    mobile_secret: str,
    session_ttl: int,
    now: dt.datetime,
) -> tuple[dict[str, Any], str]:
    """Real-name binding after an identity check: the voucher of the person named, bound to this openid.

    A voucher active on another account is reclaimed: the person has just proved who they are,
    the other account has not. Its binding ends (the voucher is revoked, the account's sessions
    end, family bindings made from it are withdrawn) and a new voucher is bound here.
    """
    verified = verify_identity(verifier, identity_ticket, "activation", now)
    identity.check_presented(verified, openid, certno, psn_name, "the person whose voucher you activate")
    with units() as store:
        found = person_by_identity(store, psn_name, certno)
        pool = rules.check_can_activate(found, psn_name, certno, store.active_pools(found.psn_no) if found else [])
        assert found is not None
        mine = store.voucher_of_openid(openid)
        if mine is not None:
            if mine.psn_no == found.psn_no:
                raise Conflict("already_active", "your voucher is already activated on this account")
            raise Conflict(
                "openid_taken",
                "this WeChat account already holds another person's voucher; revoke it before activating",
            )
        use_ticket(store, verified, openid, "activation", now)
        voucher_id = secrets.token_hex(16)
        elsewhere = store.voucher_of_person(found.psn_no)
        if elsewhere is not None:
            _end_for_reclaim(store, elsewhere, openid, voucher_id, now)
        added = store.add_voucher(
            {
                "voucher_id": voucher_id,
                "psn_no": found.psn_no,
                "openid": openid,
                "active_psn_no": found.psn_no,
                "active_openid": openid,
                "insuplc_admdvs": pool,
                "status": rules.ACTIVE,
                "activated_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        if not added:
            raise Conflict("voucher_elsewhere", "this voucher was activated a moment ago; refresh and check")
        row = _stored(store, voucher_id)
        extra = {"reclaimed_from": elsewhere.voucher_id} if elsewhere is not None else {}
        store.stage(TOPIC, voucher_event("VoucherActivated", row, **extra))
    expires_at = now + dt.timedelta(seconds=session_ttl)
    return voucher_view(row), remote_care_token(mobile_secret, openid, row.psn_no, expires_at)


def _end_for_reclaim(store: Store, old: Any, openid: str, new_voucher_id: str, now: dt.datetime) -> None:
    store.update_voucher(
        old.voucher_id,
        status=rules.REVOKED,
        active_psn_no=None,
        active_openid=None,
        updated_at=now,
        version=old.version + 1,
    )
    store.record_voucher_change(
        {
            "voucher_id": old.voucher_id,
            "command": "revoke",
            "actor": "person",
            "actor_id": openid,
            "reason": "reclaimed by the holder after an identity check",
            "changed_at": now,
        }
    )
    # The other account keeps nothing: its sessions end, and consents or requests made from it lapse.
    store.end_sessions(old.openid)
    store.withdraw_open_bindings_of(old.psn_no, now)
    revoked = _stored(store, old.voucher_id)
    store.stage(TOPIC, voucher_event("VoucherRevoked", revoked, reason="reclaimed", replaced_by=new_voucher_id))


def _stored(store: Store, voucher_id: str) -> Any:
    """The voucher as this unit of work just wrote it (for its event and its answer)."""
    row = store.voucher(voucher_id)
    assert row is not None, voucher_id
    return row


def my_voucher(units: Units, openid: str) -> dict[str, Any]:
    with units() as store:
        return voucher_view(require_own_voucher(store, openid))


def change_own_voucher(units: Units, openid: str, command: str, reason: str, now: dt.datetime) -> dict[str, Any]:
    with units() as store:
        row = require_own_voucher(store, openid)
        return _change(store, row, command, "person", openid, reason, now)


def change_voucher_as_operator(
    units: Units, voucher_id: str, command: str, operator_id: str, reason: str, now: dt.datetime
) -> dict[str, Any]:
    with units() as store:
        row = store.voucher(voucher_id)
        if row is None:
            raise NotFound("no_voucher", f"no voucher {voucher_id}")
        return _change(store, row, command, "operator", operator_id, reason, now)


def _change(
    store: Store, row: Any, command: str, actor: str, actor_id: str, reason: str, now: dt.datetime
) -> dict[str, Any]:
    status, event_type = rules.transition(row.status, command)
    values: dict[str, Any] = {"status": status, "updated_at": now, "version": row.version + 1}
    if status == rules.REVOKED:
        values.update(active_psn_no=None, active_openid=None)
    store.update_voucher(row.voucher_id, **values)
    store.record_voucher_change(
        {
            "voucher_id": row.voucher_id,
            "command": command,
            "actor": actor,
            "actor_id": actor_id,
            "reason": reason[:200],
            "changed_at": now,
        }
    )
    changed = _stored(store, row.voucher_id)
    store.stage(TOPIC, voucher_event(event_type, changed))
    return voucher_view(changed)


def revoke_on_death(store: Store, psn_no: str) -> None:
    """Enrollment recorded the person's death: their live voucher is revoked."""
    row = store.voucher_of_person(psn_no)
    if row is None:
        return
    status, event_type = rules.transition(row.status, "revoke")
    store.update_voucher(row.voucher_id, status=status, active_psn_no=None, active_openid=None, version=row.version + 1)
    store.stage(TOPIC, voucher_event(event_type, _stored(store, row.voucher_id)))
