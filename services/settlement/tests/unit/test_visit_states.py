"""Which call may come when, and what the clerk is told otherwise."""

from __future__ import annotations

import pytest

from settlement.domain import visits as vs
from settlement.domain.errors import Refused

ALLOWED = [
    ("2203", vs.OUTPATIENT, vs.REGISTERED),
    ("2204", vs.OUTPATIENT, vs.INFO_UPLOADED),
    ("2207", vs.OUTPATIENT, vs.INFO_UPLOADED),
    ("2301", vs.INPATIENT, vs.ADMITTED),
    ("2402", vs.INPATIENT, vs.ADMITTED),
    ("2304", vs.INPATIENT, vs.DISCHARGED),
    ("2304-mid", vs.INPATIENT, vs.ADMITTED),
    ("2405", vs.INPATIENT, vs.DISCHARGED),
]
REFUSED = [
    ("2204", vs.OUTPATIENT, vs.REGISTERED, "upload the visit information (2203) before the fee lines"),
    ("2207", vs.OUTPATIENT, vs.REGISTERED, "upload the visit information (2203) and fee lines (2204) before settling"),
    ("2202", vs.OUTPATIENT, vs.SETTLED, "reverse its settlement (2208) first"),
    ("2304", vs.INPATIENT, vs.ADMITTED, "register the discharge (2402) before the final settlement"),
    ("2304-mid", vs.INPATIENT, vs.DISCHARGED, "for a patient still in hospital"),
    ("2402", vs.INPATIENT, vs.DISCHARGED, "only an admitted patient can be discharged"),
    ("2204", vs.OUTPATIENT, vs.CANCELLED, "was cancelled; open a new visit"),
    ("2301", vs.OUTPATIENT, vs.INFO_UPLOADED, "needs an inpatient visit opened with 2401"),
]


@pytest.mark.parametrize(("action", "kind", "status"), ALLOWED)
def test_a_call_in_its_turn_is_allowed(action, kind, status):
    vs.require(action, kind, status, "M1")


@pytest.mark.parametrize(("action", "kind", "status", "advice"), REFUSED)
def test_a_call_out_of_turn_says_what_must_come_first(action, kind, status, advice):
    with pytest.raises(Refused) as refused:
        vs.require(action, kind, status, "M1")
    assert advice in refused.value.message


@pytest.mark.parametrize(
    ("kind", "mid", "before", "after_setl", "after_reversal"),
    [
        (vs.OUTPATIENT, False, vs.INFO_UPLOADED, vs.SETTLED, vs.INFO_UPLOADED),
        (vs.INPATIENT, False, vs.DISCHARGED, vs.SETTLED, vs.DISCHARGED),
        (vs.INPATIENT, True, vs.ADMITTED, vs.ADMITTED, vs.ADMITTED),
    ],
)
def test_settling_and_reversing_move_the_visit_back_and_forth(kind, mid, before, after_setl, after_reversal):
    settled = vs.after_settlement(kind, mid, before)
    assert settled == after_setl
    assert vs.after_reversal(kind, mid, settled) == after_reversal
