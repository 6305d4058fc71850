"""People, psn_no serials and employers over SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from enrollment import db
from enrollment.domain.model import TERMINATED, Employer, Person
from enrollment.store.bulk import bulk_insert
from medshared.db import insert_if_absent
from medshared.events import utcnow


def _person(row: Any) -> Person:
    return Person(
        psn_no=row.psn_no,
        psn_cert_type=row.psn_cert_type,
        certno=row.certno,
        psn_name=row.psn_name,
        gend=row.gend,
        brdy=row.brdy,
        naty=row.naty,
        tel=row.tel,
        addr=row.addr,
        death_date=row.death_date,
        version=row.version,
    )


def person_row(person: Person, now: dt.datetime) -> dict[str, Any]:
    return {
        "psn_no": person.psn_no,
        "psn_cert_type": person.psn_cert_type,
        "certno": person.certno,
        "psn_name": person.psn_name,
        "gend": person.gend,
        "naty": person.naty,
        "brdy": person.brdy,
        "tel": person.tel,
        "addr": person.addr,
        "death_date": person.death_date,
        "version": person.version,
        "created_at": now,
        "updated_at": now,
    }


def _employer(row: Any) -> Employer:
    return Employer(row.emp_no, row.emp_name, row.emp_type, row.admdvs, row.status, row.version)


class PeopleSql:
    session: Session

    def get_person(self, psn_no: str, *, lock: bool = False) -> Person | None:
        query = select(db.person).where(db.person.c.psn_no == psn_no)
        if lock:
            # Serialises enrollment changes of one person so two desks cannot both pass the duplicate check.
            query = query.with_for_update()
        row = self.session.execute(query).first()
        return _person(row) if row else None

    def find_people_by_certno(self, certno: str) -> list[Person]:
        rows = self.session.execute(select(db.person).where(db.person.c.certno == certno.strip().upper())).all()
        return [_person(row) for row in rows]

    def people_by_certnos(self, pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Person]:
        certnos = {certno for _, certno in pairs}
        if not certnos:
            return {}
        # Locked like get_person(lock=True): a desk enrolling one of these people waits for the batch.
        rows = self.session.execute(
            select(db.person).where(db.person.c.certno.in_(certnos)).order_by(db.person.c.psn_no).with_for_update()
        ).all()
        return {(row.psn_cert_type, row.certno): _person(row) for row in rows}

    def add_people(self, people: list[Person]) -> None:
        now = utcnow()
        bulk_insert(self.session, db.person, [person_row(person, now) for person in people])

    def save_person(self, person: Person) -> None:
        row = person_row(person, utcnow())
        del row["created_at"], row["psn_no"]
        self.session.execute(update(db.person).where(db.person.c.psn_no == person.psn_no).values(**row))

    def reserve_serials(self, admdvs: str, count: int) -> int:
        """Reserve `count` serials for a pool in one statement; returns the first one."""
        serial = db.psn_no_serial
        insert_if_absent(self.session, serial, {"admdvs": admdvs, "last_serial": 0})
        last = self.session.execute(
            update(serial)
            .where(serial.c.admdvs == admdvs)
            .values(last_serial=serial.c.last_serial + count)
            .returning(serial.c.last_serial)
        ).scalar_one()
        return int(last) - count + 1

    def raise_serial_to(self, admdvs: str, serial_no: int) -> None:
        """A person registered with an existing psn_no: never issue that number again."""
        serial = db.psn_no_serial
        insert_if_absent(self.session, serial, {"admdvs": admdvs, "last_serial": 0})
        self.session.execute(
            update(serial)
            .where(serial.c.admdvs == admdvs, serial.c.last_serial < serial_no)
            .values(last_serial=serial_no)
        )

    # Employers

    def get_employer(self, emp_no: str) -> Employer | None:
        row = self.session.execute(select(db.employer).where(db.employer.c.emp_no == emp_no)).first()
        return _employer(row) if row else None

    def list_employers(self, admdvs: str | None) -> list[Employer]:
        query = select(db.employer).order_by(db.employer.c.emp_no)
        if admdvs:
            query = query.where(db.employer.c.admdvs == admdvs)
        return [_employer(row) for row in self.session.execute(query).all()]

    def add_employer(self, employer: Employer) -> None:
        now = utcnow()
        self.session.execute(
            insert(db.employer).values(
                emp_no=employer.emp_no,
                emp_name=employer.emp_name,
                emp_type=employer.emp_type,
                admdvs=employer.admdvs,
                status=employer.status,
                version=employer.version,
                created_at=now,
                updated_at=now,
            )
        )

    def save_employer(self, employer: Employer) -> None:
        self.session.execute(
            update(db.employer)
            .where(db.employer.c.emp_no == employer.emp_no)
            .values(
                emp_name=employer.emp_name,
                emp_type=employer.emp_type,
                status=employer.status,
                version=employer.version,
                updated_at=utcnow(),
            )
        )

    def count_active_staff(self, emp_no: str) -> int:
        return int(
            self.session.execute(
                select(func.count()).where(db.enrollment.c.emp_no == emp_no, db.enrollment.c.status != TERMINATED)
            ).scalar_one()
        )
