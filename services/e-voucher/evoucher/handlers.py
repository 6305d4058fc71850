"""Use cases. Each state change and the events it causes commit in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from medshared.db import insert_if_absent, labelled_columns, split_row
from medshared.national import GatewayHeaders, GatewayRefused
from medshared.outbox import stage
from medshared.runtime import Runtime
from medshared.security import first_use_of_nonce
from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evoucher.db import (
    ec_token,
    family_binding,
    gateway_nonce,
    identity_ticket_use,
    institution,
    institution_callback_origin,
    mobile_session,
    outbox,
    person,
    person_enrollment,
    qr_code,
    settlement,
    voucher,
    voucher_change,
)
from evoucher.domain import identity, orders, qr, vouchers
from evoucher.domain.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)
from evoucher.domain.figures import rate
from evoucher.domain.identity import IdentityVerifier, VerifiedPerson
from evoucher.domain.tokens import remote_care_token
from evoucher.messaging.contracts import TOPIC, voucher_event, voucher_used_event

BUSINESS_TYPES = {
    "01101", "01102", "01103", "01104", "01201", "01202", "01203", "01204",
    "01301", "01302", "01303", "01304", "01305", "02121", "02122", "03131",
}  # fmt: skip


def utc(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes, PostgreSQL the session's zone; everything stored here is UTC."""
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# --- mobile sessions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    session_token: str
    openid: str
    expires_at: dt.datetime
    voucher: dict[str, Any] | None
    remote_care_token: str | None


def log_in(runtime: Runtime, openid: str, *, ttl_seconds: int, mobile_secret: str, now: dt.datetime) -> Login:
    token = secrets.token_urlsafe(32)
    expires_at = now + dt.timedelta(seconds=ttl_seconds)
    with runtime.unit_of_work() as session:
        session.execute(
            insert(mobile_session).values(token_hash=_hash(token), openid=openid, created_at=now, expires_at=expires_at)
        )
        own = _own_voucher(session, openid)
    return Login(
        session_token=token,
        openid=openid,
        expires_at=expires_at,
        voucher=voucher_view(own) if own else None,
        remote_care_token=_remote_care(mobile_secret, openid, own.psn_no, expires_at) if own else None,
    )


def _remote_care(secret: str, openid: str, psn_no: str, expires_at: dt.datetime) -> str:
    return remote_care_token(secret, openid, psn_no, int(expires_at.timestamp()))


def openid_for_session(session: Session, token: str, now: dt.datetime) -> str:
    row = session.execute(select(mobile_session).where(mobile_session.c.token_hash == _hash(token))).first()
    if row is None or utc(row.expires_at) <= now:
        raise Unauthenticated("session", "your session has ended; log in again")
    return str(row.openid)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- vouchers -------------------------------------------------------------------------------


def voucher_view(row: Row[Any]) -> dict[str, Any]:
    return {
        "voucher_id": row.voucher_id,
        "psn_no": row.psn_no,
        "insuplc_admdvs": row.insuplc_admdvs,
        "status": row.status,
        "activated_at": utc(row.activated_at).isoformat(),
        "version": row.version,
    }


def _own_voucher(session: Session, openid: str) -> Row[Any] | None:
    return session.execute(select(voucher).where(voucher.c.active_openid == openid)).first()


def _require_own_voucher(session: Session, openid: str) -> Row[Any]:
    row = _own_voucher(session, openid)
    if row is None:
        raise NotFound("no_voucher", "this account has no voucher yet; activate one with your name and ID number")
    return row


def _person(session: Session, psn_no: str) -> Row[Any]:
    return session.execute(select(person).where(person.c.psn_no == psn_no)).one()


def _voucher_and_person(session: Session, voucher_id: str) -> tuple[Any, Any]:
    """A voucher and its holder in one statement."""
    row = session.execute(
        select(*labelled_columns(voucher, person))
        .join_from(voucher, person, person.c.psn_no == voucher.c.psn_no)
        .where(voucher.c.voucher_id == voucher_id)
    ).one()
    owner, who = split_row(row, voucher, person)
    return owner, who


def _person_by_identity(session: Session, psn_name: str, certno: str) -> vouchers.PersonRecord | None:
    for row in session.execute(select(person).where(person.c.certno == certno.strip().upper())).all():
        record = vouchers.PersonRecord(row.psn_no, row.psn_cert_type, row.certno, row.psn_name, row.death_date)
        if vouchers.identity_matches(record, psn_name, certno):
            return record
    return None


def _active_pools(session: Session, psn_no: str) -> list[str]:
    rows = session.execute(
        select(person_enrollment.c.insuplc_admdvs).where(
            person_enrollment.c.psn_no == psn_no, person_enrollment.c.status == "active"
        )
    ).scalars()
    return list(rows)


def verify_identity(verifier: IdentityVerifier, ticket: str, what: str, now: dt.datetime) -> VerifiedPerson:
    """The person the provider's ticket vouches for (signature and expiry checked; single use is the caller's)."""
    return verifier.verify(identity.required(ticket, what), int(now.timestamp()))


def _use_ticket(session: Session, verified: VerifiedPerson, openid: str, purpose: str, now: dt.datetime) -> None:
    """Record the ticket with the change it allows: one identity check, one change."""
    fresh = insert_if_absent(
        session,
        identity_ticket_use,
        {
            "ticket_id": verified.ticket_id,
            "openid": openid,
            "purpose": purpose,
            "used_at": now,
            "expires_at": dt.datetime.fromtimestamp(verified.expires_at, dt.UTC),
        },
    )
    if not fresh:
        raise Invalid("identity_ticket", "this identity check was already used; do the face check again")


def activate(
    runtime: Runtime,
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
    with runtime.unit_of_work() as session:
        found = _person_by_identity(session, psn_name, certno)
        pool = vouchers.check_can_activate(found, psn_name, certno, _active_pools(session, found.psn_no) if found else [])
        assert found is not None
        mine = _own_voucher(session, openid)
        if mine is not None:
            if mine.psn_no == found.psn_no:
                raise Conflict("already_active", "your voucher is already activated on this account")
            raise Conflict(
                "openid_taken", "this WeChat account already holds another person's voucher; revoke it before activating"
            )
        _use_ticket(session, verified, openid, "activation", now)
        voucher_id = secrets.token_hex(16)
        elsewhere = session.execute(select(voucher).where(voucher.c.active_psn_no == found.psn_no)).first()
        if elsewhere is not None:
            _end_for_reclaim(session, elsewhere, openid, voucher_id, now)
        try:
            session.execute(
                insert(voucher).values(
                    voucher_id=voucher_id,
                    psn_no=found.psn_no,
                    openid=openid,
                    active_psn_no=found.psn_no,
                    active_openid=openid,
                    insuplc_admdvs=pool,
                    status=vouchers.ACTIVE,
                    activated_at=now,
                    updated_at=now,
                    version=1,
                )
            )
        except IntegrityError:
            raise Conflict("voucher_elsewhere", "this voucher was activated a moment ago; refresh and check") from None
        row = session.execute(select(voucher).where(voucher.c.voucher_id == voucher_id)).one()
        extra = {"reclaimed_from": elsewhere.voucher_id} if elsewhere is not None else {}
        stage(session, outbox, TOPIC, voucher_event("VoucherActivated", row, **extra))
    expires_at = now + dt.timedelta(seconds=session_ttl)
    return voucher_view(row), _remote_care(mobile_secret, openid, row.psn_no, expires_at)


def _end_for_reclaim(session: Session, old: Row[Any], openid: str, new_voucher_id: str, now: dt.datetime) -> None:
    session.execute(
        update(voucher)
        .where(voucher.c.voucher_id == old.voucher_id)
        .values(status=vouchers.REVOKED, active_psn_no=None, active_openid=None, updated_at=now, version=old.version + 1)
    )
    session.execute(
        insert(voucher_change).values(
            voucher_id=old.voucher_id, command="revoke", actor="person", actor_id=openid,
            reason="reclaimed by the holder after an identity check", changed_at=now,
        )
    )  # fmt: skip
    # The other account keeps nothing: its sessions end, and consents or requests made from it lapse.
    session.execute(delete(mobile_session).where(mobile_session.c.openid == old.openid))
    session.execute(
        update(family_binding)
        .where(
            or_(family_binding.c.guardian_psn_no == old.psn_no, family_binding.c.dependant_psn_no == old.psn_no),
            family_binding.c.status.in_(["requested", "consented"]),
        )
        .values(status="withdrawn", withdrawn_at=now)
    )
    revoked = session.execute(select(voucher).where(voucher.c.voucher_id == old.voucher_id)).one()
    stage(session, outbox, TOPIC, voucher_event("VoucherRevoked", revoked, reason="reclaimed", replaced_by=new_voucher_id))


def my_voucher(runtime: Runtime, openid: str) -> dict[str, Any]:
    with runtime.unit_of_work() as session:
        return voucher_view(_require_own_voucher(session, openid))


def change_own_voucher(runtime: Runtime, openid: str, command: str, reason: str, now: dt.datetime) -> dict[str, Any]:
    with runtime.unit_of_work() as session:
        row = _require_own_voucher(session, openid)
        return _change(session, row, command, "person", openid, reason, now)


def change_voucher_as_operator(
    runtime: Runtime, voucher_id: str, command: str, operator_id: str, reason: str, now: dt.datetime
) -> dict[str, Any]:
    with runtime.unit_of_work() as session:
        row = session.execute(select(voucher).where(voucher.c.voucher_id == voucher_id)).first()
        if row is None:
            raise NotFound("no_voucher", f"no voucher {voucher_id}")
        return _change(session, row, command, "operator", operator_id, reason, now)


def _change(
    session: Session, row: Row[Any], command: str, actor: str, actor_id: str, reason: str, now: dt.datetime
) -> dict[str, Any]:
    status, event_type = vouchers.transition(row.status, command)
    values: dict[str, Any] = {"status": status, "updated_at": now, "version": row.version + 1}
    if status == vouchers.REVOKED:
        values.update(active_psn_no=None, active_openid=None)
    session.execute(update(voucher).where(voucher.c.voucher_id == row.voucher_id).values(**values))
    session.execute(
        insert(voucher_change).values(
            voucher_id=row.voucher_id, command=command, actor=actor, actor_id=actor_id, reason=reason[:200], changed_at=now
        )
    )
    changed = session.execute(select(voucher).where(voucher.c.voucher_id == row.voucher_id)).one()
    stage(session, outbox, TOPIC, voucher_event(event_type, changed))
    return voucher_view(changed)


# --- family binding (亲情账户) ----------------------------------------------------------------


def _binding_view(row: Row[Any], session: Session) -> dict[str, Any]:
    return {
        "binding_id": row.binding_id,
        "guardian_psn_no": row.guardian_psn_no,
        "guardian_name": _person(session, row.guardian_psn_no).psn_name,
        "dependant_psn_no": row.dependant_psn_no,
        "dependant_name": _person(session, row.dependant_psn_no).psn_name,
        "relation": row.relation,
        "status": row.status,
    }


def request_family_binding(
    runtime: Runtime,
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
    with runtime.unit_of_work() as session:
        own = _require_own_voucher(session, openid)
        holder = _person(session, own.psn_no)
        identity.check_presented(verified, openid, holder.certno, holder.psn_name, "yourself, the holder of this account")
        dependant = _person_by_identity(session, psn_name, certno)
        if dependant is None:
            raise Invalid("identity_mismatch", vouchers.IDENTITY_MISMATCH)
        if dependant.psn_no == own.psn_no:
            raise Invalid("self_binding", "you cannot add yourself as a family member")
        existing = session.execute(
            select(family_binding).where(
                family_binding.c.guardian_psn_no == own.psn_no,
                family_binding.c.dependant_psn_no == dependant.psn_no,
                family_binding.c.status.in_(["requested", "consented"]),
            )
        ).first()
        if existing:
            return _binding_view(existing, session)
        _use_ticket(session, verified, openid, "family", now)
        binding_id = secrets.token_hex(16)
        session.execute(
            insert(family_binding).values(
                binding_id=binding_id,
                guardian_psn_no=own.psn_no,
                dependant_psn_no=dependant.psn_no,
                relation=relation,
                status="requested",
                requested_at=now,
            )
        )
        return _binding_view(_binding(session, binding_id), session)


def _binding(session: Session, binding_id: str) -> Row[Any]:
    row = session.execute(select(family_binding).where(family_binding.c.binding_id == binding_id)).first()
    if row is None:
        raise NotFound("no_binding", "no such family binding")
    return row


def list_family(runtime: Runtime, openid: str) -> list[dict[str, Any]]:
    with runtime.unit_of_work() as session:
        own = _require_own_voucher(session, openid)
        rows = session.execute(
            select(family_binding)
            .where(
                or_(family_binding.c.guardian_psn_no == own.psn_no, family_binding.c.dependant_psn_no == own.psn_no),
                family_binding.c.status != "withdrawn",
            )
            .order_by(family_binding.c.requested_at)
        ).all()
        return [_binding_view(r, session) for r in rows]


def consent_family_binding(runtime: Runtime, openid: str, binding_id: str, now: dt.datetime) -> dict[str, Any]:
    """Only the dependant, from their own account, can consent."""
    with runtime.unit_of_work() as session:
        own = _require_own_voucher(session, openid)
        row = _binding(session, binding_id)
        if row.dependant_psn_no != own.psn_no:
            raise Forbidden("not_dependant", "only the family member being added can consent, from their own account")
        if row.status != "requested":
            raise Conflict("binding_state", f"this binding is {row.status}")
        session.execute(
            update(family_binding)
            .where(family_binding.c.binding_id == binding_id)
            .values(status="consented", consented_at=now)
        )
        return _binding_view(_binding(session, binding_id), session)


def withdraw_family_binding(runtime: Runtime, openid: str, binding_id: str, now: dt.datetime) -> dict[str, Any]:
    """Either side may end a binding at any time."""
    with runtime.unit_of_work() as session:
        own = _require_own_voucher(session, openid)
        row = _binding(session, binding_id)
        if own.psn_no not in (row.guardian_psn_no, row.dependant_psn_no):
            raise Forbidden("not_party", "this family binding is not yours")
        session.execute(
            update(family_binding)
            .where(family_binding.c.binding_id == binding_id)
            .values(status="withdrawn", withdrawn_at=now)
        )
        return _binding_view(_binding(session, binding_id), session)


def voucher_for_subject(session: Session, openid: str, psn_no: str | None) -> Row[Any]:
    """The voucher this account may act for: its own, or a consenting dependant's."""
    own = _require_own_voucher(session, openid)
    if psn_no is None or psn_no == own.psn_no:
        return own
    consented = session.execute(
        select(family_binding.c.binding_id).where(
            family_binding.c.guardian_psn_no == own.psn_no,
            family_binding.c.dependant_psn_no == psn_no,
            family_binding.c.status == "consented",
        )
    ).first()
    vouchers.check_family_access(consented is not None)
    target = session.execute(select(voucher).where(voucher.c.active_psn_no == psn_no)).first()
    if target is None:
        raise NotFound("no_voucher", "this family member has no active voucher; they must activate one first")
    return target


# --- dynamic QR and institution decode ---------------------------------------------------------


def issue_qr(
    runtime: Runtime, openid: str, psn_no: str | None, *, secret: str, ttl_seconds: int, now: dt.datetime
) -> qr.QrCode:
    with runtime.unit_of_work() as session:
        target = voucher_for_subject(session, openid, psn_no)
        vouchers.check_can_show_code(target.status)
        code = qr.mint(secret, int(now.timestamp()), ttl_seconds)
        session.execute(
            insert(qr_code).values(
                qr_id=code.qr_id,
                voucher_id=target.voucher_id,
                psn_no=target.psn_no,
                shown_by_openid=openid,
                created_at=now,
                expires_at=dt.datetime.fromtimestamp(code.expires_at, dt.UTC),
            )
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
    runtime: Runtime, fixmedins_code: str, request: DecodeRequest, *, secret: str, ectoken_ttl: int, now: dt.datetime
) -> dict[str, Any]:
    """ec.query: one decode per code, an ecToken bound to the decoding institution."""
    if request.business_type not in BUSINESS_TYPES:
        raise Invalid("business_type", f"businessType {request.business_type!r} is not a code of 附录 A.1 (e.g. 01101)")
    if not request.operator_id or not request.operator_name:
        raise Invalid("operator", "operatorId and operatorName are required")
    qr_id = qr.verify(secret, request.qr_code, int(now.timestamp()))
    with runtime.unit_of_work() as session:
        # Claim the code first: of two institutions scanning it at once, one gets it.
        claimed = session.execute(
            update(qr_code)
            .where(qr_code.c.qr_id == qr_id, qr_code.c.decoded_at.is_(None))
            .values(decoded_at=now, decoded_by=fixmedins_code)
            .returning(qr_code.c.voucher_id)
        ).first()
        if claimed is None:
            if session.execute(select(qr_code.c.qr_id).where(qr_code.c.qr_id == qr_id)).first() is None:
                raise Invalid("qr_forged", "this QR code was not issued by the e-voucher platform; ask the patient to refresh it")
            raise Invalid("qr_used", "this QR code has already been scanned; ask the patient to show a fresh code")
        owner, who = _voucher_and_person(session, claimed.voucher_id)
        if owner.status != vouchers.ACTIVE:
            raise Invalid("voucher_state", f"this voucher is {owner.status}; the patient cannot use it now")
        token = mint_ec_token(session, owner, fixmedins_code, request, ectoken_ttl, now)
        stage(session, outbox, TOPIC, voucher_used_event(owner, fixmedins_code, now))
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
    session: Session, owner: Row[Any], fixmedins_code: str, request: DecodeRequest, ttl: int, now: dt.datetime
) -> str:
    # 40 chars: the insured area, "ec", 32 random hex; opaque to everyone but this service.
    token = f"{owner.insuplc_admdvs}ec{secrets.token_hex(16)}"
    session.execute(
        insert(ec_token).values(
            ec_token=token,
            voucher_id=owner.voucher_id,
            psn_no=owner.psn_no,
            fixmedins_code=fixmedins_code,
            business_type=request.business_type,
            operator_id=request.operator_id[:20],
            office_name=request.office_name[:30],
            created_at=now,
            expires_at=now + dt.timedelta(seconds=ttl),
        )
    )
    return token


def resolve_ec_token(runtime: Runtime, token: str, fixmedins_code: str, now: dt.datetime) -> dict[str, Any]:
    with runtime.unit_of_work() as session:
        return resolve_in(session, token, fixmedins_code, now)


def resolve_in(session: Session, token: str, fixmedins_code: str, now: dt.datetime) -> dict[str, Any]:
    row = session.execute(select(ec_token).where(ec_token.c.ec_token == token)).first()
    if row is None or utc(row.expires_at) <= now:
        raise NotFound("ectoken_unknown", "this ecToken is unknown or has expired; scan the patient's QR code again")
    if row.fixmedins_code != fixmedins_code:
        raise Forbidden("ectoken_foreign", "this ecToken was issued to another institution; scan the patient's QR code here")
    owner, who = _voucher_and_person(session, row.voucher_id)
    if owner.status != vouchers.ACTIVE:
        raise NotFound("ectoken_unknown", f"the patient's voucher is {owner.status}; this ecToken is no longer valid")
    return {
        "psn_no": who.psn_no,
        "psn_cert_type": who.psn_cert_type,
        "certno": who.certno,
        "psn_name": who.psn_name,
        "insuplc_admdvs": owner.insuplc_admdvs,
        "expires_at": utc(row.expires_at).isoformat(),
    }


# --- institutions -----------------------------------------------------------------------------


def authenticate_institution(
    runtime: Runtime, headers: dict[str, str], claimed_code: str, *, production: bool, skew: int, now: dt.datetime
) -> Row[Any]:
    """Gateway headers -> the institution, which must be the one the body speaks for; each nonce serves once."""
    try:
        gateway = GatewayHeaders(headers)
    except GatewayRefused as exc:
        raise Unauthenticated("gateway", str(exc)) from None
    paasid, nonce = gateway.paasid, gateway.nonce
    try:
        with runtime.unit_of_work() as session:
            row = session.execute(select(institution).where(institution.c.fixmedins_code == paasid)).first()
            if row is None:
                raise Unauthenticated("gateway", f"x-tif-paasid {paasid} is not a registered institution")
            if production and row.gateway_token.startswith("demo-"):
                raise Unauthenticated("gateway", f"{paasid} still has its demo credential; ask the bureau for a production token")
            try:
                gateway.verify(row.gateway_token, max_skew_seconds=skew, now=now.timestamp())
            except GatewayRefused as exc:
                raise Unauthenticated("gateway", str(exc)) from None
            fresh = first_use_of_nonce(session, gateway_nonce, paasid, nonce, skew)
    except IntegrityError:
        fresh = False
    if not fresh:
        raise Unauthenticated("gateway", "x-tif-nonce was already used: sign every request, retries too, with a new nonce")
    if claimed_code != paasid:
        raise Forbidden("gateway", f"the credential of {paasid} cannot act for {claimed_code or 'an empty orgId'}")
    return row


def register_callback_origins(runtime: Runtime, fixmedins_code: str, urls: list[str]) -> list[str]:
    """Register the origins (scheme://host[:port]) an institution's 6201 callbackUrl may use."""
    origins = [orders.callback_origin(url, "callback origin") for url in urls]
    with runtime.unit_of_work() as session:
        for origin in origins:
            insert_if_absent(session, institution_callback_origin, {"fixmedins_code": fixmedins_code, "origin": origin})
    return origins


# --- what the person sees -------------------------------------------------------------------


def my_usage(runtime: Runtime, openid: str) -> list[dict[str, Any]]:
    with runtime.unit_of_work() as session:
        own = _require_own_voucher(session, openid)
        rows = session.execute(
            select(ec_token, institution.c.fixmedins_name)
            .join(institution, institution.c.fixmedins_code == ec_token.c.fixmedins_code, isouter=True)
            .where(ec_token.c.psn_no == own.psn_no)
            .order_by(ec_token.c.created_at.desc())
        ).all()
    return [
        {
            "fixmedins_code": r.fixmedins_code,
            "fixmedins_name": r.fixmedins_name,
            "business_type": r.business_type,
            "office_name": r.office_name,
            "used_at": utc(r.created_at).isoformat(),
        }
        for r in rows
    ]


def my_settlements(runtime: Runtime, openid: str) -> list[dict[str, Any]]:
    with runtime.unit_of_work() as session:
        own = _require_own_voucher(session, openid)
        rows = session.execute(
            select(settlement).where(settlement.c.psn_no == own.psn_no).order_by(settlement.c.setl_time.desc())
        ).all()
    return [
        {
            "setl_id": r.setl_id,
            "fixmedins_code": r.fixmedins_code,
            "med_type": r.med_type,
            "setl_time": r.setl_time,
            "medfee_sumamt": str(r.medfee_sumamt),
            "fund_pay_sumamt": str(r.fund_pay_sumamt),
            "acct_pay": str(r.acct_pay),
            "psn_cash_pay": str(r.psn_cash_pay),
            "with_voucher": r.mdtrt_cert_type == "01",
            "reversed": r.reversed,
            "original_setl_id": r.original_setl_id,
        }
        for r in rows
    ]


def figures(runtime: Runtime) -> list[dict[str, Any]]:
    """Per pool: activated vouchers / enrolled people; voucher settlements / all settlements.

    Reversed settlements and the reversals themselves are left out of both counts.
    """
    with runtime.unit_of_work() as session:
        alive = and_(person.c.psn_no == person_enrollment.c.psn_no, person.c.death_date.is_(None))
        enrolled = dict(
            session.execute(
                select(person_enrollment.c.insuplc_admdvs, func.count(func.distinct(person_enrollment.c.psn_no)))
                .join(person, alive)
                .where(person_enrollment.c.status == "active")
                .group_by(person_enrollment.c.insuplc_admdvs)
            ).all()
        )
        activated = dict(
            session.execute(
                select(voucher.c.insuplc_admdvs, func.count())
                .where(voucher.c.status != vouchers.REVOKED)
                .group_by(voucher.c.insuplc_admdvs)
            ).all()
        )
        standing = and_(settlement.c.reversed.is_(False), settlement.c.original_setl_id.is_(None))
        all_setl = dict(
            session.execute(
                select(settlement.c.insuplc_admdvs, func.count()).where(standing).group_by(settlement.c.insuplc_admdvs)
            ).all()
        )
        with_voucher = dict(
            session.execute(
                select(settlement.c.insuplc_admdvs, func.count())
                .where(standing, settlement.c.mdtrt_cert_type == "01")
                .group_by(settlement.c.insuplc_admdvs)
            ).all()
        )
    pools = sorted(set(enrolled) | set(activated) | set(all_setl))
    return [
        {
            "insuplc_admdvs": pool,
            "enrolled_people": enrolled.get(pool, 0),
            "activated_vouchers": activated.get(pool, 0),
            "activation_rate": _fmt(rate(activated.get(pool, 0), enrolled.get(pool, 0))),
            "settlements": all_setl.get(pool, 0),
            "voucher_settlements": with_voucher.get(pool, 0),
            "settlement_use_rate": _fmt(rate(with_voucher.get(pool, 0), all_setl.get(pool, 0))),
        }
        for pool in pools
    ]


def _fmt(value: Any) -> str | None:
    return None if value is None else str(value)
