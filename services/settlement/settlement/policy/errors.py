"""Domain errors of the settlement arithmetic.

Each carries a stable machine `code` (the API edge maps it to problem+json or to the
national envelope's err_msg) and a message a hospital clerk can act on.
"""

from __future__ import annotations


class SettlementRuleError(Exception):
    """A settlement the rules refuse; `code` is stable, `message` is for the clerk."""

    code = "SETTLEMENT_REFUSED"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class FeeLineAmountMismatch(SettlementRuleError):
    """A fee line whose amount is not its quantity times its unit price."""

    code = "FEE_LINE_AMOUNT_MISMATCH"


class ChronicFilingRequired(SettlementRuleError):
    """med_type 14 without an active chronic-disease filing for the disease."""

    code = "CHRONIC_FILING_REQUIRED"


class UnsupportedVisit(SettlementRuleError):
    """A med_type, insutype, hospital level or tier this policy cannot settle."""

    code = "UNSUPPORTED_VISIT"


class PolicyMismatch(SettlementRuleError):
    """The policy handed in is not the insured region's policy for this person."""

    code = "POLICY_MISMATCH"


class PolicyDataError(SettlementRuleError):
    """Versioned policy data that is malformed or lacks a parameter the visit needs."""

    code = "POLICY_DATA_INVALID"
