"""The store's part for the records queries (5201-5205, 5301-5304) and person designation filings
(2505/2506), over SQL (settlement.usecases.ports.records).

Every list is ordered on a unique tail (an id or key) so that pages neither repeat nor skip a row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, bindparam, delete, insert, or_, select, update
from sqlalchemy.orm import Session

from medshared.hotsql import HotRead
from settlement.db import (
    chronic_filing,
    designation,
    diagnosis,
    fee_line,
    filing,
    institution,
    person,
    visit,
)
from settlement.domain.records import Page

_DIAGNOSES_OF = HotRead(select(diagnosis).where(diagnosis.c.mdtrt_id == bindparam("mdtrt_id")).order_by(diagnosis.c.id))
CANCELLED = "cancelled"  # settlement.domain.visits.CANCELLED
ADMITTED = "admitted"
INPATIENT = "inpatient"
CHRONIC_MED_TYPE = "14"
REFERRAL = "referral"
# National drug codes begin X (西药), Z (中成药) or T (中药饮片).
DRUG_PREFIXES = ("X", "Z", "T")


class RecordsSql:
    session: Session
    _postgres: bool

    def _page(self, query: Select[Any], page: Page) -> list[Any]:
        return list(self.session.execute(query.offset(page.offset).limit(page.limit)).all())

    # diagnoses
    def replace_diagnoses(self, mdtrt_id: str, stage: str, rows: list[dict[str, Any]]) -> None:
        self.session.execute(delete(diagnosis).where(diagnosis.c.mdtrt_id == mdtrt_id, diagnosis.c.stage == stage))
        if rows:
            self.session.execute(insert(diagnosis), rows)

    def diagnoses(self, mdtrt_ids: list[str]) -> list[Any]:
        if not mdtrt_ids:
            return []
        if len(mdtrt_ids) == 1:  # a settlement's own visit
            return _DIAGNOSES_OF.all(self.session, {"mdtrt_id": mdtrt_ids[0]})
        query = select(diagnosis).where(diagnosis.c.mdtrt_id.in_(mdtrt_ids)).order_by(diagnosis.c.id)
        return list(self.session.execute(query).all())

    # the institution's own records
    def visits_of(
        self,
        fixmedins_code: str,
        psn_no: str,
        begin: dt.datetime,
        end: dt.datetime,
        med_type: str | None,
        mdtrt_id: str | None,
        page: Page,
    ) -> list[Any]:
        query = select(visit).where(
            visit.c.fixmedins_code == fixmedins_code,
            visit.c.psn_no == psn_no,
            visit.c.status != CANCELLED,
            visit.c.begntime >= begin,
            visit.c.begntime <= end,
        )
        if med_type:
            query = query.where(visit.c.med_type == med_type)
        if mdtrt_id:
            query = query.where(visit.c.mdtrt_id == mdtrt_id)
        return self._page(query.order_by(visit.c.begntime, visit.c.mdtrt_id), page)

    def inpatients(
        self, fixmedins_code: str, psn_no: str | None, begin: dt.datetime | None, end: dt.datetime | None, page: Page
    ) -> list[Any]:
        query = (
            select(
                visit,
                person.c.psn_cert_type,
                person.c.certno,
                person.c.psn_name,
                person.c.gend,
                person.c.brdy,
            )
            .join(person, person.c.psn_no == visit.c.psn_no)
            .where(visit.c.fixmedins_code == fixmedins_code, visit.c.kind == INPATIENT, visit.c.status == ADMITTED)
        )
        if psn_no:
            query = query.where(visit.c.psn_no == psn_no)
        if begin is not None:
            query = query.where(visit.c.begntime >= begin)
        if end is not None:
            query = query.where(visit.c.begntime <= end)
        return self._page(query.order_by(visit.c.begntime, visit.c.mdtrt_id), page)

    def fee_lines_of(self, mdtrt_id: str, setl_id: str | None, page: Page) -> list[Any]:
        query = select(fee_line).where(fee_line.c.mdtrt_id == mdtrt_id)
        if setl_id:
            query = query.where(fee_line.c.setl_id == setl_id)
        return self._page(query.order_by(fee_line.c.id), page)

    # a person's records, whoever made them
    def chronic_drug_lines(self, psn_no: str, begin: dt.datetime, end: dt.datetime, page: Page) -> list[Any]:
        query = (
            select(fee_line, visit.c.psn_no, visit.c.med_type, visit.c.fixmedins_code, visit.c.mdtrtarea_admvs)
            .join(visit, visit.c.mdtrt_id == fee_line.c.mdtrt_id)
            .where(
                visit.c.psn_no == psn_no,
                visit.c.med_type == CHRONIC_MED_TYPE,
                fee_line.c.setl_id.is_not(None),
                fee_line.c.fee_ocur_time >= begin,
                fee_line.c.fee_ocur_time <= end,
                or_(*(fee_line.c.med_list_codg.like(f"{prefix}%") for prefix in DRUG_PREFIXES)),
            )
            .order_by(fee_line.c.fee_ocur_time, fee_line.c.id)
        )
        return self._page(query, page)

    def chronic_filings_of(self, psn_no: str, page: Page) -> list[Any]:
        query = (
            select(chronic_filing)
            .where(chronic_filing.c.psn_no == psn_no, chronic_filing.c.revoked.is_(False))
            .order_by(chronic_filing.c.begndate, chronic_filing.c.trt_dcla_detl_sn)
        )
        return self._page(query, page)

    def referral_filings(self, psn_no: str, begin: dt.date, end: dt.date | None, page: Page) -> list[Any]:
        query = (
            select(filing)
            .where(
                filing.c.psn_no == psn_no,
                filing.c.filing_type == REFERRAL,
                filing.c.status == "active",
                or_(filing.c.enddate.is_(None), filing.c.enddate >= begin),
            )
            .order_by(filing.c.begndate, filing.c.filing_id)
        )
        if end is not None:
            query = query.where(filing.c.begndate <= end)
        return self._page(query, page)

    def institution_names(self, codes: set[str]) -> dict[str, str]:
        if not codes:
            return {}
        query = select(institution.c.fixmedins_code, institution.c.fixmedins_name).where(
            institution.c.fixmedins_code.in_(sorted(codes))
        )
        return {code: name for code, name in self.session.execute(query).all()}

    # person designations
    def add_designation(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(designation).values(**values))

    def designation(self, serial: str) -> Any | None:
        return self.session.execute(select(designation).where(designation.c.trt_dcla_detl_sn == serial)).first()

    def revoke_designation(self, serial: str, memo: str | None, moment: dt.datetime) -> None:
        self.session.execute(
            update(designation)
            .where(designation.c.trt_dcla_detl_sn == serial)
            .values(revoked=True, revoked_at=moment, revoke_memo=memo)
        )

    def designations_of(self, psn_no: str, biz_appy_type: str | None, from_day: dt.date, page: Page) -> list[Any]:
        query = select(designation).where(
            designation.c.psn_no == psn_no,
            designation.c.revoked.is_(False),
            or_(designation.c.enddate.is_(None), designation.c.enddate >= from_day),
        )
        if biz_appy_type:
            query = query.where(designation.c.biz_appy_type == biz_appy_type)
        order = (designation.c.biz_appy_type, designation.c.fix_srt_no, designation.c.begndate)
        return self._page(query.order_by(*order, designation.c.trt_dcla_detl_sn), page)
