"""Enrollments with their status periods, and identities, over SQL."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from enrollment import db
from enrollment.domain.model import Enrollment, Identity, Period
from enrollment.store.bulk import bulk_insert
from medshared.events import utcnow


def enrollment_rows(enrollment: Enrollment, now: dt.datetime) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    row = {
        "enrollment_id": enrollment.enrollment_id,
        "psn_no": enrollment.psn_no,
        "insutype": enrollment.insutype,
        "insuplc_admdvs": enrollment.insuplc_admdvs,
        "psn_type": enrollment.psn_type,
        "emp_no": enrollment.emp_no,
        "cvlserv_flag": enrollment.cvlserv_flag,
        "tier": enrollment.tier,
        "begndate": enrollment.begndate,
        "enddate": enrollment.enddate,
        "status": enrollment.status,
        "transferred_from": enrollment.transferred_from,
        "version": enrollment.version,
        "created_at": now,
        "updated_at": now,
    }
    periods = [
        {
            "enrollment_id": enrollment.enrollment_id,
            "seq": seq,
            "status": period.status,
            "begndate": period.begndate,
            "enddate": period.enddate,
            "reason": period.reason,
        }
        for seq, period in enumerate(enrollment.periods)
    ]
    return row, periods


def _identity(row: Any) -> Identity:
    return Identity(
        identity_id=row.identity_id,
        psn_no=row.psn_no,
        psn_idet_type=row.psn_idet_type,
        begntime=row.begntime,
        endtime=row.endtime,
        psn_type_lv=row.psn_type_lv,
        memo=row.memo,
        revoked=row.revoked,
        version=row.version,
    )


class EnrollmentsSql:
    session: Session

    def _enrollments(self, rows: list[Any]) -> list[Enrollment]:
        if not rows:
            return []
        ids = [row.enrollment_id for row in rows]
        periods: dict[str, list[Period]] = defaultdict(list)
        table = db.enrollment_period
        for period in self.session.execute(
            select(table).where(table.c.enrollment_id.in_(ids)).order_by(table.c.enrollment_id, table.c.seq)
        ).all():
            periods[period.enrollment_id].append(Period(period.status, period.begndate, period.enddate, period.reason))
        emp_nos = {row.emp_no for row in rows if row.emp_no}
        names = (
            dict(
                self.session.execute(
                    select(db.employer.c.emp_no, db.employer.c.emp_name).where(db.employer.c.emp_no.in_(emp_nos))
                ).all()
            )
            if emp_nos
            else {}
        )
        return [
            Enrollment(
                enrollment_id=row.enrollment_id,
                psn_no=row.psn_no,
                insutype=row.insutype,
                insuplc_admdvs=row.insuplc_admdvs,
                psn_type=row.psn_type,
                begndate=row.begndate,
                periods=periods[row.enrollment_id],
                emp_no=row.emp_no,
                emp_name=names.get(row.emp_no),
                cvlserv_flag=row.cvlserv_flag,
                tier=row.tier,
                enddate=row.enddate,
                transferred_from=row.transferred_from,
                version=row.version,
            )
            for row in rows
        ]

    def get_enrollment(self, enrollment_id: str) -> Enrollment | None:
        rows = self.session.execute(select(db.enrollment).where(db.enrollment.c.enrollment_id == enrollment_id)).all()
        found = self._enrollments(list(rows))
        return found[0] if found else None

    def enrollments_of(self, psn_nos: Iterable[str]) -> dict[str, list[Enrollment]]:
        wanted = set(psn_nos)
        result: dict[str, list[Enrollment]] = defaultdict(list)
        if not wanted:
            return result
        rows = self.session.execute(
            select(db.enrollment).where(db.enrollment.c.psn_no.in_(wanted)).order_by(db.enrollment.c.begndate)
        ).all()
        for enrollment in self._enrollments(list(rows)):
            result[enrollment.psn_no].append(enrollment)
        return result

    def list_enrollments(
        self, *, psn_no: str | None, admdvs: str | None, status: str | None, limit: int
    ) -> list[Enrollment]:
        query = select(db.enrollment).order_by(db.enrollment.c.created_at, db.enrollment.c.enrollment_id).limit(limit)
        if psn_no:
            query = query.where(db.enrollment.c.psn_no == psn_no)
        if admdvs:
            query = query.where(db.enrollment.c.insuplc_admdvs == admdvs)
        if status:
            query = query.where(db.enrollment.c.status == status)
        return self._enrollments(list(self.session.execute(query).all()))

    def add_enrollments(self, enrollments: list[Enrollment]) -> None:
        if not enrollments:
            return
        now = utcnow()
        rows, periods = [], []
        for enrollment in enrollments:
            row, its_periods = enrollment_rows(enrollment, now)
            rows.append(row)
            periods.extend(its_periods)
        bulk_insert(self.session, db.enrollment, rows)
        bulk_insert(self.session, db.enrollment_period, periods)

    def save_enrollment(self, enrollment: Enrollment) -> None:
        row, periods = enrollment_rows(enrollment, utcnow())
        del row["created_at"], row["enrollment_id"]
        self.session.execute(
            update(db.enrollment).where(db.enrollment.c.enrollment_id == enrollment.enrollment_id).values(**row)
        )
        self.session.execute(
            delete(db.enrollment_period).where(db.enrollment_period.c.enrollment_id == enrollment.enrollment_id)
        )
        self.session.execute(insert(db.enrollment_period), periods)

    # Identities

    def identities_of(self, psn_no: str) -> list[Identity]:
        rows = self.session.execute(
            select(db.identity).where(db.identity.c.psn_no == psn_no).order_by(db.identity.c.begntime)
        ).all()
        return [_identity(row) for row in rows]

    def get_identity(self, identity_id: str) -> Identity | None:
        row = self.session.execute(select(db.identity).where(db.identity.c.identity_id == identity_id)).first()
        return _identity(row) if row else None

    def add_identity(self, identity: Identity) -> None:
        now = utcnow()
        self.session.execute(insert(db.identity).values(**identity.snapshot(), created_at=now, updated_at=now))

    def save_identity(self, identity: Identity) -> None:
        values = identity.snapshot()
        del values["identity_id"]
        self.session.execute(
            update(db.identity)
            .where(db.identity.c.identity_id == identity.identity_id)
            .values(**values, updated_at=utcnow())
        )
