"""The settlement chain's part of the store (settlement.usecases.ports.core), over SQL.

Hot statements are built once with bound parameters.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from medshared.db import insert_if_absent
from medshared.events import Event, utcnow
from medshared.hotsql import HotRead, HotWrite, any_of
from medshared.outbox import stage
from settlement import readmodels as rm
from settlement import reference
from settlement.db import (
    account_entry,
    accumulator,
    chronic_filing,
    fee_line,
    message_log,
    outbox,
    settlement,
    sign_in,
    visit,
)
from settlement.policy import Accumulators, AssistancePolicy, Catalogue, FilingRecord, RegionPolicy
from settlement.usecases.ports import ACCUMULATOR_FIELDS, InForce

from .supervision import rules_from

_VISIT_QUERY = select(visit).where(visit.c.mdtrt_id == bindparam("mdtrt_id"))
_VISIT = HotRead(_VISIT_QUERY)
_VISIT_FOR_UPDATE = HotRead(_VISIT_QUERY.with_for_update())
# Updates take their SET columns from the parameters; the keys they match on are b_-prefixed.
_SET_VISIT = HotWrite(update(visit).where(visit.c.mdtrt_id == bindparam("b_mdtrt_id")))
_ADD_VISIT = HotWrite(insert(visit))
_ADD_SETTLEMENT = HotWrite(insert(settlement))
_SETTLE_LINES = HotWrite(update(fee_line).where(any_of(fee_line.c.id, "ids")).values(setl_id=bindparam("b_setl_id")))
_FEE_LINES = HotRead(select(fee_line).where(fee_line.c.mdtrt_id == bindparam("mdtrt_id")))
_UNSETTLED = HotRead(
    select(fee_line)
    .where(fee_line.c.mdtrt_id == bindparam("mdtrt_id"), fee_line.c.setl_id.is_(None))
    .order_by(fee_line.c.id)
)
_ACCUMULATOR_QUERY = select(accumulator).where(
    accumulator.c.psn_no == bindparam("psn_no"), accumulator.c.year == bindparam("year")
)
_ACCUMULATOR = HotRead(_ACCUMULATOR_QUERY)
_ACCUMULATOR_FOR_UPDATE = HotRead(_ACCUMULATOR_QUERY.with_for_update())
_STORE_ACCUMULATORS = HotWrite(
    update(accumulator).where(accumulator.c.psn_no == bindparam("b_psn_no"), accumulator.c.year == bindparam("b_year"))
)
_OPEN_SETTLEMENT = HotRead(
    select(settlement.c.setl_id).where(
        settlement.c.mdtrt_id == bindparam("mdtrt_id"),
        settlement.c.init_setl_id.is_(None),
        settlement.c.reversed_by.is_(None),
    )
)
_DEDUCTIBLE_APPLIED = HotRead(select(settlement.c.act_pay_dedc).where(settlement.c.mdtrt_id == bindparam("mdtrt_id")))


class CoreSql:
    """The settlement chain over the store's session."""

    session: Session
    _postgres: bool

    # read models and reference data: settlement's own copies (readmodels, reference)
    def person(self, psn_no: str) -> Any:
        return rm.person_by_psn_no(self.session, psn_no)

    def person_by_certno(self, certno: str) -> Any:
        return rm.person_by_certno(self.session, certno)

    def enrollments(self, psn_no: str) -> list[Any]:
        return rm.enrollments(self.session, psn_no)

    def identities_on(self, psn_no: str, moment: dt.datetime) -> list[Any]:
        return rm.identities_on(self.session, psn_no, moment)

    def balance(self, psn_no: str, insutype: str = "310") -> Decimal:
        return rm.balance(self.session, psn_no, insutype)

    def filings(self, psn_no: str) -> list[FilingRecord]:
        return rm.filings(self.session, psn_no)

    def chronic_filing_active(self, psn_no: str, dise_codg: str | None, day: dt.date) -> bool:
        return rm.chronic_filing_active(self.session, psn_no, dise_codg, day)

    def catalogue_on(self, day: dt.date) -> Catalogue:
        return reference.catalogue_on(self.session, day)

    def region_policy_on(self, admdvs: str, insutype: str, day: dt.date) -> RegionPolicy:
        return reference.region_policy_on(self.session, admdvs, insutype, day)

    def assistance_policy_on(self, admdvs: str, day: dt.date) -> AssistancePolicy | None:
        return reference.assistance_policy_on(self.session, admdvs, day)

    def in_force(self, admdvs: str, insutype: str, day: dt.date) -> InForce:
        params = {"day": day, "admdvs": admdvs, "insutype": insutype, "year": day.year}
        found = {r.kind: r for r in reference.IN_FORCE.all(self.session, params)}
        return InForce(
            catalogue=reference.catalogue_from(self.session, found.get("catalogue"), day),
            policy=reference.region_policy_from(self.session, found.get("region"), admdvs, insutype, day),
            assistance=reference.assistance_policy_from(self.session, found.get("assistance")),
            rules=rules_from(self.session, found.get("supervision")),
        )

    # sign-in
    def add_sign_in(self, sign_no: str, fixmedins_code: str, opter_no: str) -> None:
        self.session.execute(
            insert(sign_in).values(
                sign_no=sign_no, fixmedins_code=fixmedins_code, opter_no=opter_no, signed_in_at=utcnow()
            )
        )

    def sign_out(self, sign_no: str) -> None:
        self.session.execute(update(sign_in).where(sign_in.c.sign_no == sign_no).values(signed_out_at=utcnow()))

    # visits and fee lines
    def visit(self, mdtrt_id: str, *, lock: bool = False) -> Any | None:
        query = _VISIT_FOR_UPDATE if lock and self._postgres else _VISIT
        return query.first(self.session, {"mdtrt_id": mdtrt_id})

    def add_visit(self, values: dict[str, Any]) -> None:
        _ADD_VISIT.run(self.session, values | {"created_at": utcnow()})

    def update_visit(self, mdtrt_id: str, **values: Any) -> None:
        _SET_VISIT.run(self.session, {"b_mdtrt_id": mdtrt_id, **values})

    def fee_lines(self, mdtrt_id: str) -> list[Any]:
        return _FEE_LINES.all(self.session, {"mdtrt_id": mdtrt_id})

    def unsettled_lines(self, mdtrt_id: str) -> list[Any]:
        return _UNSETTLED.all(self.session, {"mdtrt_id": mdtrt_id})

    def add_fee_lines(self, rows: list[dict[str, Any]]) -> None:
        self.session.execute(insert(fee_line), rows)  # every line in one statement

    def delete_fee_lines(self, mdtrt_id: str, *, unsettled_only: bool, **match: str) -> int:
        where = [fee_line.c.mdtrt_id == mdtrt_id]
        if unsettled_only:
            where.append(fee_line.c.setl_id.is_(None))
        where.extend(fee_line.c[name] == value for name, value in match.items())
        result = cast("CursorResult[Any]", self.session.execute(delete(fee_line).where(*where)))
        return int(result.rowcount)

    def settle_fee_lines(self, line_ids: list[int], setl_id: str) -> None:
        _SETTLE_LINES.run(self.session, {"ids": line_ids, "b_setl_id": setl_id})

    def release_fee_lines(self, setl_id: str) -> None:
        self.session.execute(update(fee_line).where(fee_line.c.setl_id == setl_id).values(setl_id=None))

    # settlements, accumulators, the personal account
    def settlement(self, setl_id: str) -> Any | None:
        return self.session.execute(select(settlement).where(settlement.c.setl_id == setl_id)).first()

    def open_settlement_of(self, mdtrt_id: str) -> Any | None:
        return _OPEN_SETTLEMENT.first(self.session, {"mdtrt_id": mdtrt_id})

    def deductible_applied(self, mdtrt_id: str) -> Decimal:
        return sum(_DEDUCTIBLE_APPLIED.scalars(self.session, {"mdtrt_id": mdtrt_id}), Decimal(0))

    def add_settlement(self, values: dict[str, Any]) -> None:
        _ADD_SETTLEMENT.run(self.session, values)

    def mark_reversed(self, setl_id: str, reversed_by: str) -> None:
        self.session.execute(update(settlement).where(settlement.c.setl_id == setl_id).values(reversed_by=reversed_by))

    def settlements_between(
        self, fixmedins_code: str, insutype: str, clr_type: str, clr_optins: str, begin: dt.datetime, end: dt.datetime
    ) -> list[Any]:
        query = select(settlement).where(
            settlement.c.fixmedins_code == fixmedins_code,
            settlement.c.insutype == insutype,
            settlement.c.clr_type == clr_type,
            settlement.c.clr_optins == clr_optins,
            settlement.c.setl_time >= begin,
            settlement.c.setl_time <= end,
        )
        return list(self.session.execute(query).all())

    def read_accumulators(self, psn_no: str, year: int) -> Accumulators:
        row = _ACCUMULATOR.first(self.session, {"psn_no": psn_no, "year": year})
        if row is None:
            return Accumulators()
        return Accumulators(**{name: getattr(row, name) for name in ACCUMULATOR_FIELDS})

    def lock_accumulators(self, psn_no: str, year: int) -> Accumulators:
        """Take the person's yearly row lock (PostgreSQL); SQLite already serialises writers."""
        query = _ACCUMULATOR_FOR_UPDATE if self._postgres else _ACCUMULATOR
        key = {"psn_no": psn_no, "year": year}
        row = query.first(self.session, key)
        if row is None:
            # The year's first settlement creates the row. Another settlement creating it at the same
            # moment makes this insert wait for it and then do nothing; the lock is taken below.
            insert_if_absent(self.session, accumulator, key | dict.fromkeys(ACCUMULATOR_FIELDS, Decimal(0)))
            row = query.first(self.session, key)
        return Accumulators(**{name: getattr(row, name) for name in ACCUMULATOR_FIELDS})

    def store_accumulators(self, psn_no: str, year: int, value: Accumulators) -> None:
        values = {name: getattr(value, name) for name in ACCUMULATOR_FIELDS}
        _STORE_ACCUMULATORS.run(self.session, {"b_psn_no": psn_no, "b_year": year} | values)

    def post_account(self, entry_id: str, psn_no: str, amount: Decimal, kind: str, memo: str) -> None:
        self.session.execute(
            insert(account_entry).values(
                entry_id=entry_id,
                psn_no=psn_no,
                insutype="310",
                amount=amount,
                kind=kind,
                memo=memo,
                posted_at=utcnow(),
            )
        )

    # chronic-disease filings, the call log, events
    def chronic_filing(self, serial: str) -> Any | None:
        return self.session.execute(select(chronic_filing).where(chronic_filing.c.trt_dcla_detl_sn == serial)).first()

    def add_chronic_filing(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(chronic_filing).values(**values))

    def revoke_chronic_filing(self, serial: str) -> None:
        self.session.execute(
            update(chronic_filing).where(chronic_filing.c.trt_dcla_detl_sn == serial).values(revoked=True)
        )

    def logged_call(self, sender: str, msgid: str) -> Any | None:
        return self.session.execute(
            select(message_log).where(message_log.c.sender == sender, message_log.c.msgid == msgid)
        ).first()

    def stage(self, topic: str, event: Event) -> None:
        stage(self.session, outbox, topic, event)
