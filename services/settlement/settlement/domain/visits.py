"""Visit state machines: which call may come when, and what must come first.

Outpatient: registered (2201) -> info_uploaded (2203) -> fee lines (2204) -> settled (2207)
-> back to info_uploaded when reversed (2208). Inpatient: admitted (2401) -> fee lines
(2301) -> discharged (2402) -> settled (2304); a mid-stay settlement (mid_setl_flag 1)
keeps the patient admitted. A cancelled visit accepts nothing.
"""

from __future__ import annotations

from .errors import Refused

OUTPATIENT = "outpatient"
INPATIENT = "inpatient"

REGISTERED = "registered"
INFO_UPLOADED = "info_uploaded"
ADMITTED = "admitted"
DISCHARGED = "discharged"
SETTLED = "settled"
CANCELLED = "cancelled"

# action -> (visit kind, states that allow it, what to tell the clerk otherwise)
_RULES: dict[str, tuple[str, frozenset[str], str]] = {
    "2202": (
        OUTPATIENT,
        frozenset({REGISTERED, INFO_UPLOADED}),
        "a settled visit cannot be cancelled; reverse its settlement (2208) first",
    ),
    "2203": (
        OUTPATIENT,
        frozenset({REGISTERED, INFO_UPLOADED}),
        "the visit information can only change before settlement; reverse the settlement (2208) first",
    ),
    "2204": (
        OUTPATIENT,
        frozenset({INFO_UPLOADED, SETTLED}),
        "upload the visit information (2203) before the fee lines",
    ),
    "2205": (
        OUTPATIENT,
        frozenset({INFO_UPLOADED, SETTLED}),
        "upload the visit information (2203) and fee lines (2204) first",
    ),
    "2206": (
        OUTPATIENT,
        frozenset({INFO_UPLOADED, SETTLED}),
        "upload the visit information (2203) and fee lines (2204) before settling",
    ),
    "2301": (
        INPATIENT,
        frozenset({ADMITTED, DISCHARGED}),
        "fee lines are uploaded between admission (2401) and settlement",
    ),
    "2302": (
        INPATIENT,
        frozenset({ADMITTED, DISCHARGED}),
        "fee lines can only be withdrawn before the stay is settled",
    ),
    "2402": (INPATIENT, frozenset({ADMITTED}), "only an admitted patient can be discharged"),
    "2403": (INPATIENT, frozenset({ADMITTED, DISCHARGED}), "the admission can only change before the stay is settled"),
    "2404": (
        INPATIENT,
        frozenset({ADMITTED}),
        "only an admission without discharge or settlement can be cancelled; undo those first (2405 / 2305)",
    ),
    "2405": (INPATIENT, frozenset({DISCHARGED}), "only a discharged, unsettled stay can have its discharge undone"),
    "2303-mid": (
        INPATIENT,
        frozenset({ADMITTED}),
        "a mid-stay settlement (mid_setl_flag 1) is for a patient still in hospital",
    ),
    "2303": (
        INPATIENT,
        frozenset({DISCHARGED}),
        "register the discharge (2402) before the final settlement, or send mid_setl_flag 1",
    ),
}
_RULES["2207"] = _RULES["2206"]
_RULES["2304"] = _RULES["2303"]
_RULES["2304-mid"] = _RULES["2303-mid"]


def require(action: str, kind: str, status: str, mdtrt_id: str) -> None:
    """Refuse `action` on a visit in `status`, saying what must come first."""
    wanted_kind, allowed, advice = _RULES[action]
    if kind != wanted_kind:
        other = "2201" if wanted_kind == OUTPATIENT else "2401"
        raise Refused(
            f"mdtrt_id {mdtrt_id} is an {kind} visit; infno {action[:4]} needs an {wanted_kind} visit "
            f"opened with {other}",
            code="WRONG_VISIT_KIND",
        )
    if status == CANCELLED:
        raise Refused(f"mdtrt_id {mdtrt_id} was cancelled; open a new visit", code="VISIT_CANCELLED")
    if status not in allowed:
        raise Refused(f"mdtrt_id {mdtrt_id} is {status}: {advice}", code="OUT_OF_ORDER")


def after_settlement(kind: str, mid_stay: bool, status: str) -> str:
    if kind == INPATIENT and mid_stay:
        return status
    return SETTLED


def after_reversal(kind: str, mid_stay: bool, status: str) -> str:
    if kind == OUTPATIENT:
        return INFO_UPLOADED
    return status if mid_stay else DISCHARGED
