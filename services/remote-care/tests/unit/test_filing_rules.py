"""Filing rules, table-driven: what is accepted, what is refused and with which code."""

from __future__ import annotations

from datetime import date

import pytest

from remote_care.domain.errors import Conflict, DomainError, Refused
from remote_care.domain.filings import (
    EnrollmentView,
    ExistingFiling,
    FilingRequest,
    FilingType,
    Period,
    PersonView,
    accept_filing,
    change_values,
    revocation_end,
    temporary_last_day,
)

TODAY = date(2026, 3, 10)
OPEN = (Period("active", date(2026, 1, 1), None),)
REFERRAL_DETAILS = {"diag_code": "I21.9", "diag_name": "急性心肌梗死", "refl_fixmedins_code": "H43060000001"}


def person(
    psn_type: str = "1501", periods: tuple[Period, ...] = OPEN, death: date | None = None, pool: str = "430600"
) -> PersonView:
    enrollment = EnrollmentView(
        "390" if psn_type.startswith("15") else "310", pool, psn_type, date(2026, 1, 1), None, "active", periods
    )
    return PersonView("P1", "周敏", death, (enrollment,))


RETIREE = person("1201")
RESIDENT = person("1501")
TERMINATED = person(
    periods=(Period("active", date(2026, 1, 1), date(2026, 2, 28)), Period("terminated", date(2026, 3, 1), None))
)
SUSPENDED = person(
    periods=(Period("active", date(2026, 1, 1), date(2026, 2, 28)), Period("suspended", date(2026, 3, 1), None))
)
DEAD = person(death=date(2026, 2, 1))
LONG_TERM_HELD = ExistingFiling("F-old", FilingType.LONG_TERM_RESIDENT, "110100", date(2026, 1, 1), None, "active")
LONG_TERM_REVOKED = ExistingFiling(
    "F-gone", FilingType.LONG_TERM_RESIDENT, "110100", date(2026, 1, 1), date(2026, 2, 1), "revoked"
)


def req(kind: FilingType = FilingType.TEMPORARY_OTHER, **kw: object) -> FilingRequest:
    values: dict[str, object] = {"psn_no": "P1", "filing_type": kind, "target_admdvs": "110100", "begndate": TODAY}
    if kind is FilingType.REFERRAL:
        values["details"] = REFERRAL_DETAILS
    values.update(kw)
    return FilingRequest(**values)


ACCEPTED = [
    ("a retiree's resettlement to a city lasts until revoked", RETIREE, [], req(FilingType.RESETTLED_RETIREE), None),
    ("a temporary filing lasts six months from begndate", RESIDENT, [], req(), date(2026, 9, 9)),
    (
        "an earlier enddate ends a temporary filing sooner",
        RESIDENT,
        [],
        req(enddate=date(2026, 4, 30)),
        date(2026, 4, 30),
    ),
    ("a later enddate is cut to six months", RESIDENT, [], req(enddate=date(2027, 1, 1)), date(2026, 9, 9)),
    (
        "six months from 08-31 clamp to 02-28, so the last day is 02-27",
        RESIDENT,
        [],
        req(begndate=date(2026, 8, 31)),
        date(2027, 2, 27),
    ),
    ("a whole province can be the target", RESIDENT, [], req(target_admdvs="110000"), date(2026, 9, 9)),
    (
        "a revoked long-term filing does not block a new one",
        RESIDENT,
        [LONG_TERM_REVOKED],
        req(FilingType.RESIDENT_WORKER),
        None,
    ),
    (
        "a long-term holder may still file a referral",
        RESIDENT,
        [LONG_TERM_HELD],
        req(FilingType.REFERRAL),
        date(2026, 9, 9),
    ),
    (
        "an emergency may be filed after the fact",
        RESIDENT,
        [],
        req(FilingType.EMERGENCY, begndate=date(2026, 2, 20)),
        date(2026, 8, 19),
    ),
    (
        "a filing during a stay may start on the admission day",
        RESIDENT,
        [],
        req(begndate=date(2026, 3, 2), admission_date=date(2026, 3, 2)),
        date(2026, 9, 1),
    ),
]


@pytest.mark.parametrize("case, who, existing, request_, enddate", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_filing_rules_accept_valid_filings_with_their_effective_end(case, who, existing, request_, enddate) -> None:
    accepted = accept_filing(who, existing, request_, TODAY)
    assert accepted.enddate == enddate
    assert accepted.insuplc_admdvs == "430600"


REFUSED = [
    ("an unknown person", None, [], req(), "unknown_person"),
    ("a dead person", DEAD, [], req(), "not_enrolled"),
    ("a terminated person", TERMINATED, [], req(), "not_enrolled"),
    ("a suspended person", SUSPENDED, [], req(), "not_enrolled"),
    ("a resident's 异地安置退休", RESIDENT, [], req(FilingType.RESETTLED_RETIREE), "not_retired"),
    ("a second long-term filing", RETIREE, [LONG_TERM_HELD], req(FilingType.RESETTLED_RETIREE), "long_term_exists"),
    (
        "a long-term filing with an enddate",
        RETIREE,
        [],
        req(FilingType.LONG_TERM_RESIDENT, enddate=date(2026, 12, 31)),
        "bad_dates",
    ),
    ("a county as the target", RESIDENT, [], req(target_admdvs="110105"), "bad_target"),
    ("the person's own pool as the target", RESIDENT, [], req(target_admdvs="430600"), "bad_target"),
    ("an enddate before begndate", RESIDENT, [], req(enddate=date(2026, 3, 1)), "bad_dates"),
    ("a backdated filing without a stay", RESIDENT, [], req(begndate=date(2026, 3, 1)), "bad_dates"),
    (
        "a filing starting before the admission",
        RESIDENT,
        [],
        req(begndate=date(2026, 3, 1), admission_date=date(2026, 3, 2)),
        "bad_dates",
    ),
    (
        "a filing after the discharge settlement",
        RESIDENT,
        [],
        req(begndate=date(2026, 3, 2), admission_date=date(2026, 3, 2), stay_settled=True),
        "stay_settled",
    ),
    (
        "an emergency that would already have expired",
        RESIDENT,
        [],
        req(FilingType.EMERGENCY, begndate=date(2025, 8, 1)),
        "bad_dates",
    ),
    (
        "a referral without diagnosis or referring institution",
        RESIDENT,
        [],
        req(FilingType.REFERRAL, details={}),
        "referral_incomplete",
    ),
    ("a pool that does not match the person's", RESIDENT, [], req(insuplc_admdvs="540100"), "wrong_pool"),
]


@pytest.mark.parametrize("case, who, existing, request_, code", REFUSED, ids=[c[0] for c in REFUSED])
def test_filing_rules_refuse_with_a_code_and_an_actionable_sentence(case, who, existing, request_, code) -> None:
    with pytest.raises(DomainError) as refused:
        accept_filing(who, existing, request_, TODAY)
    assert refused.value.code == code
    assert len(refused.value.message) > 20


def test_a_second_long_term_filing_is_a_conflict_naming_the_filing_to_revoke() -> None:
    with pytest.raises(Conflict, match="F-old"):
        accept_filing(RETIREE, [LONG_TERM_HELD], req(FilingType.LONG_TERM_RESIDENT), TODAY)


def test_a_temporary_filing_covers_up_to_the_day_before_the_same_date_six_months_later() -> None:
    assert temporary_last_day(date(2026, 3, 15), None) == date(2026, 9, 14)


def test_revoking_ends_a_filing_today_or_at_its_earlier_end() -> None:
    assert revocation_end(LONG_TERM_HELD, TODAY) == TODAY
    short = ExistingFiling("F", FilingType.TEMPORARY_OTHER, "110100", date(2026, 1, 1), date(2026, 2, 1), "active")
    assert revocation_end(short, TODAY) == date(2026, 2, 1)
    with pytest.raises(Conflict):
        revocation_end(LONG_TERM_REVOKED, TODAY)


def test_a_desk_change_cannot_stretch_a_temporary_filing_past_six_months() -> None:
    temp = ExistingFiling("F", FilingType.TEMPORARY_OTHER, "110100", TODAY, date(2026, 9, 9), "active")
    assert change_values(temp, "430600", None, date(2027, 6, 1), TODAY) == {"enddate": date(2026, 9, 9)}
    assert change_values(temp, "430600", "110000", None, TODAY) == {"target_admdvs": "110000"}
    with pytest.raises(Refused):
        change_values(temp, "430600", None, None, TODAY)


def test_months_added_beyond_the_calendar_are_a_refusal_not_a_crash() -> None:
    from datetime import date

    from remote_care.domain.errors import Refused
    from remote_care.domain.filings import add_months

    assert add_months(date(9999, 6, 30), 6) == date(9999, 12, 30)
    with pytest.raises(Refused, match="beyond the calendar"):
        add_months(date(9999, 7, 1), 6)
