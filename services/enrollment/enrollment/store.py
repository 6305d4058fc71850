"""Reading and writing the domain objects; every function runs inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from medshared.db import insert_if_absent
from medshared.events import utcnow
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from enrollment import db
from enrollment.domain.contributions import Policy
from enrollment.domain.model import Employer, Enrollment, Identity, Period, Person


def new_id() -> str:
    """A random (version 4) UUID as text, without building a uuid.UUID: the import makes three per row."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# People


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


def get_person(session: Session, psn_no: str, *, lock: bool = False) -> Person | None:
    query = select(db.person).where(db.person.c.psn_no == psn_no)
    if lock:
        # Serialises enrollment changes of one person so two desks cannot both pass the duplicate check.
        query = query.with_for_update()
    row = session.execute(query).first()
    return _person(row) if row else None


def find_people_by_certno(session: Session, certno: str) -> list[Person]:
    rows = session.execute(
        select(db.person).where(db.person.c.certno == certno.strip().upper())
    ).all()
    return [_person(r) for r in rows]


def people_by_certnos(
    session: Session, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Person]:
    certnos = {certno for _, certno in pairs}
    if not certnos:
        return {}
    # Locked like get_person(lock=True): a desk enrolling one of these people waits for the batch.
    rows = session.execute(
        select(db.person)
        .where(db.person.c.certno.in_(certnos))
        .order_by(db.person.c.psn_no)
        .with_for_update()
    ).all()
    return {(r.psn_cert_type, r.certno): _person(r) for r in rows}


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


COPY_FROM_ROWS = 50


def bulk_insert(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many rows in one round trip: COPY on PostgreSQL for batches, INSERT otherwise.

    psycopg's executemany still sends one statement per row; COPY is what keeps the yearly
    import at thousands of rows a second. A refused COPY is raised as SQLAlchemy's
    IntegrityError, like any other insert, so callers handle one kind of error.
    """
    if not rows:
        return
    if session.get_bind().dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        session.execute(insert(table), rows)
        return
    import psycopg

    columns = list(rows[0])
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[c] for c in columns])
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement, None, exc) from exc


def add_people(session: Session, people: list[Person]) -> None:
    now = utcnow()
    bulk_insert(session, db.person, [person_row(p, now) for p in people])


def save_person(session: Session, person: Person) -> None:
    row = person_row(person, utcnow())
    del row["created_at"], row["psn_no"]
    session.execute(
        update(db.person).where(db.person.c.psn_no == person.psn_no).values(**row)
    )


def reserve_serials(session: Session, admdvs: str, count: int) -> int:
    """Reserve `count` serials for a pool in one statement; returns the first one."""
    insert_if_absent(session, db.psn_no_serial, {"admdvs": admdvs, "last_serial": 0})
    last = session.execute(
        update(db.psn_no_serial)
        .where(db.psn_no_serial.c.admdvs == admdvs)
        .values(last_serial=db.psn_no_serial.c.last_serial + count)
        .returning(db.psn_no_serial.c.last_serial)
    ).scalar_one()
    return int(last) - count + 1


def raise_serial_to(session: Session, admdvs: str, serial: int) -> None:
    """A person registered with an existing psn_no: never issue that number again."""
    insert_if_absent(session, db.psn_no_serial, {"admdvs": admdvs, "last_serial": 0})
    session.execute(
        update(db.psn_no_serial)
        .where(
            db.psn_no_serial.c.admdvs == admdvs, db.psn_no_serial.c.last_serial < serial
        )
        .values(last_serial=serial)
    )


# Employers


def _employer(row: Any) -> Employer:
    return Employer(
        row.emp_no, row.emp_name, row.emp_type, row.admdvs, row.status, row.version
    )


def get_employer(session: Session, emp_no: str) -> Employer | None:
    row = session.execute(
        select(db.employer).where(db.employer.c.emp_no == emp_no)
    ).first()
    return _employer(row) if row else None


def list_employers(session: Session, admdvs: str | None) -> list[Employer]:
    query = select(db.employer).order_by(db.employer.c.emp_no)
    if admdvs:
        query = query.where(db.employer.c.admdvs == admdvs)
    return [_employer(r) for r in session.execute(query).all()]


def add_employer(session: Session, e: Employer) -> None:
    now = utcnow()
    session.execute(
        insert(db.employer).values(
            emp_no=e.emp_no,
            emp_name=e.emp_name,
            emp_type=e.emp_type,
            admdvs=e.admdvs,
            status=e.status,
            version=e.version,
            created_at=now,
            updated_at=now,
        )
    )


def save_employer(session: Session, e: Employer) -> None:
    session.execute(
        update(db.employer)
        .where(db.employer.c.emp_no == e.emp_no)
        .values(
            emp_name=e.emp_name,
            emp_type=e.emp_type,
            status=e.status,
            version=e.version,
            updated_at=utcnow(),
        )
    )


def count_active_staff(session: Session, emp_no: str) -> int:
    return int(
        session.execute(
            select(func.count()).where(
                db.enrollment.c.emp_no == emp_no, db.enrollment.c.status != "terminated"
            )
        ).scalar_one()
    )


# Enrollments


def _enrollments(session: Session, rows: list[Any]) -> list[Enrollment]:
    if not rows:
        return []
    ids = [r.enrollment_id for r in rows]
    periods: dict[str, list[Period]] = defaultdict(list)
    for p in session.execute(
        select(db.enrollment_period)
        .where(db.enrollment_period.c.enrollment_id.in_(ids))
        .order_by(db.enrollment_period.c.enrollment_id, db.enrollment_period.c.seq)
    ).all():
        periods[p.enrollment_id].append(
            Period(p.status, p.begndate, p.enddate, p.reason)
        )
    emp_nos = {r.emp_no for r in rows if r.emp_no}
    names = (
        dict(
            session.execute(
                select(db.employer.c.emp_no, db.employer.c.emp_name).where(
                    db.employer.c.emp_no.in_(emp_nos)
                )
            ).all()
        )
        if emp_nos
        else {}
    )
    return [
        Enrollment(
            enrollment_id=r.enrollment_id,
            psn_no=r.psn_no,
            insutype=r.insutype,
            insuplc_admdvs=r.insuplc_admdvs,
            psn_type=r.psn_type,
            begndate=r.begndate,
            periods=periods[r.enrollment_id],
            emp_no=r.emp_no,
            emp_name=names.get(r.emp_no),
            cvlserv_flag=r.cvlserv_flag,
            tier=r.tier,
            enddate=r.enddate,
            transferred_from=r.transferred_from,
            version=r.version,
        )
        for r in rows
    ]


def get_enrollment(session: Session, enrollment_id: str) -> Enrollment | None:
    rows = session.execute(
        select(db.enrollment).where(db.enrollment.c.enrollment_id == enrollment_id)
    ).all()
    found = _enrollments(session, list(rows))
    return found[0] if found else None


def enrollments_of(
    session: Session, psn_nos: Iterable[str]
) -> dict[str, list[Enrollment]]:
    wanted = set(psn_nos)
    result: dict[str, list[Enrollment]] = defaultdict(list)
    if not wanted:
        return result
    rows = session.execute(
        select(db.enrollment)
        .where(db.enrollment.c.psn_no.in_(wanted))
        .order_by(db.enrollment.c.begndate)
    ).all()
    for e in _enrollments(session, list(rows)):
        result[e.psn_no].append(e)
    return result


def list_enrollments(
    session: Session,
    *,
    psn_no: str | None,
    admdvs: str | None,
    status: str | None,
    limit: int,
) -> list[Enrollment]:
    query = (
        select(db.enrollment)
        .order_by(db.enrollment.c.created_at, db.enrollment.c.enrollment_id)
        .limit(limit)
    )
    if psn_no:
        query = query.where(db.enrollment.c.psn_no == psn_no)
    if admdvs:
        query = query.where(db.enrollment.c.insuplc_admdvs == admdvs)
    if status:
        query = query.where(db.enrollment.c.status == status)
    return _enrollments(session, list(session.execute(query).all()))


def enrollment_rows(
    e: Enrollment, now: dt.datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    row = {
        "enrollment_id": e.enrollment_id,
        "psn_no": e.psn_no,
        "insutype": e.insutype,
        "insuplc_admdvs": e.insuplc_admdvs,
        "psn_type": e.psn_type,
        "emp_no": e.emp_no,
        "cvlserv_flag": e.cvlserv_flag,
        "tier": e.tier,
        "begndate": e.begndate,
        "enddate": e.enddate,
        "status": e.status,
        "transferred_from": e.transferred_from,
        "version": e.version,
        "created_at": now,
        "updated_at": now,
    }
    periods = [
        {
            "enrollment_id": e.enrollment_id,
            "seq": i,
            "status": p.status,
            "begndate": p.begndate,
            "enddate": p.enddate,
            "reason": p.reason,
        }
        for i, p in enumerate(e.periods)
    ]
    return row, periods


def add_enrollments(session: Session, enrollments: list[Enrollment]) -> None:
    if not enrollments:
        return
    now = utcnow()
    rows, periods = [], []
    for e in enrollments:
        row, ps = enrollment_rows(e, now)
        rows.append(row)
        periods.extend(ps)
    bulk_insert(session, db.enrollment, rows)
    bulk_insert(session, db.enrollment_period, periods)


def save_enrollment(session: Session, e: Enrollment) -> None:
    row, periods = enrollment_rows(e, utcnow())
    del row["created_at"], row["enrollment_id"]
    session.execute(
        update(db.enrollment)
        .where(db.enrollment.c.enrollment_id == e.enrollment_id)
        .values(**row)
    )
    session.execute(
        delete(db.enrollment_period).where(
            db.enrollment_period.c.enrollment_id == e.enrollment_id
        )
    )
    session.execute(insert(db.enrollment_period), periods)


# Identities


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


def identities_of(session: Session, psn_no: str) -> list[Identity]:
    rows = session.execute(
        select(db.identity)
        .where(db.identity.c.psn_no == psn_no)
        .order_by(db.identity.c.begntime)
    ).all()
    return [_identity(r) for r in rows]


def get_identity(session: Session, identity_id: str) -> Identity | None:
    row = session.execute(
        select(db.identity).where(db.identity.c.identity_id == identity_id)
    ).first()
    return _identity(row) if row else None


def add_identity(session: Session, i: Identity) -> None:
    now = utcnow()
    session.execute(
        insert(db.identity).values(**i.snapshot(), created_at=now, updated_at=now)
    )


def save_identity(session: Session, i: Identity) -> None:
    values = i.snapshot()
    del values["identity_id"]
    session.execute(
        update(db.identity)
        .where(db.identity.c.identity_id == i.identity_id)
        .values(**values, updated_at=utcnow())
    )


# Policy


def current_policy(
    session: Session, admdvs: str, insutype: str, year: int
) -> Policy | None:
    row = session.execute(
        select(db.contribution_policy)
        .where(
            db.contribution_policy.c.insuplc_admdvs == admdvs,
            db.contribution_policy.c.insutype == insutype,
            db.contribution_policy.c.year == year,
        )
        .order_by(db.contribution_policy.c.version.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    tiers = dict(
        session.execute(
            select(db.resident_tier.c.tier, db.resident_tier.c.amount).where(
                db.resident_tier.c.policy_id == row.policy_id
            )
        ).all()
    )
    return Policy(
        policy_id=row.policy_id,
        insuplc_admdvs=row.insuplc_admdvs,
        insutype=row.insutype,
        year=row.year,
        version=row.version,
        tiers={k: Decimal(v) for k, v in tiers.items()},
        employer_rate=Decimal(row.employer_rate),
        employee_rate=Decimal(row.employee_rate),
        retiree_monthly_credit=Decimal(row.retiree_monthly_credit),
        subsidised_identities=tuple(
            x for x in row.subsidised_identities.split(",") if x
        ),
        assistance_share=Decimal(row.assistance_share),
    )


def known_pools(session: Session) -> set[str]:
    return set(
        session.execute(
            select(db.contribution_policy.c.insuplc_admdvs).distinct()
        ).scalars()
    )


def list_policies(session: Session) -> list[Policy]:
    keys = session.execute(
        select(
            db.contribution_policy.c.insuplc_admdvs,
            db.contribution_policy.c.insutype,
            db.contribution_policy.c.year,
        )
        .distinct()
        .order_by(
            db.contribution_policy.c.insuplc_admdvs,
            db.contribution_policy.c.insutype,
            db.contribution_policy.c.year,
        )
    ).all()
    return [
        p for k in keys if (p := current_policy(session, k[0], k[1], k[2])) is not None
    ]


def add_policy(session: Session, p: Policy) -> None:
    session.execute(
        insert(db.contribution_policy).values(
            policy_id=p.policy_id,
            insuplc_admdvs=p.insuplc_admdvs,
            insutype=p.insutype,
            year=p.year,
            version=p.version,
            employer_rate=p.employer_rate,
            employee_rate=p.employee_rate,
            retiree_monthly_credit=p.retiree_monthly_credit,
            subsidised_identities=",".join(p.subsidised_identities),
            assistance_share=p.assistance_share,
            created_at=utcnow(),
        )
    )
    if p.tiers:
        session.execute(
            insert(db.resident_tier),
            [
                {"policy_id": p.policy_id, "tier": t, "amount": a}
                for t, a in p.tiers.items()
            ],
        )


# Contributions and credits


def contribution_exists(session: Session, enrollment_id: str, period: str) -> bool:
    return (
        session.execute(
            select(db.contribution.c.contribution_id).where(
                db.contribution.c.enrollment_id == enrollment_id,
                db.contribution.c.period == period,
            )
        ).first()
        is not None
    )


def add_contribution(
    session: Session, row: dict[str, Any], lines: list[dict[str, Any]]
) -> None:
    session.execute(insert(db.contribution).values(**row, paid_at=utcnow()))
    session.execute(
        insert(db.contribution_line),
        [{"contribution_id": row["contribution_id"], **line} for line in lines],
    )


def contributions_of(session: Session, psn_no: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(db.contribution)
        .where(db.contribution.c.psn_no == psn_no)
        .order_by(db.contribution.c.period)
    ).all()
    if not rows:
        return []
    lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in session.execute(
        select(db.contribution_line).where(
            db.contribution_line.c.contribution_id.in_(
                [r.contribution_id for r in rows]
            )
        )
    ).all():
        lines[line.contribution_id].append(
            {"payer": line.payer, "amount": Decimal(line.amount)}
        )
    return [contribution_snapshot(r._asdict(), lines[r.contribution_id]) for r in rows]


def contribution_snapshot(
    row: dict[str, Any], lines: list[dict[str, Any]]
) -> dict[str, Any]:
    order = {"employer": 0, "person": 1, "medical_assistance": 2}
    return {
        "contribution_id": row["contribution_id"],
        "psn_no": row["psn_no"],
        "insutype": row["insutype"],
        "insuplc_admdvs": row["insuplc_admdvs"],
        "year": row["year"],
        "period": row["period"],
        "tier": row["tier"],
        "base": None if row["base"] is None else Decimal(row["base"]),
        "total": Decimal(row["total"]),
        "lines": sorted(lines, key=lambda line: order.get(line["payer"], 9)),
    }


def credit_exists(session: Session, dedup_key: str) -> bool:
    return (
        session.execute(
            select(db.account_credit.c.credit_id).where(
                db.account_credit.c.dedup_key == dedup_key
            )
        ).first()
        is not None
    )


def add_credit(session: Session, credit: dict[str, Any], dedup_key: str | None) -> None:
    session.execute(
        insert(db.account_credit).values(
            **credit, dedup_key=dedup_key, created_at=utcnow()
        )
    )


def credits_of(session: Session, psn_no: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(db.account_credit)
        .where(db.account_credit.c.psn_no == psn_no)
        .order_by(db.account_credit.c.credited_on, db.account_credit.c.created_at)
    ).all()
    return [credit_snapshot(r._asdict()) for r in rows]


def credit_snapshot(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "credit_id": row["credit_id"],
        "psn_no": row["psn_no"],
        "insutype": row["insutype"],
        "amount": Decimal(row["amount"]),
        "credited_on": row["credited_on"],
        "kind": row["kind"],
        "memo": row["memo"],
    }
