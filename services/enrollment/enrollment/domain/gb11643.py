"""GB 11643-1999 citizen identity numbers (居民身份证号码).

Eighteen characters: a 6-digit address code, the birth date yyyyMMdd, a 3-digit sequence
whose last digit is odd for men and even for women, and an ISO 7064 MOD 11-2 check
character (0-9 or X).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")

MALE = "1"
FEMALE = "2"


class InvalidIdNumber(ValueError):
    """The number is not a valid GB 11643 identity number; the message says why."""


@dataclass(frozen=True)
class IdNumber:
    certno: str
    birth_date: dt.date
    gend: str


def check_character(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse(certno: str) -> IdNumber:
    """Read an 18-character ID number, or raise InvalidIdNumber naming the fault."""
    value = certno.strip().upper()
    if not _SHAPE.match(value):
        raise InvalidIdNumber("must be 18 characters: 17 digits and a final digit or X")
    expected = check_character(value[:17])
    if value[17] != expected:
        raise InvalidIdNumber(f"check digit is wrong: {value[:17]} must end in {expected}, not {value[17]}")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber(f"characters 7-14 ({value[6:14]}) are not a real birth date") from exc
    if birth.year < 1900:
        raise InvalidIdNumber(f"birth date {birth.isoformat()} in characters 7-14 is before 1900")
    return IdNumber(value, birth, MALE if int(value[16]) % 2 else FEMALE)


def check_consistent(certno: str, birth_date: dt.date | None, gend: str | None) -> IdNumber:
    """Parse and make sure a stated birth date and gender agree with the number."""
    number = parse(certno)
    if birth_date is not None and birth_date != number.birth_date:
        raise InvalidIdNumber(
            f"encodes birth date {number.birth_date.isoformat()} but brdy is {birth_date.isoformat()}"
        )
    if gend is not None and gend != number.gend:
        said = "male (1)" if number.gend == MALE else "female (2)"
        raise InvalidIdNumber(f"encodes gender {said} (17th digit {number.certno[16]}) but gend is {gend}")
    return number
