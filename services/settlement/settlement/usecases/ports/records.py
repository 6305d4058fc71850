"""The port of the records queries (5201-5205, 5301-5304) and person designation filings (2505/2506).

Lists come a page at a time (settlement.domain.records.Page: offset and limit), in a stable order.
Institution records are read for one institution; person-level records for one person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from settlement.domain.records import Page


class RecordsStore(Protocol):
    # diagnoses sent with 2203 / 2401 / 2402 / 2403, by visit and stage (outpatient, admission, discharge)
    def replace_diagnoses(self, mdtrt_id: str, stage: str, rows: list[dict[str, Any]]) -> None: ...
    def diagnoses(self, mdtrt_ids: list[str]) -> list[Any]: ...

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
    ) -> list[Any]: ...
    def inpatients(
        self, fixmedins_code: str, psn_no: str | None, begin: dt.datetime | None, end: dt.datetime | None, page: Page
    ) -> list[Any]: ...  # visit columns with the person's psn_cert_type, certno, psn_name, gend, brdy
    def fee_lines_of(self, mdtrt_id: str, setl_id: str | None, page: Page) -> list[Any]: ...

    # a person's records, whoever made them
    def chronic_drug_lines(self, psn_no: str, begin: dt.datetime, end: dt.datetime, page: Page) -> list[Any]: ...
    def chronic_filings_of(self, psn_no: str, page: Page) -> list[Any]: ...
    def referral_filings(self, psn_no: str, begin: dt.date, end: dt.date | None, page: Page) -> list[Any]: ...
    def institution_names(self, codes: set[str]) -> dict[str, str]: ...

    # person designations (2505 / 2506, read by 5302)
    def add_designation(self, values: dict[str, Any]) -> None: ...
    def designation(self, serial: str) -> Any | None: ...
    def revoke_designation(self, serial: str, memo: str | None, moment: dt.datetime) -> None: ...
    def designations_of(self, psn_no: str, biz_appy_type: str | None, from_day: dt.date, page: Page) -> list[Any]: ...
