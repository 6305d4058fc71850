"""The voucher's life: activated, frozen, unfrozen, revoked; and who may show whose code."""

from __future__ import annotations

from dataclasses import dataclass

from evoucher.domain.errors import Conflict, Forbidden, Invalid

ACTIVE = "active"
FROZEN = "frozen"
REVOKED = "revoked"

# status -> {command: (new status, event_type)}
_TRANSITIONS: dict[str, dict[str, tuple[str, str]]] = {
    ACTIVE: {"freeze": (FROZEN, "VoucherFrozen"), "revoke": (REVOKED, "VoucherRevoked")},
    FROZEN: {"unfreeze": (ACTIVE, "VoucherUnfrozen"), "revoke": (REVOKED, "VoucherRevoked")},
    REVOKED: {},
}


def transition(status: str, command: str) -> tuple[str, str]:
    """New status and event for a command, or Conflict saying why it cannot happen now."""
    if command not in {"freeze", "unfreeze", "revoke"}:
        raise Invalid("unknown_command", f"{command!r} is not a voucher command")
    target = _TRANSITIONS[status].get(command)
    if target is None:
        raise Conflict("voucher_state", f"the voucher is {status}; it cannot be {_past(command)} now")
    return target


def _past(command: str) -> str:
    return {"freeze": "frozen", "unfreeze": "unfrozen", "revoke": "revoked"}[command]


@dataclass(frozen=True)
class PersonRecord:
    psn_no: str
    psn_cert_type: str
    certno: str
    psn_name: str
    death_date: str | None


def identity_matches(person: PersonRecord, psn_name: str, certno: str) -> bool:
    """Real-name check: both the name and the certificate number must be the enrolled ones."""
    return person.psn_name.strip() == psn_name.strip() and person.certno.strip().upper() == certno.strip().upper()


# One answer for an unknown ID number and for a known one with another name, so the answer
# never tells whether someone is insured here.
IDENTITY_MISMATCH = "the name and ID number do not match an insured person; check both against the ID card"


def check_can_activate(person: PersonRecord | None, psn_name: str, certno: str, enrolled_pools: list[str]) -> str:
    """The pool the new voucher belongs to, or an error the person can act on."""
    if person is None or not identity_matches(person, psn_name, certno):
        raise Invalid("identity_mismatch", IDENTITY_MISMATCH)
    if person.death_date:
        raise Conflict("person_deceased", "this person is recorded as deceased; a voucher cannot be activated")
    if not enrolled_pools:
        raise Conflict(
            "not_enrolled", "this person has no active insurance enrollment; ask the insurance office to enroll first"
        )
    return min(enrolled_pools)


def check_family_access(consented: bool) -> None:
    """A guardian acts for a dependant only once the dependant has consented, and until withdrawn."""
    if not consented:
        raise Forbidden("not_bound", "this voucher is not bound to your account")


def check_can_show_code(status: str) -> None:
    if status != ACTIVE:
        raise Conflict("voucher_state", f"the voucher is {status}; unfreeze it before showing a code")
