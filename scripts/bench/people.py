"""Synthetic residents for the yearly import: valid GB 11643 numbers, unique per index."""

from __future__ import annotations

import csv
import datetime as dt
import io

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_FIRST_BIRTHDAY = dt.date(1950, 1, 1)
_BIRTHDAYS = 20_000  # 1950 .. 2004
# 540103 / 341303: districts the demo people do not use, so bench numbers never collide with them.
AREAS = {"540100": "540103", "341300": "341303"}
HEADER = ("psn_cert_type", "certno", "psn_name", "insuplc_admdvs", "insutype", "psn_type", "tier", "begndate")


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def certno(pool: str, index: int) -> str:
    """The index-th bench resident of a pool; 1000 people share a birthday (sequence 000-999)."""
    day = _FIRST_BIRTHDAY + dt.timedelta(days=(index // 1000) % _BIRTHDAYS)
    first17 = f"{AREAS[pool]}{day:%Y%m%d}{index % 1000:03d}"
    return first17 + check_digit(first17)


def csv_rows(pool: str, start: int, count: int, year: int) -> bytes:
    """A CSV the enrollment import accepts: residents (390, tier 320) of one pool."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for i in range(start, start + count):
        writer.writerow(("01", certno(pool, i), f"测试{i}", pool, "390", "1501", "320", f"{year}-01-01"))
    return out.getvalue().encode()
