"""The in-memory store's part for the records queries (5201-5205, 5301-5304) and person designation filings
(2505/2506) (settlement.usecases.ports.records).

It reads the visits, fee lines and chronic filings the other parts of FakeStore hold; referral
filings (remote-care's, a read model in SQL) are whatever a test puts in `referrals`.
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace
from typing import Any

from settlement.domain.records import Page

DRUG_PREFIXES = ("X", "Z", "T")


def _page(rows: list[Any], page: Page) -> list[Any]:
    return rows[page.offset : page.offset + page.limit]


class FakeRecords:
    def __init__(self) -> None:
        super().__init__()
        self.diagnosis_rows: list[SimpleNamespace] = []
        self.referrals: list[SimpleNamespace] = []
        self.designations: dict[str, SimpleNamespace] = {}
        self.institutions: dict[str, str] = {
            "H54010000001": "拉萨市第一人民医院(演示)",
            "H54010000002": "拉萨市城关区社区卫生服务中心(演示)",
        }
        self._diagnosis_ids = itertools.count(1)

    # diagnoses
    def replace_diagnoses(self, mdtrt_id: str, stage: str, rows: list[dict[str, Any]]) -> None:
        self.diagnosis_rows = [d for d in self.diagnosis_rows if (d.mdtrt_id, d.stage) != (mdtrt_id, stage)]
        self.diagnosis_rows.extend(SimpleNamespace(id=next(self._diagnosis_ids), **row) for row in rows)

    def diagnoses(self, mdtrt_ids: list[str]) -> list[Any]:
        return [d for d in self.diagnosis_rows if d.mdtrt_id in mdtrt_ids]

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
        rows = [
            v
            for v in self.visits.values()
            if v.fixmedins_code == fixmedins_code
            and v.psn_no == psn_no
            and v.status != "cancelled"
            and begin <= v.begntime <= end
            and (not med_type or v.med_type == med_type)
            and (not mdtrt_id or v.mdtrt_id == mdtrt_id)
        ]
        return _page(sorted(rows, key=lambda v: (v.begntime, v.mdtrt_id)), page)

    def inpatients(
        self, fixmedins_code: str, psn_no: str | None, begin: dt.datetime | None, end: dt.datetime | None, page: Page
    ) -> list[Any]:
        rows = []
        for v in self.visits.values():
            if (v.fixmedins_code, v.kind, v.status) != (fixmedins_code, "inpatient", "admitted"):
                continue
            if (psn_no and v.psn_no != psn_no) or (begin and v.begntime < begin) or (end and v.begntime > end):
                continue
            p = self.people[v.psn_no]
            person = {k: getattr(p, k) for k in ("psn_cert_type", "certno", "psn_name", "gend", "brdy")}
            rows.append(SimpleNamespace(**vars(v), **person))
        return _page(sorted(rows, key=lambda v: (v.begntime, v.mdtrt_id)), page)

    def fee_lines_of(self, mdtrt_id: str, setl_id: str | None, page: Page) -> list[Any]:
        rows = [x for x in self.lines if x.mdtrt_id == mdtrt_id and (not setl_id or x.setl_id == setl_id)]
        return _page(sorted(rows, key=lambda x: x.id), page)

    # a person's records, whoever made them
    def chronic_drug_lines(self, psn_no: str, begin: dt.datetime, end: dt.datetime, page: Page) -> list[Any]:
        rows = []
        for x in self.lines:
            v = self.visits[x.mdtrt_id]
            if v.psn_no != psn_no or v.med_type != "14" or x.setl_id is None:
                continue
            if not (begin <= x.fee_ocur_time <= end) or not x.med_list_codg.startswith(DRUG_PREFIXES):
                continue
            visit = {k: getattr(v, k) for k in ("psn_no", "med_type", "fixmedins_code", "mdtrtarea_admvs")}
            rows.append(SimpleNamespace(**vars(x), **visit))
        return _page(sorted(rows, key=lambda x: (x.fee_ocur_time, x.id)), page)

    def chronic_filings_of(self, psn_no: str, page: Page) -> list[Any]:
        rows = [f for f in self.chronic.values() if f.psn_no == psn_no and not f.revoked]
        return _page(sorted(rows, key=lambda f: (f.begndate, f.trt_dcla_detl_sn)), page)

    def referral_filings(self, psn_no: str, begin: dt.date, end: dt.date | None, page: Page) -> list[Any]:
        rows = [
            f
            for f in self.referrals
            if f.psn_no == psn_no
            and f.filing_type == "referral"
            and f.status == "active"
            and (end is None or f.begndate <= end)
            and (f.enddate is None or f.enddate >= begin)
        ]
        return _page(sorted(rows, key=lambda f: (f.begndate, f.filing_id)), page)

    def institution_names(self, codes: set[str]) -> dict[str, str]:
        return {code: name for code, name in self.institutions.items() if code in codes}

    # person designations
    def add_designation(self, values: dict[str, Any]) -> None:
        if values["trt_dcla_detl_sn"] in self.designations:
            raise ValueError(f"designation {values['trt_dcla_detl_sn']} exists")
        self.designations[values["trt_dcla_detl_sn"]] = SimpleNamespace(**values)

    def designation(self, serial: str) -> Any | None:
        return self.designations.get(serial)

    def revoke_designation(self, serial: str, memo: str | None, moment: dt.datetime) -> None:
        row = self.designations[serial]
        row.revoked, row.revoked_at, row.revoke_memo = True, moment, memo

    def designations_of(self, psn_no: str, biz_appy_type: str | None, from_day: dt.date, page: Page) -> list[Any]:
        rows = [
            d
            for d in self.designations.values()
            if d.psn_no == psn_no
            and not d.revoked
            and (d.enddate is None or d.enddate >= from_day)
            and (not biz_appy_type or d.biz_appy_type == biz_appy_type)
        ]
        order = sorted(rows, key=lambda d: (d.biz_appy_type, d.fix_srt_no or "", d.begndate, d.trt_dcla_detl_sn))
        return _page(order, page)
