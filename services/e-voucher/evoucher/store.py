"""The repository the use cases work through (evoucher.usecases.ports.Store), over SQL.

`SqlStore` wraps one SQLAlchemy session: a unit of work of the runtime. `SqlUnits` opens one
per `with`, as the use cases ask (the payment saga spans several). tests/unit/fakes.py holds
an in-memory store with the same methods, so the use cases run without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from evoucher.db import (
    ec_token,
    family_binding,
    gateway_nonce,
    identity_ticket_use,
    institution,
    institution_callback_origin,
    mobile_session,
    outbox,
    pay_order,
    person,
    person_enrollment,
    qr_code,
    settlement,
    voucher,
    voucher_change,
)
from evoucher.domain import orders, vouchers
from medshared.db import insert_if_absent, labelled_columns, split_row
from medshared.events import Event
from medshared.hotsql import HotRead, HotWrite
from medshared.outbox import stage
from medshared.runtime import Runtime
from medshared.security import first_use_of_nonce

OPEN_BINDING = ("requested", "consented")

# The decode's statements, built once: a statement object keeps its compiled form and cache key,
# so each call only binds its parameters.
_VOUCHER_AND_PERSON = (
    select(*labelled_columns(voucher, person))
    .join_from(voucher, person, person.c.psn_no == voucher.c.psn_no)
    .where(voucher.c.voucher_id == bindparam("voucher_id"))
)
_CLAIM = (
    update(qr_code)
    .where(qr_code.c.qr_id == bindparam("b_qr_id"), qr_code.c.decoded_at.is_(None))
    .values(decoded_at=bindparam("b_now"), decoded_by=bindparam("b_fixmedins_code"))
    .returning(qr_code.c.voucher_id)
)
# The claim and the voucher with its holder in one round trip: UPDATE ... FROM voucher, person.
_CLAIM_WITH_HOLDER = (
    update(qr_code)
    .where(
        qr_code.c.qr_id == bindparam("b_qr_id"),
        qr_code.c.decoded_at.is_(None),
        voucher.c.voucher_id == qr_code.c.voucher_id,
        person.c.psn_no == voucher.c.psn_no,
    )
    .values(decoded_at=bindparam("b_now"), decoded_by=bindparam("b_fixmedins_code"))
    .returning(*labelled_columns(voucher, person))
)
_QR_ISSUED = select(qr_code.c.qr_id).where(qr_code.c.qr_id == bindparam("qr_id"))
# Every decode reads its institution and adds its ecToken: through the driver on PostgreSQL (medshared.hotsql).
_INSTITUTION = HotRead(select(institution).where(institution.c.fixmedins_code == bindparam("fixmedins_code")))
_ADD_EC_TOKEN = HotWrite(insert(ec_token))


class SqlUnits:
    """`with units() as store:` one transaction of the runtime: commit on success, roll back on error."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @contextmanager
    def __call__(self) -> Iterator[SqlStore]:
        with self.runtime.unit_of_work() as session:
            yield SqlStore(session)


class SqlStore:
    """The store over one SQLAlchemy session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def stage(self, topic: str, event: Event) -> None:
        stage(self.session, outbox, topic, event)

    def rollback(self) -> None:
        self.session.rollback()

    # --- mobile sessions

    def add_session(self, token_hash: str, openid: str, created_at: dt.datetime, expires_at: dt.datetime) -> None:
        self.session.execute(
            insert(mobile_session).values(
                token_hash=token_hash, openid=openid, created_at=created_at, expires_at=expires_at
            )
        )

    def mobile_session(self, token_hash: str) -> Any | None:
        return self.session.execute(select(mobile_session).where(mobile_session.c.token_hash == token_hash)).first()

    def end_sessions(self, openid: str) -> None:
        self.session.execute(delete(mobile_session).where(mobile_session.c.openid == openid))

    # --- people and enrollments (read models fed by enrollment's events)

    def person(self, psn_no: str) -> Any:
        return self.session.execute(select(person).where(person.c.psn_no == psn_no)).one()

    def people_with_certno(self, certno: str) -> list[Any]:
        return list(self.session.execute(select(person).where(person.c.certno == certno)).all())

    def active_pools(self, psn_no: str) -> list[str]:
        rows = self.session.execute(
            select(person_enrollment.c.insuplc_admdvs).where(
                person_enrollment.c.psn_no == psn_no, person_enrollment.c.status == "active"
            )
        ).scalars()
        return list(rows)

    def pool_of(self, psn_no: str, insutype: str) -> str | None:
        return self.session.execute(
            select(person_enrollment.c.insuplc_admdvs).where(
                person_enrollment.c.psn_no == psn_no,
                person_enrollment.c.insutype == insutype,
                person_enrollment.c.status == "active",
            )
        ).scalar()

    # --- vouchers

    def voucher(self, voucher_id: str) -> Any | None:
        return self.session.execute(select(voucher).where(voucher.c.voucher_id == voucher_id)).first()

    def voucher_of_openid(self, openid: str) -> Any | None:
        return self.session.execute(select(voucher).where(voucher.c.active_openid == openid)).first()

    def voucher_of_person(self, psn_no: str) -> Any | None:
        return self.session.execute(select(voucher).where(voucher.c.active_psn_no == psn_no)).first()

    def voucher_and_person(self, voucher_id: str) -> tuple[Any, Any]:
        """A voucher and its holder in one statement."""
        row = self.session.connection().execute(_VOUCHER_AND_PERSON, {"voucher_id": voucher_id}).one()
        owner, who = split_row(row, voucher, person)
        return owner, who

    def add_voucher(self, values: dict[str, Any]) -> bool:
        """False when the person or the account already holds a live voucher (the unique keys)."""
        try:
            self.session.execute(insert(voucher).values(**values))
        except IntegrityError:
            return False
        return True

    def update_voucher(self, voucher_id: str, **values: Any) -> None:
        self.session.execute(update(voucher).where(voucher.c.voucher_id == voucher_id).values(**values))

    def record_voucher_change(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(voucher_change).values(**values))

    def use_identity_ticket(self, values: dict[str, Any]) -> bool:
        """Record the ticket; False when it was used before."""
        return insert_if_absent(self.session, identity_ticket_use, values)

    # --- family bindings

    def binding(self, binding_id: str) -> Any | None:
        return self.session.execute(select(family_binding).where(family_binding.c.binding_id == binding_id)).first()

    def open_binding(self, guardian_psn_no: str, dependant_psn_no: str) -> Any | None:
        return self.session.execute(
            select(family_binding).where(
                family_binding.c.guardian_psn_no == guardian_psn_no,
                family_binding.c.dependant_psn_no == dependant_psn_no,
                family_binding.c.status.in_(OPEN_BINDING),
            )
        ).first()

    def consented(self, guardian_psn_no: str, dependant_psn_no: str) -> bool:
        return (
            self.session.execute(
                select(family_binding.c.binding_id).where(
                    family_binding.c.guardian_psn_no == guardian_psn_no,
                    family_binding.c.dependant_psn_no == dependant_psn_no,
                    family_binding.c.status == "consented",
                )
            ).first()
            is not None
        )

    def bindings_of(self, psn_no: str) -> list[Any]:
        """The bindings the person is a party to, withdrawn ones left out, oldest first."""
        return list(
            self.session.execute(
                select(family_binding)
                .where(
                    or_(family_binding.c.guardian_psn_no == psn_no, family_binding.c.dependant_psn_no == psn_no),
                    family_binding.c.status != "withdrawn",
                )
                .order_by(family_binding.c.requested_at)
            ).all()
        )

    def add_binding(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(family_binding).values(**values))

    def update_binding(self, binding_id: str, **values: Any) -> None:
        self.session.execute(update(family_binding).where(family_binding.c.binding_id == binding_id).values(**values))

    def withdraw_open_bindings_of(self, psn_no: str, now: dt.datetime) -> None:
        self.session.execute(
            update(family_binding)
            .where(
                or_(family_binding.c.guardian_psn_no == psn_no, family_binding.c.dependant_psn_no == psn_no),
                family_binding.c.status.in_(OPEN_BINDING),
            )
            .values(status="withdrawn", withdrawn_at=now)
        )

    # --- QR codes and ecTokens

    def add_qr_code(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(qr_code).values(**values))

    def claim_qr_code(self, qr_id: str, fixmedins_code: str, now: dt.datetime) -> tuple[Any, Any] | None:
        """Mark the code decoded by this institution: its voucher and the voucher's holder, or None when
        the code was decoded already or never issued.

        On PostgreSQL the voucher and its holder come back with the claim, one statement. Should the
        join find nothing (a voucher without its holder), the plain claim runs, exactly as if there
        were no join.
        """
        params = {"b_qr_id": qr_id, "b_now": now, "b_fixmedins_code": fixmedins_code}
        conn = self.session.connection()
        # SQLite's RETURNING sees only the updated table: there the holder is read by its own statement.
        row = conn.execute(_CLAIM_WITH_HOLDER, params).first() if conn.dialect.name == "postgresql" else None
        if row is not None:
            owner, who = split_row(row, voucher, person)
            return owner, who
        claimed = conn.execute(_CLAIM, params).first()
        return None if claimed is None else self.voucher_and_person(str(claimed.voucher_id))

    def qr_code_issued(self, qr_id: str) -> bool:
        return self.session.connection().execute(_QR_ISSUED, {"qr_id": qr_id}).first() is not None

    def add_ec_token(self, values: dict[str, Any]) -> None:
        _ADD_EC_TOKEN.run(self.session, values)

    def ec_token(self, token: str) -> Any | None:
        return self.session.execute(select(ec_token).where(ec_token.c.ec_token == token)).first()

    # --- institutions

    def institution(self, fixmedins_code: str) -> Any | None:
        return _INSTITUTION.first(self.session, {"fixmedins_code": fixmedins_code})

    def first_use_of_nonce(self, paasid: str, nonce: str, window_seconds: int) -> bool:
        try:
            return first_use_of_nonce(self.session, gateway_nonce, paasid, nonce, window_seconds)
        except IntegrityError:
            return False

    def callback_origins(self, fixmedins_code: str) -> list[str]:
        return list(
            self.session.execute(
                select(institution_callback_origin.c.origin).where(
                    institution_callback_origin.c.fixmedins_code == fixmedins_code
                )
            ).scalars()
        )

    def add_callback_origin(self, fixmedins_code: str, origin: str) -> None:
        insert_if_absent(
            self.session, institution_callback_origin, {"fixmedins_code": fixmedins_code, "origin": origin}
        )

    # --- payment orders

    def order(self, pay_ord_id: str) -> Any | None:
        return self.session.execute(select(pay_order).where(pay_order.c.pay_ord_id == pay_ord_id)).first()

    def order_of_institution(self, fixmedins_code: str, med_org_ord: str) -> Any | None:
        return self.session.execute(
            select(pay_order).where(
                pay_order.c.fixmedins_code == fixmedins_code, pay_order.c.med_org_ord == med_org_ord
            )
        ).first()

    def add_order(self, values: dict[str, Any]) -> bool:
        """False when the institution's order number was taken a moment ago."""
        try:
            self.session.execute(insert(pay_order).values(**values))
        except IntegrityError:
            return False
        return True

    def update_order(self, pay_ord_id: str, values: dict[str, Any], **expected: Any) -> bool:
        """Compare-and-set: update the order only where its columns still hold `expected`; True when it did."""
        where = [
            pay_order.c.pay_ord_id == pay_ord_id,
            *(pay_order.c[name] == value for name, value in expected.items()),
        ]
        result: Any = self.session.execute(update(pay_order).where(*where).values(**values))
        return bool(result.rowcount == 1)

    def orders_to_resume(self, now: dt.datetime, cutoff: dt.datetime, limit: int = 100) -> list[str]:
        """Orders in flight since before `cutoff`, and final ones whose callback is due, oldest first."""
        order = pay_order.c
        settled_a_while_ago = order.updated_at <= cutoff
        callback_due = and_(
            order.status.in_(orders.FINAL),
            or_(order.notified_status.is_(None), order.notified_status != order.status),
            or_(order.callback_failed_status.is_(None), order.callback_failed_status != order.status),
            or_(and_(order.callback_next_at.is_(None), settled_a_while_ago), order.callback_next_at <= now),
        )
        return list(
            self.session.execute(
                select(order.pay_ord_id)
                .where(or_(and_(order.status.in_(orders.IN_FLIGHT), settled_a_while_ago), callback_due))
                .order_by(order.serial)
                .limit(limit)
            )
            .scalars()
            .all()
        )

    # --- what the person and the bureau read

    def usage(self, psn_no: str) -> list[Any]:
        """The ecTokens minted for the person, newest first, with the institution's name."""
        return list(
            self.session.execute(
                select(ec_token, institution.c.fixmedins_name)
                .join(institution, institution.c.fixmedins_code == ec_token.c.fixmedins_code, isouter=True)
                .where(ec_token.c.psn_no == psn_no)
                .order_by(ec_token.c.created_at.desc())
            ).all()
        )

    def settlements_of(self, psn_no: str) -> list[Any]:
        return list(
            self.session.execute(
                select(settlement).where(settlement.c.psn_no == psn_no).order_by(settlement.c.setl_time.desc())
            ).all()
        )

    def pool_counts(self) -> dict[str, dict[str, int]]:
        """Per pool: enrolled living people, vouchers not revoked, standing settlements, those with a voucher.

        Reversed settlements and the reversals themselves are left out of both settlement counts.
        """
        alive = and_(person.c.psn_no == person_enrollment.c.psn_no, person.c.death_date.is_(None))
        standing = and_(settlement.c.reversed.is_(False), settlement.c.original_setl_id.is_(None))
        queries = {
            "enrolled": select(
                person_enrollment.c.insuplc_admdvs, func.count(func.distinct(person_enrollment.c.psn_no))
            )
            .join(person, alive)
            .where(person_enrollment.c.status == "active")
            .group_by(person_enrollment.c.insuplc_admdvs),
            "activated": select(voucher.c.insuplc_admdvs, func.count())
            .where(voucher.c.status != vouchers.REVOKED)
            .group_by(voucher.c.insuplc_admdvs),
            "settlements": select(settlement.c.insuplc_admdvs, func.count())
            .where(standing)
            .group_by(settlement.c.insuplc_admdvs),
            "with_voucher": select(settlement.c.insuplc_admdvs, func.count())
            .where(standing, settlement.c.mdtrt_cert_type == "01")
            .group_by(settlement.c.insuplc_admdvs),
        }
        return {
            name: {str(pool): int(count) for pool, count in self.session.execute(query).all()}
            for name, query in queries.items()
        }
