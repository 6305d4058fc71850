"""Bulk import for the yearly resident collection: a CSV of people and their enrollments.

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

A person already registered (same psn_cert_type and certno, same name) is enrolled
again; anyone else is registered first. Valid rows commit in batches, each batch one
transaction with its events; rejected rows are reported with their line number.
Rows are written with one multi-row INSERT per table per batch so a batch costs a
handful of round trips, not one per person.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from medshared.events import Event
from medshared.outbox import outbox_rows
from medshared.runtime import Runtime
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enrollment import store
from enrollment.db import outbox
from enrollment.domain import commands as c
from enrollment.domain.errors import DomainError, Invalid
from enrollment.domain.model import (
    Enrollment,
    Person,
    check_admdvs,
    issue_psn_no,
    new_person,
)
from enrollment.handlers import Lookups, build_enrollment
from enrollment.messaging import contracts

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
REQUIRED = ("certno", "psn_name", "insuplc_admdvs", "insutype", "psn_type", "begndate")
DEFAULT_BATCH = 2000


class UnreadableFile(ValueError):
    """The file as a whole cannot be imported (encoding, header); nothing was stored."""


@dataclass(frozen=True)
class Rejected:
    line: int
    field: str
    reason: str
    code: str

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "field": self.field,
            "reason": self.reason,
            "code": self.code,
        }


@dataclass
class Report:
    received: int = 0
    registered: int = 0
    enrolled: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "received": self.received,
            "registered": self.registered,
            "enrolled": self.enrolled,
            "rejected_count": len(self.rejected),
            "rejected": [
                r.as_dict() for r in sorted(self.rejected, key=lambda r: r.line)
            ],
        }


@dataclass
class Row:
    line: int
    person: Person
    enroll: c.Enroll
    admdvs: str


def read_rows(text: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(text)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise UnreadableFile(
            f"the header row lacks {', '.join(missing)}; expected columns: {', '.join(COLUMNS)}"
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise UnreadableFile(
            f"unknown column(s) {', '.join(unknown)}; expected columns: {', '.join(COLUMNS)}"
        )
    reader.fieldnames = header
    for raw in reader:
        yield (
            reader.line_num,
            {k: (v or "").strip() for k, v in raw.items() if k is not None},
        )


def _date(value: str, name: str, required: bool) -> dt.date | None:
    if not value:
        if required:
            raise Invalid(name, "is required (yyyy-MM-dd)")
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise Invalid(name, f"{value!r} is not a date like 2026-01-01") from exc


def parse_row(line: int, raw: dict[str, str]) -> Row:
    """Everything that can be checked without the database."""
    for name in REQUIRED:
        if not raw.get(name):
            raise Invalid(name, "is required")
    admdvs = check_admdvs(raw["insuplc_admdvs"])
    person = new_person(
        psn_no="",
        psn_cert_type=raw.get("psn_cert_type") or "01",
        certno=raw["certno"],
        psn_name=raw["psn_name"],
        gend=raw.get("gend") or None,
        brdy=_date(raw.get("brdy", ""), "brdy", False),
        naty=raw.get("naty") or "01",
        tel=raw.get("tel", ""),
        addr=raw.get("addr", ""),
    )
    begndate = _date(raw["begndate"], "begndate", True)
    assert begndate is not None
    enroll = c.Enroll(
        psn_no="",
        insutype=raw["insutype"],
        insuplc_admdvs=admdvs,
        psn_type=raw["psn_type"],
        begndate=begndate,
        enddate=_date(raw.get("enddate", ""), "enddate", False),
        emp_no=raw.get("emp_no") or None,
        tier=raw.get("tier") or None,
    )
    return Row(line, person, enroll, admdvs)


def _reject(report: Report, line: int, exc: DomainError) -> None:
    field_name = exc.field if isinstance(exc, Invalid) else "row"
    reason = exc.reason if isinstance(exc, Invalid) else exc.message
    report.rejected.append(Rejected(line, field_name, reason, exc.code))


def _commit_batch(
    session: Session,
    rows: list[Row],
    report: Report,
    lookups: Lookups,
) -> tuple[int, int]:
    """Validate a batch against the database and write the valid rows; returns (registered, enrolled)."""
    known = store.people_by_certnos(
        session, [(r.person.psn_cert_type, r.person.certno) for r in rows]
    )
    existing = store.enrollments_of(session, [p.psn_no for p in known.values()])
    accepted: list[tuple[Row, Person, bool, Enrollment]] = []
    for row in rows:
        person = known.get((row.person.psn_cert_type, row.person.certno))
        is_new = person is None
        if person is not None and person.psn_name != row.person.psn_name:
            report.rejected.append(
                Rejected(
                    row.line,
                    "psn_name",
                    f"certno is registered as {person.psn_no} under another name",
                    "name_mismatch",
                )
            )
            continue
        try:
            enrollment = build_enrollment(
                lookups,
                person or row.person,
                row.enroll,
                existing.get(person.psn_no, []) if person else [],
            )
        except DomainError as exc:
            _reject(report, row.line, exc)
            continue
        accepted.append((row, person or row.person, is_new, enrollment))

    new_by_pool: dict[str, list[Person]] = defaultdict(list)
    for row, person, is_new, _ in accepted:
        if is_new:
            new_by_pool[row.admdvs].append(person)
    for pool, people in new_by_pool.items():
        first = store.reserve_serials(session, pool, len(people))
        for offset, person in enumerate(people):
            person.psn_no = issue_psn_no(pool, first + offset)

    events: list[Event] = []
    new_people: list[Person] = []
    enrollments: list[Enrollment] = []
    for _, person, is_new, enrollment in accepted:
        enrollment.psn_no = person.psn_no
        snapshot = person.snapshot()
        if is_new:
            new_people.append(person)
            events.append(contracts.person_event("PersonRegistered", snapshot))
        enrollments.append(enrollment)
        events.append(
            contracts.enrollment_event(
                "PersonEnrolled", snapshot, enrollment.snapshot()
            )
        )
    if new_people:
        store.add_people(session, new_people)
    store.add_enrollments(session, enrollments)
    store.bulk_insert(session, outbox, outbox_rows(session, contracts.TOPIC, events, body=contracts.body))
    return len(new_people), len(enrollments)


def import_csv(
    runtime: Runtime,
    text: Iterable[str],
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> Report:
    report = Report()
    seen: dict[tuple[str, str], int] = {}
    batch: list[Row] = []

    def advance(count: int) -> None:
        if progress:
            progress(count)

    def flush() -> None:
        if batch:
            _run_batch(runtime, batch, report)
            advance(len(batch))
            batch.clear()

    for line, raw in read_rows(text):
        report.received += 1
        try:
            row = parse_row(line, raw)
        except DomainError as exc:
            _reject(report, line, exc)
            advance(1)
            continue
        key = (row.person.psn_cert_type, row.person.certno)
        if key in seen:
            report.rejected.append(
                Rejected(
                    line,
                    "certno",
                    f"duplicate of line {seen[key]} in this file",
                    "duplicate_in_file",
                )
            )
            advance(1)
            continue
        seen[key] = line
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def _run_batch(runtime: Runtime, rows: list[Row], report: Report) -> None:
    batch_report = Report()
    try:
        with runtime.unit_of_work() as session:
            registered, enrolled = _commit_batch(
                session, rows, batch_report, Lookups(session)
            )
    except IntegrityError:
        # Someone registered one of these people meanwhile: retry row by row so only that row fails.
        if len(rows) == 1:
            report.rejected.append(
                Rejected(
                    rows[0].line,
                    "certno",
                    "was registered by another desk during the import; import the row again",
                    "concurrent_registration",
                )
            )
            return
        for row in rows:
            _run_batch(runtime, [row], report)
        return
    report.registered += registered
    report.enrolled += enrolled
    report.rejected.extend(batch_report.rejected)


def decode(data: bytes) -> io.StringIO:
    try:
        return io.StringIO(data.decode("utf-8-sig"), newline="")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"the file is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8"
        ) from exc
