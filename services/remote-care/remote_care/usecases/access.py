"""Who may still call: a phone session lives only as long as its voucher binding, and a
partner's nonce is spent once."""

from __future__ import annotations

import datetime as dt

from .ports import Stores


def why_session_ended(stores: Stores, psn_no: str, issued_at: int) -> str | None:
    """Why a phone session issued at `issued_at` (unix seconds) no longer works; None while it does.

    The session belongs to the voucher binding it was opened under. A person whose voucher
    remote-care has not heard of yet (events still on their way) keeps the session: the token
    itself is signed by e-voucher and expires on its own.
    """
    with stores.reading() as store:
        rows = store.voucher_states(psn_no)
    if not rows:
        return None
    active = [row.activated_at for row in rows if row.status == "active"]
    if not active:
        states = {row.status for row in rows}
        state = "frozen" if "frozen" in states else "revoked"
        return f"this person's e-voucher is {state}; phone sessions end with it (activate or unfreeze it in the e-voucher app)"
    bound_at = max(_aware(moment) for moment in active)
    # To the second: e-voucher issues the activation's own token in the same second it binds.
    if issued_at < int(bound_at.timestamp()):
        return "the e-voucher was bound again after this session began (activated anew or reclaimed); log in again"
    return None


def _aware(moment: dt.datetime) -> dt.datetime:
    """Stored UTC times come back naive from SQLite."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def record_partner_nonce(stores: Stores, key_id: str, nonce: str, window_seconds: int) -> bool:
    """False when the nonce was already used inside the window (a replayed request).

    The common nonce store: two replicas that see one nonce at the same instant meet on the
    primary key (INSERT ... ON CONFLICT DO NOTHING), so one serves and the other refuses.
    """
    with stores.writing() as store:
        return store.first_use_of_nonce(key_id, nonce, window_seconds)
