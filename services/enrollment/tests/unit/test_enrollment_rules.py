import datetime as dt

import pytest

from enrollment.domain.errors import Conflict, Invalid
from enrollment.domain.model import (
    ACTIVE,
    Enrollment,
    Period,
    check_no_duplicate,
    new_person,
)

D = dt.date


def enrollment() -> Enrollment:
    """扎西's open resident enrollment in 540100 from 2026-01-01."""
    return Enrollment(
        "e1",
        "54010000000000000001",
        "390",
        "540100",
        "1501",
        D(2026, 1, 1),
        [Period(ACTIVE, D(2026, 1, 1), None, "enrolled")],
        tier="320",
    )


@pytest.mark.parametrize(
    ("insutype", "begin", "end", "refused"),
    [
        ("390", D(2026, 1, 1), None, True),
        ("310", D(2026, 6, 1), D(2026, 6, 30), True),
        ("390", D(2025, 1, 1), D(2025, 12, 31), False),
        ("390", D(2025, 1, 1), D(2026, 1, 1), True),
        ("330", D(2026, 1, 1), None, False),
    ],
)
def test_an_overlapping_basic_enrollment_is_refused_naming_the_pool(
    insutype: str, begin: dt.date, end: dt.date | None, refused: bool
) -> None:
    existing = [enrollment()]
    if refused:
        with pytest.raises(Conflict) as exc:
            check_no_duplicate(existing, insutype, begin, end)
        assert exc.value.extra["insuplc_admdvs"] == "540100"
        assert "already insured in pool 540100" in exc.value.message
    else:
        check_no_duplicate(existing, insutype, begin, end)


def test_days_of_a_suspension_are_free_for_another_pool_but_active_days_are_not() -> None:
    e = enrollment()
    e.suspend(D(2026, 3, 1), "moved away")
    check_no_duplicate([e], "390", D(2026, 3, 1), D(2026, 12, 31))
    with pytest.raises(Conflict):
        check_no_duplicate([e], "390", D(2026, 2, 28), D(2026, 12, 31))


def test_suspend_resume_and_terminate_keep_every_period_with_its_reason() -> None:
    e = enrollment()
    e.suspend(D(2026, 3, 1), "unpaid")
    e.resume(D(2026, 5, 1), "paid")
    e.terminate(D(2026, 9, 1), "emigrated")
    assert [(p.status, p.begndate, p.enddate, p.reason) for p in e.periods] == [
        ("active", D(2026, 1, 1), D(2026, 2, 28), "enrolled"),
        ("suspended", D(2026, 3, 1), D(2026, 4, 30), "unpaid"),
        ("active", D(2026, 5, 1), D(2026, 8, 31), "paid"),
        ("terminated", D(2026, 9, 1), None, "emigrated"),
    ]
    assert (e.status, e.enddate, e.version) == ("terminated", D(2026, 8, 31), 4)


def test_only_an_active_enrollment_can_be_suspended_and_a_reason_is_required() -> None:
    e = enrollment()
    with pytest.raises(Invalid, match="reason"):
        e.suspend(D(2026, 3, 1), " ")
    e.terminate(D(2026, 3, 1), "moved")
    with pytest.raises(Conflict, match="is terminated"):
        e.suspend(D(2026, 4, 1), "x")


def test_retirement_turns_11xx_into_12xx_from_the_effective_date() -> None:
    e = Enrollment(
        "e2",
        "54010000000000000004",
        "310",
        "540100",
        "1101",
        D(2026, 1, 1),
        [Period(ACTIVE, D(2026, 1, 1), None, "enrolled")],
        emp_no="E1",
    )
    assert e.retire(D(2026, 7, 1)) == "1101"
    assert e.psn_type == "1201"
    assert e.periods[-1].begndate == D(2026, 7, 1) and "1101 -> 1201" in e.periods[-1].reason
    with pytest.raises(Conflict, match="not in service"):
        e.retire(D(2026, 8, 1))


def test_a_registration_takes_birth_date_and_gender_from_the_id_number() -> None:
    p = new_person(
        psn_no="x",
        psn_cert_type="01",
        certno="54010219750312022x",
        psn_name=" 卓玛 ",
        gend=None,
        brdy=None,
    )
    assert (p.certno, p.brdy, p.gend, p.psn_name) == (
        "54010219750312022X",
        D(1975, 3, 12),
        "2",
        "卓玛",
    )


@pytest.mark.parametrize(
    ("cert_type", "certno", "name", "gend", "brdy", "field"),
    [
        ("01", "540102198005010111", "扎西", None, None, "certno"),
        ("01", "540102198005010110", "扎西", "2", None, "certno"),
        ("01", "540102198005010110", "", None, None, "psn_name"),
        ("08", "E12345678", "John", "1", None, "brdy"),
        ("08", "E12345678", "John", "3", D(1990, 1, 1), "gend"),
    ],
)
def test_a_bad_registration_names_the_field_to_fix(
    cert_type: str,
    certno: str,
    name: str,
    gend: str | None,
    brdy: dt.date | None,
    field: str,
) -> None:
    with pytest.raises(Invalid) as exc:
        new_person(
            psn_no="x",
            psn_cert_type=cert_type,
            certno=certno,
            psn_name=name,
            gend=gend,
            brdy=brdy,
        )
    assert exc.value.field == field


def test_a_backdated_termination_replaces_the_periods_after_it() -> None:
    e = enrollment()
    e.suspend(D(2026, 3, 1), "unpaid")
    e.terminate(D(2026, 2, 10), "death on 2026-02-10")
    assert [(p.status, p.begndate, p.enddate) for p in e.periods] == [
        ("active", D(2026, 1, 1), D(2026, 2, 9)),
        ("terminated", D(2026, 2, 10), None),
    ]
    assert e.enddate == D(2026, 2, 9)


def test_an_enrollment_that_already_ended_cannot_be_terminated_later() -> None:
    e = enrollment()
    e.enddate = D(2026, 12, 31)
    e.periods[-1] = Period(ACTIVE, D(2026, 1, 1), D(2026, 12, 31), "enrolled")
    with pytest.raises(Invalid, match="already ended on 2026-12-31"):
        e.terminate(D(2027, 3, 1), "moved")
