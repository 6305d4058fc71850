import datetime as dt

import pytest

from enrollment.domain import gb11643


@pytest.mark.parametrize(
    ("certno", "birth", "gend"),
    [
        ("540102198005010110", dt.date(1980, 5, 1), "1"),
        ("54010219750312022X", dt.date(1975, 3, 12), "2"),
        ("54010219750312022x", dt.date(1975, 3, 12), "2"),
        ("54010219550404061X", dt.date(1955, 4, 4), "1"),
        ("341302195002020728", dt.date(1950, 2, 2), "2"),
        ("430602195809091014", dt.date(1958, 9, 9), "1"),
    ],
)
def test_a_valid_number_yields_its_birth_date_and_gender(certno: str, birth: dt.date, gend: str) -> None:
    number = gb11643.parse(certno)
    assert (number.birth_date, number.gend, number.certno) == (
        birth,
        gend,
        certno.upper(),
    )


@pytest.mark.parametrize(
    ("certno", "message"),
    [
        (
            "540102198005010111",
            "check digit is wrong: 54010219800501011 must end in 0, not 1",
        ),
        ("540102197503120221", "must end in X, not 1"),
        ("5401021980050101", "must be 18 characters"),
        ("54010219800501011A", "must be 18 characters"),
        ("540102198002300112", "not a real birth date"),
        ("540102180005010115", "before 1900"),
    ],
)
def test_an_invalid_number_is_refused_with_the_reason(certno: str, message: str) -> None:
    with pytest.raises(gb11643.InvalidIdNumber, match=message):
        gb11643.parse(certno)


@pytest.mark.parametrize(
    ("brdy", "gend", "message"),
    [
        (
            dt.date(1980, 5, 2),
            None,
            "encodes birth date 1980-05-01 but brdy is 1980-05-02",
        ),
        (None, "2", "encodes gender male \\(1\\) \\(17th digit 1\\) but gend is 2"),
    ],
)
def test_a_stated_birth_date_or_gender_must_agree_with_the_number(
    brdy: dt.date | None, gend: str | None, message: str
) -> None:
    with pytest.raises(gb11643.InvalidIdNumber, match=message):
        gb11643.check_consistent("540102198005010110", brdy, gend)


def test_a_consistent_birth_date_and_gender_are_accepted() -> None:
    number = gb11643.check_consistent("54010219750312022X", dt.date(1975, 3, 12), "2")
    assert number.gend == gb11643.FEMALE
