"""An in-memory store with the methods of settlement.usecases.ports.Store, over the demo data.

Rows are plain namespaces with the columns' names, so the use cases read them as they read
SQL rows. State changes are visible in the dictionaries, so a test can say "nothing changed".
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from fakes_catalogues import FakeCatalogues
from fakes_departments import FakeDepartments
from fakes_dictionaries import FakeDictionaries
from fakes_files import FakeFiles
from fakes_mapping import FakeMapping
from fakes_pharmacy import FakePharmacy
from fakes_records import FakeRecords
from fakes_setllists import FakeSetlList
from fakes_statements import FakeStatement
from fakes_supervision import FakeSupervision

from medshared.events import Event
from settlement.domain.errors import Refused
from settlement.policy import Accumulators, AssistancePolicy, Catalogue, FilingKind, FilingRecord, RegionPolicy
from settlement.readmodels import FILING_KINDS
from settlement.usecases.ports import InForce

DEMO = Path(__file__).resolve().parents[2] / "settlement" / "demo_data"
_KINDS = {**FILING_KINDS, "other_temporary": FilingKind.OTHER_TEMPORARY}  # demo data names it so


def _load(name: str) -> Any:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


class FakeStore(
    FakeFiles,
    FakeCatalogues,
    FakeDictionaries,
    FakeMapping,
    FakeDepartments,
    FakePharmacy,
    FakeRecords,
    FakeSetlList,
    FakeStatement,
    FakeSupervision,
):
    def __init__(self) -> None:
        super().__init__()
        self.people: dict[str, SimpleNamespace] = {}
        self.enrollment_rows: dict[str, list[SimpleNamespace]] = {}
        self.identity_rows: dict[str, list[SimpleNamespace]] = {}
        self.filing_records: dict[str, list[FilingRecord]] = {}
        self.opening_balance: dict[str, Decimal] = {}
        for p in _load("people.json"):
            psn_no = p["psn_no"]
            self.people[psn_no] = SimpleNamespace(
                psn_no=psn_no,
                psn_cert_type=p["psn_cert_type"],
                certno=p["certno"],
                psn_name=p["psn_name"],
                gend=p["gend"],
                naty="01",
                brdy=_date(p["brdy"]),
                death_date=None,
            )
            self.enrollment_rows[psn_no] = [
                SimpleNamespace(
                    insutype=p["insutype"],
                    insuplc_admdvs=p["insuplc_admdvs"],
                    psn_type=p["psn_type"],
                    cvlserv_flag=p["cvlserv_flag"],
                    tier=p["tier"],
                    begndate=dt.date(2026, 1, 1),
                    enddate=None,
                    status="active",
                    periods=[{"status": "active", "begndate": "2026-01-01", "enddate": None}],
                    emp_name=None,
                )
            ]
            idt = p["identity"]
            self.identity_rows[psn_no] = (
                [
                    SimpleNamespace(
                        psn_idet_type=idt["psn_idet_type"],
                        psn_type_lv=None,
                        memo=idt["name"],
                        begntime=dt.datetime.fromisoformat(f"{idt['begndate']}T00:00:00"),
                        endtime=dt.datetime.fromisoformat(f"{idt['enddate']}T23:59:59"),
                    )
                ]
                if idt
                else []
            )
            self.filing_records[psn_no] = [
                FilingRecord(_KINDS[f["kind"]], f["target_admdvs"], _date(f["begndate"]), _date(f["enddate"]))
                for f in p["filings"]
            ]
            self.opening_balance[psn_no] = Decimal(p["acct_balance"] or 0)
        self.catalogue = Catalogue.from_dict(_load("catalogue.json"))
        self.policies = {(x.admdvs, x.insutype): x for x in map(RegionPolicy.from_dict, _load("policies.json"))}
        self.assistance = {x.admdvs: x for x in map(AssistancePolicy.from_dict, _load("assistance.json"))}
        self.sign_ins: dict[str, SimpleNamespace] = {}
        self.visits: dict[str, SimpleNamespace] = {}
        self.lines: list[SimpleNamespace] = []
        self.settlements: dict[str, SimpleNamespace] = {}
        self.accumulators: dict[tuple[str, int], Accumulators] = {}
        self.account: list[SimpleNamespace] = []
        self.chronic: dict[str, SimpleNamespace] = {}
        self.calls: dict[tuple[str, str], SimpleNamespace] = {}
        self.events: list[tuple[str, Event]] = []
        self._ids = itertools.count(1)

    # read models and reference data
    def person(self, psn_no: str) -> Any:
        if psn_no not in self.people:
            raise Refused(f"psn_no {psn_no} is not known to the platform", code="PERSON_UNKNOWN")
        return self.people[psn_no]

    def person_by_certno(self, certno: str) -> Any:
        for p in self.people.values():
            if p.certno == certno.upper():
                return p
        raise Refused(f"no insured person has the ID number {certno}", code="PERSON_UNKNOWN")

    def enrollments(self, psn_no: str) -> list[Any]:
        return list(self.enrollment_rows.get(psn_no, []))

    def identities_on(self, psn_no: str, moment: dt.datetime) -> list[Any]:
        return [
            r
            for r in self.identity_rows.get(psn_no, [])
            if r.begntime <= moment and (r.endtime is None or moment <= r.endtime)
        ]

    def balance(self, psn_no: str, insutype: str = "310") -> Decimal:
        return self.opening_balance.get(psn_no, Decimal(0)) + sum(
            (e.amount for e in self.account if e.psn_no == psn_no), Decimal(0)
        )

    def filings(self, psn_no: str) -> list[FilingRecord]:
        return list(self.filing_records.get(psn_no, []))

    def chronic_filing_active(self, psn_no: str, dise_codg: str | None, day: dt.date) -> bool:
        return any(
            f.psn_no == psn_no
            and f.opsp_dise_code == dise_codg
            and not f.revoked
            and f.begndate <= day
            and (f.enddate is None or day <= f.enddate)
            for f in self.chronic.values()
        )

    def catalogue_on(self, day: dt.date) -> Catalogue:
        return self.catalogue

    def region_policy_on(self, admdvs: str, insutype: str, day: dt.date) -> RegionPolicy:
        return self.policies[(admdvs, insutype)]

    def assistance_policy_on(self, admdvs: str, day: dt.date) -> AssistancePolicy | None:
        return self.assistance.get(admdvs)

    def in_force(self, admdvs: str, insutype: str, day: dt.date) -> InForce:
        catalogue, policy = self.catalogue_on(day), self.region_policy_on(admdvs, insutype, day)
        return InForce(catalogue, policy, self.assistance_policy_on(admdvs, day), self.supervision_rules_on(day))

    # sign-in
    def add_sign_in(self, sign_no: str, fixmedins_code: str, opter_no: str) -> None:
        self.sign_ins[sign_no] = SimpleNamespace(sign_no=sign_no, fixmedins_code=fixmedins_code, signed_out_at=None)

    def sign_out(self, sign_no: str) -> None:
        self.sign_ins[sign_no].signed_out_at = dt.datetime.now()

    # visits and fee lines
    def visit(self, mdtrt_id: str, *, lock: bool = False) -> Any | None:
        return self.visits.get(mdtrt_id)

    def add_visit(self, values: dict[str, Any]) -> None:
        self.visits[values["mdtrt_id"]] = SimpleNamespace(endtime=None, **values)

    def update_visit(self, mdtrt_id: str, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.visits[mdtrt_id], name, value)

    def fee_lines(self, mdtrt_id: str) -> list[Any]:
        return [x for x in self.lines if x.mdtrt_id == mdtrt_id]

    def unsettled_lines(self, mdtrt_id: str) -> list[Any]:
        return [x for x in self.fee_lines(mdtrt_id) if x.setl_id is None]

    def add_fee_lines(self, rows: list[dict[str, Any]]) -> None:
        self.lines.extend(SimpleNamespace(id=next(self._ids), setl_id=None, **row) for row in rows)

    def delete_fee_lines(self, mdtrt_id: str, *, unsettled_only: bool, **match: str) -> int:
        doomed = [
            x
            for x in self.fee_lines(mdtrt_id)
            if (not unsettled_only or x.setl_id is None) and all(getattr(x, k) == v for k, v in match.items())
        ]
        self.lines = [x for x in self.lines if x not in doomed]
        return len(doomed)

    def settle_fee_lines(self, line_ids: list[int], setl_id: str) -> None:
        for x in self.lines:
            if x.id in line_ids:
                x.setl_id = setl_id

    def release_fee_lines(self, setl_id: str) -> None:
        for x in self.lines:
            if x.setl_id == setl_id:
                x.setl_id = None

    # settlements, accumulators, the personal account
    def settlement(self, setl_id: str) -> Any | None:
        return self.settlements.get(setl_id)

    def open_settlement_of(self, mdtrt_id: str) -> Any | None:
        for s in self.settlements.values():
            if s.mdtrt_id == mdtrt_id and s.init_setl_id is None and s.reversed_by is None:
                return s
        return None

    def deductible_applied(self, mdtrt_id: str) -> Decimal:
        return sum((s.act_pay_dedc for s in self.settlements.values() if s.mdtrt_id == mdtrt_id), Decimal(0))

    def add_settlement(self, values: dict[str, Any]) -> None:
        self.settlements[values["setl_id"]] = SimpleNamespace(**{"init_setl_id": None, "reversed_by": None, **values})

    def mark_reversed(self, setl_id: str, reversed_by: str) -> None:
        self.settlements[setl_id].reversed_by = reversed_by

    def settlements_between(
        self, fixmedins_code: str, insutype: str, clr_type: str, clr_optins: str, begin: dt.datetime, end: dt.datetime
    ) -> list[Any]:
        return [
            s
            for s in self.settlements.values()
            if (s.fixmedins_code, s.insutype, s.clr_type, s.clr_optins)
            == (fixmedins_code, insutype, clr_type, clr_optins)
            and begin <= s.setl_time <= end
        ]

    def read_accumulators(self, psn_no: str, year: int) -> Accumulators:
        return self.accumulators.get((psn_no, year), Accumulators())

    def lock_accumulators(self, psn_no: str, year: int) -> Accumulators:
        return self.read_accumulators(psn_no, year)

    def store_accumulators(self, psn_no: str, year: int, value: Accumulators) -> None:
        self.accumulators[(psn_no, year)] = value

    def post_account(self, entry_id: str, psn_no: str, amount: Decimal, kind: str, memo: str) -> None:
        if any(e.entry_id == entry_id for e in self.account):
            raise AssertionError(f"account entry {entry_id} posted twice")
        self.account.append(SimpleNamespace(entry_id=entry_id, psn_no=psn_no, amount=amount, kind=kind))

    # chronic-disease filings, the call log, events
    def chronic_filing(self, serial: str) -> Any | None:
        return self.chronic.get(serial)

    def add_chronic_filing(self, values: dict[str, Any]) -> None:
        self.chronic[values["trt_dcla_detl_sn"]] = SimpleNamespace(**values)

    def revoke_chronic_filing(self, serial: str) -> None:
        self.chronic[serial].revoked = True

    def logged_call(self, sender: str, msgid: str) -> Any | None:
        return self.calls.get((sender, msgid))

    def stage(self, topic: str, event: Event) -> None:
        self.events.append((topic, event))
