"""Who is calling and whether this call was answered before: the gateway around every transaction.

One statement reads the rows an envelope names (credential, institution, sign-in, msgid); the
signature, the institution's rate and the nonce follow; a repeated msgid gets its stored answer.
Both statements stand alone (the nonce is spent in one statement), so they run without a
transaction around them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import simplejson
from sqlalchemy import and_, bindparam, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from medshared import jsonutil
from medshared.db import labelled_columns, split_row
from medshared.hotsql import HotRead
from medshared.national import GatewayHeaders, GatewayRefused, NationalRequest
from medshared.security import RateLimiter, first_use_of_nonce, rate_limited_message
from settlement.config import Settings
from settlement.db import gateway_credential, gateway_nonce, institution, message_log, sign_in
from settlement.domain.errors import Refused, Unauthenticated
from settlement.usecases.common import HIS, MOBILE_PAY

# What makes two requests "the same" for msgid replay: the transaction and its content.
# A HIS that retries after a timeout may stamp a new inf_time, sign in again or change
# operator; that is still the same request and must get the original answer.
_REQUEST_IDENTITY = ("infno", "fixmedins_code", "mdtrtarea_admvs", "insuplc_admdvs", "input")


def body_hash(req: NationalRequest) -> str:
    """The request's identity as parsed, so 2207 and "2207", or opter_type 1 and "1", are one request."""
    identity = {key: getattr(req, key) for key in _REQUEST_IDENTITY}
    canonical = simplejson.dumps(identity, sort_keys=True, use_decimal=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Gate:
    """The rows an envelope names, each None when absent: its signer, institution, sign-in and msgid."""

    credential: Any
    institution: Any
    sign_in: Any
    message: Any


# What the gateway reads of each row: fewer columns are fewer to describe and convert on every call.
_GATE_TABLES = (
    (
        gateway_credential.c.paasid,
        gateway_credential.c.fixmedins_code,
        gateway_credential.c.token,
        gateway_credential.c.demo,
    ),
    institution,
    (sign_in.c.sign_no, sign_in.c.fixmedins_code, sign_in.c.signed_out_at),
    (message_log.c.sender, message_log.c.msgid, message_log.c.body_hash, message_log.c.response),
)


def _gate_statement() -> Any:
    anchor = select(literal(1).label("anchor")).subquery()
    source = (
        anchor.outerjoin(gateway_credential, gateway_credential.c.paasid == bindparam("sender"))
        .outerjoin(institution, institution.c.fixmedins_code == bindparam("fixmedins_code"))
        .outerjoin(sign_in, sign_in.c.sign_no == bindparam("sign_no"))
        .outerjoin(
            message_log, and_(message_log.c.sender == bindparam("sender"), message_log.c.msgid == bindparam("msgid"))
        )
    )
    return select(*labelled_columns(*_GATE_TABLES)).select_from(source)


# Built once: constructing a statement of this size costs more than running it.
_GATE = HotRead(_gate_statement())
_STORED = HotRead(
    select(message_log).where(message_log.c.sender == bindparam("sender"), message_log.c.msgid == bindparam("msgid"))
)


def read_gate(session: Session, req: NationalRequest, sender: str) -> Gate:
    """Fetch the four rows in one statement: each is looked up by its key, joined to a one-row anchor."""
    params = {"sender": sender, "fixmedins_code": req.fixmedins_code, "sign_no": req.sign_no, "msgid": req.msgid}
    return Gate(*split_row(_GATE.one(session, params), *_GATE_TABLES))


def stored_message(session: Session, sender: str, msgid: str) -> Any:
    return _STORED.first(session, {"sender": sender, "msgid": msgid})


class Gateway:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.institution_rate_per_second, settings.institution_rate_burst)

    def authenticate(self, gate: Gate, headers: Mapping[str, str], req: NationalRequest) -> tuple[Any, str]:
        """The calling institution's row and the channel (HIS or the mobile-payment centre), or a refusal."""
        try:
            gateway = GatewayHeaders(headers)
            acts_for: str | None
            if gateway.paasid == self.settings.mobile_pay_paasid:
                token, acts_for, channel = self.settings.mobile_pay_token, None, MOBILE_PAY
            else:
                cred = gate.credential
                if cred is None:
                    raise Unauthenticated(f"x-tif-paasid {gateway.paasid} is not a registered credential")
                if cred.demo and self.settings.is_production:
                    raise Unauthenticated("demo credentials are refused in production; ask the bureau for a credential")
                token, acts_for, channel = cred.token, cred.fixmedins_code, HIS
            gateway.verify(token, max_skew_seconds=self.settings.signature_max_skew_seconds)
        except GatewayRefused as exc:
            raise Unauthenticated(str(exc)) from None
        if acts_for is not None and acts_for != req.fixmedins_code:
            raise Refused(
                f"fixmedins_code {req.fixmedins_code} is not the institution of credential {gateway.paasid}",
                code="FORBIDDEN",
                http_status=403,
            )
        inst = gate.institution
        if inst is None:
            raise Refused(
                f"fixmedins_code {req.fixmedins_code} is not a designated institution", code="UNKNOWN_INSTITUTION"
            )
        if req.mdtrtarea_admvs != inst.admdvs:
            raise Refused(
                f"mdtrtarea_admvs must be {inst.admdvs}, the admdvs of {req.fixmedins_code}", code="WRONG_TREATING_AREA"
            )
        return inst, channel

    def spend_nonce_within_rate(self, session: Session, headers: Mapping[str, str], *, commit: bool = True) -> None:
        """After the signature: the institution's rate, then the nonce, which is spent even if the call
        fails. `commit=False` when the session's statements commit as they run (statement_at_a_time)."""
        paasid, nonce = headers.get("x-tif-paasid", ""), headers.get("x-tif-nonce", "")
        wait = self.limiter.retry_after(paasid)
        if wait:
            raise Refused(rate_limited_message(paasid, wait), code="RATE_LIMITED", http_status=429)
        try:
            fresh = first_use_of_nonce(session, gateway_nonce, paasid, nonce, self.settings.signature_max_skew_seconds)
            if commit:
                session.commit()
        except IntegrityError:
            fresh = False
        if not fresh:
            raise Unauthenticated("x-tif-nonce was already used: sign every request, retries too, with a new nonce")


def replay(row: Any, req: NationalRequest, digest: str) -> dict[str, Any] | None:
    """The stored answer of an earlier call with this msgid, if it was the same request."""
    if row is None:
        return None
    if row.body_hash != digest:
        raise Refused(
            f"msgid {req.msgid} was already used for a different request; every new request needs a "
            "new msgid (resend the original body to get its answer again)",
            code="MSGID_REUSED",
        )
    return dict(jsonutil.loads(row.response))


def check_sign_no(row: Any, req: NationalRequest) -> None:
    if row is None or row.fixmedins_code != req.fixmedins_code or row.signed_out_at is not None:
        raise Refused(
            "sign_no is missing, unknown or signed out; sign in with 9001 and send its sign_no", code="NOT_SIGNED_IN"
        )
