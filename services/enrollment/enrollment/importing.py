"""The import file for the yearly resident collection: a CSV of people and their enrollments.

Columns (header row required, UTF-8, a BOM is accepted):
    psn_cert_type  01 by default; 01 numbers are checked against GB 11643
    certno         required
    psn_name       required
    gend, brdy     optional for 01 (read from the number; must agree when given)
    naty, tel, addr
    insuplc_admdvs required: the pool (also the prefix of a newly issued psn_no)
    insutype       310 or 390
    psn_type       e.g. 1501 (resident adult), 1101 (employee in service)
    tier           resident contribution tier, e.g. 320
    emp_no         employees only
    begndate       yyyy-MM-dd, required; enddate optional

What happens to the rows is enrollment.usecases.imports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator

from enrollment.usecases.imports import DEFAULT_BATCH, REQUIRED, Rejected, Report, import_rows
from enrollment.usecases.ports import UnitOfWork

__all__ = [
    "COLUMNS",
    "DEFAULT_BATCH",
    "REQUIRED",
    "Rejected",
    "Report",
    "UnreadableFile",
    "decode",
    "import_csv",
    "read_rows",
]

COLUMNS = (
    "psn_cert_type",
    "certno",
    "psn_name",
    "gend",
    "brdy",
    "naty",
    "tel",
    "addr",
    "insuplc_admdvs",
    "insutype",
    "psn_type",
    "tier",
    "emp_no",
    "begndate",
    "enddate",
)


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported (encoding, header); nothing was stored."""


def read_rows(text: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(text)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise UnreadableFile(f"the header row lacks {', '.join(missing)}; expected columns: {', '.join(COLUMNS)}")
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise UnreadableFile(f"unknown column(s) {', '.join(unknown)}; expected columns: {', '.join(COLUMNS)}")
    reader.fieldnames = header
    for raw in reader:
        yield (
            reader.line_num,
            {k: (v or "").strip() for k, v in raw.items() if k is not None},
        )


def import_csv(
    uow: UnitOfWork,
    text: Iterable[str],
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> Report:
    return import_rows(uow, read_rows(text), batch_size=batch_size, progress=progress)


def decode(data: bytes) -> io.StringIO:
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from exc
