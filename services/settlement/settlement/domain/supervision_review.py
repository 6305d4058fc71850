"""The bureau's review of violations (基金监管): where a violation's review stands and what may come next.

A violation is found at a final settlement and stored open. A reviewer confirms it or dismisses it;
a confirmed violation may have money recovered from the institution (追回), in one or more steps,
never more in all than its vola_amt. A settlement reversed while its violations are still open
withdraws them. The institution may answer with evidence (疑点举证) while a violation is open or
confirmed. Pure: no storage here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from medshared.errors import Conflict, Invalid
from medshared.jsonutil import dumps, loads
from medshared.money import ZERO, NotMoney, to_decimal
from medshared.national import new_refmsgid

OPEN, CONFIRMED, DISMISSED, WITHDRAWN = "open", "confirmed", "dismissed", "withdrawn"
STATUSES = (OPEN, CONFIRMED, DISMISSED, WITHDRAWN)
CONFIRM, DISMISS, RECOVER, WITHDRAW = "confirm", "dismiss", "recover", "withdraw"
EVIDENCE_OPEN_TO = frozenset({OPEN, CONFIRMED})
MAX_EVIDENCE = 20  # answers one institution may give to one violation
MAX_AMOUNT = Decimal("99999999999999.99")  # N(16,2)

_REQUIRED = (
    "setl_id",
    "mdtrt_id",
    "psn_no",
    "fixmedins_code",
    "admdvs",
    "rule_set_version",
    "rule_id",
    "category",
    "severity",
    "action",
    "vola_cont",
    "vola_amt",
    "found_at",
)


def new_jr_id(admdvs: str, moment: dt.datetime) -> str:
    """A violation's jr_id (违规标识): "JR" + the national id shape (admdvs + yyyyMMddHHmmss + 10 digits)."""
    return "JR" + new_refmsgid(admdvs[:6], moment)


def month_of(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m}"


def new_violation_row(values: Mapping[str, Any]) -> dict[str, Any]:
    """A violation row as stored: the values a settlement gives, completed (jr_id, month, status open,
    nothing recovered, version 1); line_keys as a JSON list. Raises ValueError naming a missing field."""
    missing = [name for name in _REQUIRED if values.get(name) in (None, "")]
    if missing:
        raise ValueError(f"a violation needs {', '.join(missing)}")
    found_at: dt.datetime = values["found_at"]
    keys = values.get("line_keys") or []
    row = {
        "rule_name": "",
        "vola_bhvr_type": "",
        "evidence": "",
        **values,
        "vola_amt": to_decimal(values["vola_amt"]),
        "line_keys": keys if isinstance(keys, str) else dumps(list(keys)),
        "category": str(values["category"]),
        "severity": str(values["severity"]),
        "action": str(values["action"]),
        "status": OPEN,
        "recovered_amt": ZERO,
        "reviewer": None,
        "reviewed_at": None,
        "review_note": None,
        "withdrawn_by": None,
        "withdrawn_at": None,
        "version": 1,
    }
    row["jr_id"] = values.get("jr_id") or new_jr_id(str(values["admdvs"]), found_at)
    row["month"] = values.get("month") or month_of(found_at)
    return row


# ---------------------------------------------------------------- review steps


@dataclass(frozen=True)
class Step:
    """One review step: what changes on the violation, and the trail row it leaves."""

    step: str
    status_before: str
    status_after: str
    changes: dict[str, Any]
    amount: Decimal | None = None
    note: str | None = None


def decide(row: Any, step: str, *, reviewer: str, at: dt.datetime, note: str | None) -> Step:
    """A reviewer's decision on an open violation: confirm or dismiss it (a dismissal says why)."""
    if step not in (CONFIRM, DISMISS):
        raise Invalid("step_unknown", f"a review step is {CONFIRM} or {DISMISS}, not {step}")
    if row.status != OPEN:
        raise Conflict(
            "not_open",
            f"violation {row.jr_id} is {row.status}; only an open violation can be confirmed or dismissed",
        )
    if step == DISMISS and not (note or "").strip():
        raise Invalid("note_required", "say in note why the violation is dismissed", field="note")
    after = CONFIRMED if step == CONFIRM else DISMISSED
    changes = {"status": after, "reviewer": reviewer, "reviewed_at": at, "review_note": note}
    return Step(step, row.status, after, changes, note=note)


def recovery_amount(value: object) -> Decimal:
    """A recovered amount as sent: a positive amount with at most two decimals (N(16,2))."""
    try:
        amount = to_decimal(value)
    except NotMoney:
        raise Invalid("amount_invalid", "amount must be an amount in yuan, e.g. 120.50", field="amount") from None
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid(
            "amount_invalid", f"amount {amount} has more than two decimals: send yuan and fen", field="amount"
        )
    if amount <= 0:
        raise Invalid("amount_invalid", f"amount must be more than 0.00, not {amount}", field="amount")
    if amount > MAX_AMOUNT:
        raise Invalid("amount_invalid", f"amount must be at most {MAX_AMOUNT}", field="amount")
    return amount.quantize(Decimal("0.01"))


def recover(row: Any, amount: Decimal, *, reviewer: str, note: str | None) -> Step:
    """Money recovered from the institution for a confirmed violation; all recoveries together stay
    within its vola_amt."""
    if row.status != CONFIRMED:
        raise Conflict(
            "not_confirmed",
            f"violation {row.jr_id} is {row.status}; money is recovered only for a confirmed violation "
            "(confirm it first)",
        )
    remaining = Decimal(row.vola_amt) - Decimal(row.recovered_amt)
    if amount > remaining:
        raise Conflict(
            "over_recovered",
            f"amount {amount} is more than the {remaining:.2f} still to recover of violation {row.jr_id} "
            f"(vola_amt {Decimal(row.vola_amt):.2f}, recovered {Decimal(row.recovered_amt):.2f})",
            field="amount",
        )
    total = (Decimal(row.recovered_amt) + amount).quantize(Decimal("0.01"))
    return Step(RECOVER, row.status, row.status, {"recovered_amt": total}, amount=amount, note=note)


def withdraw(row: Any, *, by_setl_id: str, at: dt.datetime) -> Step:
    """An open violation whose settlement was reversed."""
    changes = {"status": WITHDRAWN, "withdrawn_by": by_setl_id, "withdrawn_at": at}
    return Step(WITHDRAW, row.status, WITHDRAWN, changes, note=f"settlement {row.setl_id} reversed by {by_setl_id}")


def check_evidence(row: Any, given: int) -> None:
    """The institution may answer an open or confirmed violation, up to MAX_EVIDENCE times."""
    if row.status not in EVIDENCE_OPEN_TO:
        raise Conflict(
            "closed",
            f"violation {row.jr_id} is {row.status}: there is nothing to answer",
        )
    if given >= MAX_EVIDENCE:
        raise Conflict(
            "evidence_limit",
            f"violation {row.jr_id} already has {MAX_EVIDENCE} answers; the reviewer reads them before more",
        )


def trail_row(jr_id: str, step: Step, *, actor: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "jr_id": jr_id,
        "step": step.step,
        "actor": actor,
        "at": at,
        "status_before": step.status_before,
        "status_after": step.status_after,
        "amount": step.amount,
        "note": step.note,
    }


# ---------------------------------------------------------------- monthly figures


@dataclass
class Figures:
    """One institution's month (or a month's total): violations and amounts by where their review stands.

    violations = open + confirmed + dismissed + withdrawn, and the same for the amounts; recovered is
    part of the confirmed amount, outstanding is what remains to recover of it."""

    violations: int = 0
    vola_amt: Decimal = ZERO
    by_status: dict[str, tuple[int, Decimal]] = field(default_factory=lambda: {s: (0, ZERO) for s in STATUSES})
    recovered_amt: Decimal = ZERO

    def add(self, status: str, count: int, vola_amt: Decimal, recovered_amt: Decimal) -> None:
        n, amount = self.by_status[status]
        self.by_status[status] = (n + count, amount + vola_amt)
        self.violations += count
        self.vola_amt += vola_amt
        self.recovered_amt += recovered_amt

    @property
    def outstanding_amt(self) -> Decimal:
        return self.by_status[CONFIRMED][1] - self.recovered_amt


def monthly_figures(groups: Iterable[Any]) -> tuple[dict[str, Figures], Figures]:
    """Per-institution figures and their total from rows grouped by (fixmedins_code, status): violations,
    vola_amt, recovered_amt."""
    institutions: dict[str, Figures] = {}
    total = Figures()
    for g in groups:
        status = g.status if g.status in STATUSES else OPEN
        vola, recovered = Decimal(g.vola_amt or 0), Decimal(g.recovered_amt or 0)
        institutions.setdefault(g.fixmedins_code, Figures()).add(status, int(g.violations), vola, recovered)
        total.add(status, int(g.violations), vola, recovered)
    return dict(sorted(institutions.items())), total


def line_keys(row: Any) -> Sequence[str]:
    """The offending lines of a stored violation (feedetl_sn)."""
    keys = loads(row.line_keys) if isinstance(row.line_keys, str) else row.line_keys
    return [str(k) for k in keys or []]
