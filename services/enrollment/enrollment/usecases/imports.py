"""The yearly resident collection: rows of people and their enrollments, committed in batches.

A person already registered (same psn_cert_type and certno, same name) is enrolled again;
anyone else is registered first. Valid rows commit in batches, each batch one transaction
with its events; rejected rows are reported with their line number. Each batch is written
with one multi-row insert per table, so it costs a handful of round trips, not one per person.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from enrollment.domain import commands as cmds
from enrollment.domain.errors import DomainError, Invalid
from enrollment.domain.model import Enrollment, Person, check_admdvs, issue_psn_no, new_person
from enrollment.messaging import contracts
from medshared.events import Event

from .common import Lookups
from .enrollments import build_enrollment
from .ports import KeyTaken, Store, UnitOfWork

REQUIRED = ("certno", "psn_name", "insuplc_admdvs", "insutype", "psn_type", "begndate")
DEFAULT_BATCH = 2000


@dataclass(frozen=True)
class Rejected:
    line: int
    field: str
    reason: str
    code: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "field": self.field, "reason": self.reason, "code": self.code}


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
            "rejected": [rejected.as_dict() for rejected in sorted(self.rejected, key=lambda rejected: rejected.line)],
        }


@dataclass
class Row:
    line: int
    person: Person
    enroll: cmds.Enroll
    admdvs: str


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
    enroll = cmds.Enroll(
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


def _commit_batch(store: Store, rows: list[Row], report: Report) -> tuple[int, int]:
    """Validate a batch against the records and write the valid rows; returns (registered, enrolled)."""
    lookups = Lookups(store)
    known = store.people_by_certnos([(row.person.psn_cert_type, row.person.certno) for row in rows])
    existing = store.enrollments_of([person.psn_no for person in known.values()])
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
        first = store.reserve_serials(pool, len(people))
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
        events.append(contracts.enrollment_event("PersonEnrolled", snapshot, enrollment.snapshot()))
    if new_people:
        store.add_people(new_people)
    store.add_enrollments(enrollments)
    store.stage_all(events)
    return len(new_people), len(enrollments)


def import_rows(
    uow: UnitOfWork,
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Import (line, row) pairs; valid rows commit in batches, every rejected row is reported."""
    report = Report()
    seen: dict[tuple[str, str], int] = {}
    batch: list[Row] = []

    def advance(count: int) -> None:
        if progress:
            progress(count)

    def flush() -> None:
        if batch:
            _run_batch(uow, batch, report)
            advance(len(batch))
            batch.clear()

    for line, raw in rows:
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
                Rejected(line, "certno", f"duplicate of line {seen[key]} in this file", "duplicate_in_file")
            )
            advance(1)
            continue
        seen[key] = line
        batch.append(row)
        if len(batch) >= batch_size:
            flush()
    flush()
    return report


def _run_batch(uow: UnitOfWork, rows: list[Row], report: Report) -> None:
    batch_report = Report()
    try:
        with uow.transaction() as store:
            registered, enrolled = _commit_batch(store, rows, batch_report)
    except KeyTaken:
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
            _run_batch(uow, [row], report)
        return
    report.registered += registered
    report.enrolled += enrolled
    report.rejected.extend(batch_report.rejected)
