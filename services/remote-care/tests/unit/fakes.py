"""An in-memory store with the methods of remote_care.usecases.ports.Store.

Rows are plain namespaces with the columns' names, so the use cases read them as they read
SQL rows. A unit of work that raises leaves the store as it was (a rollback), so a test can
say "nothing changed" and "nothing was staged".
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from types import SimpleNamespace
from typing import Any

from medshared.events import Event
from remote_care.domain.filings import PersonView
from remote_care.messaging.contracts import SettlementItem


def _statement_id(item: SimpleNamespace) -> str:
    return f"CLR-{item.period.replace('-', '')}-{item.insuplc_admdvs}-{item.mdtrtarea_admvs}"


class FakeStore:
    def __init__(self) -> None:
        self.people: dict[str, PersonView] = {}
        self.vouchers: dict[str, list[SimpleNamespace]] = {}
        self.filing_rows: dict[str, SimpleNamespace] = {}
        self.items: list[SimpleNamespace] = []
        self.statement_rows: dict[str, SimpleNamespace] = {}
        self.line_rows: list[SimpleNamespace] = []
        self.audit: list[SimpleNamespace] = []
        self.nonces: set[tuple[str, str]] = set()
        self.events: list[tuple[str, Event]] = []

    # what a test puts in
    def add_person(self, person: PersonView) -> None:
        self.people[person.psn_no] = person

    def add_item(self, item: SettlementItem) -> None:
        self.items.append(SimpleNamespace(**asdict(item)))

    # read models
    def person(self, psn_no: str, *, lock: bool = False) -> PersonView | None:
        return self.people.get(psn_no)

    def voucher_states(self, psn_no: str) -> list[Any]:
        return list(self.vouchers.get(psn_no, []))

    # filings
    def filing(
        self, *, filing_id: str | None = None, trt_dcla_detl_sn: str | None = None, lock: bool = False
    ) -> Any | None:
        if trt_dcla_detl_sn is not None:
            return next((f for f in self.filing_rows.values() if f.trt_dcla_detl_sn == trt_dcla_detl_sn), None)
        return self.filing_rows.get(filing_id or "")

    def filings(
        self,
        *,
        psn_no: str | None = None,
        status: str | None = None,
        province_prefix: str | None = None,
        insutype: str | None = None,
    ) -> list[Any]:
        rows = sorted(self.filing_rows.values(), key=lambda f: (f.created_at, f.filing_id))
        return [
            f
            for f in rows
            if (psn_no is None or f.psn_no == psn_no)
            and (status is None or f.status == status)
            and (insutype is None or f.insutype == insutype)
            and (province_prefix is None or f.insuplc_admdvs[:2] == province_prefix)
        ]

    def add_filing(self, values: dict[str, Any]) -> None:
        self.filing_rows[values["filing_id"]] = SimpleNamespace(**values)

    def update_filing(self, filing_id: str, **values: Any) -> None:
        vars(self.filing_rows[filing_id]).update(values)

    def stay_settled(self, mdtrt_id: str) -> bool:
        return sum(i.setl_cnt for i in self.items if i.mdtrt_id == mdtrt_id) > 0

    # clearing
    def statement_ids(self, period: str) -> set[str]:
        return {s.statement_id for s in self.statement_rows.values() if s.period == period}

    def _net_lines(
        self,
        period: str,
        *,
        only: str | None = None,
        skip: Iterable[str] = (),
        province_prefix: str | None = None,
    ) -> list[SimpleNamespace]:
        skipped = set(skip)
        groups: dict[tuple[str, str], list[SimpleNamespace]] = {}
        for item in self.items:
            statement_id = _statement_id(item)
            if (
                item.period == period
                and statement_id not in skipped
                and only in (None, statement_id)
                and province_prefix in (None, item.insuplc_admdvs[:2], item.mdtrtarea_admvs[:2])
            ):
                groups.setdefault((statement_id, item.line_setl_id), []).append(item)
        return [
            SimpleNamespace(
                statement_id=statement_id,
                setl_id=setl_id,
                clr_type=max(i.clr_type for i in items),
                psn_no=max(i.psn_no for i in items),
                certno=max(i.certno for i in items),
                mdtrt_id=max(i.mdtrt_id for i in items),
                fixmedins_code=max(i.fixmedins_code for i in items),
                setl_time=min(i.setl_time for i in items),
                setl_cnt=sum(i.setl_cnt for i in items),
                reversal_cnt=sum(1 for i in items if i.setl_cnt < 0),
                medfee_fen=sum(i.medfee_fen for i in items),
                fund_fen=sum(i.fund_fen for i in items),
                acct_fen=sum(i.acct_fen for i in items),
            )
            for (statement_id, setl_id), items in groups.items()
        ]

    def build_lines(self, period: str, *, only: str | None = None, skip: Iterable[str] = ()) -> None:
        self.line_rows.extend(self._net_lines(period, only=only, skip=skip))

    def preview_totals(
        self, period: str, *, skip: Iterable[str] = (), province_prefix: str | None = None
    ) -> dict[str, dict[str, dict[str, int]]]:
        out: dict[str, dict[str, dict[str, int]]] = {}
        for line in self._net_lines(period, skip=skip, province_prefix=province_prefix):
            sums = out.setdefault(line.statement_id, {}).setdefault(
                line.clr_type, {"setl_cnt": 0, "medfee_fen": 0, "fund_fen": 0, "acct_fen": 0}
            )
            for key in sums:
                sums[key] += getattr(line, key)
        return out

    def preview_lines(
        self, period: str, insured: str, treating: str, *, offset: int, limit: int
    ) -> tuple[int, list[Any]]:
        only = f"CLR-{period.replace('-', '')}-{insured}-{treating}"
        lines = sorted(self._net_lines(period, only=only), key=lambda line: (line.setl_time, line.setl_id))
        return len(lines), lines[offset : offset + max(limit, 0)]

    def line_statement_ids(self, period: str) -> set[str]:
        prefix = f"CLR-{period.replace('-', '')}-"
        return {line.statement_id for line in self.line_rows if line.statement_id.startswith(prefix)}

    def delete_lines(self, statement_id: str) -> None:
        self.line_rows = [line for line in self.line_rows if line.statement_id != statement_id]

    def totals(self, statement_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        out: dict[str, dict[str, dict[str, int]]] = {sid: {} for sid in statement_ids}
        for line in self.line_rows:
            if line.statement_id in out:
                sums = out[line.statement_id].setdefault(
                    line.clr_type, {"setl_cnt": 0, "medfee_fen": 0, "fund_fen": 0, "acct_fen": 0}
                )
                for key in sums:
                    sums[key] += getattr(line, key)
        return out

    def statement(self, statement_id: str, *, lock: bool = False) -> Any | None:
        return self.statement_rows.get(statement_id)

    def statements(self, *, period: str | None = None, province_prefix: str | None = None) -> list[Any]:
        rows = sorted(self.statement_rows.values(), key=lambda s: (s.period, s.statement_id))
        return [
            s
            for s in rows
            if (period is None or s.period == period)
            and (province_prefix is None or province_prefix in (s.insured_admdvs[:2], s.treating_admdvs[:2]))
        ]

    def add_statement(self, values: dict[str, Any]) -> None:
        self.statement_rows[values["statement_id"]] = SimpleNamespace(**values)

    def update_statement(self, statement_id: str, **values: Any) -> None:
        vars(self.statement_rows[statement_id]).update(values)

    def _lines_of(self, statement_id: str) -> list[SimpleNamespace]:
        lines = [line for line in self.line_rows if line.statement_id == statement_id]
        return sorted(lines, key=lambda line: (line.setl_time, line.setl_id))

    def count_lines(self, statement_id: str) -> int:
        return len(self._lines_of(statement_id))

    def lines(self, statement_id: str, *, offset: int, limit: int) -> list[Any]:
        return self._lines_of(statement_id)[offset : offset + limit]

    def add_audit(self, values: dict[str, Any]) -> None:
        self.audit.append(SimpleNamespace(id=len(self.audit) + 1, **values))

    def audit_trail(self, statement_id: str) -> list[Any]:
        return [entry for entry in self.audit if entry.statement_id == statement_id]

    def clearing_items(self, period: str, psn_no: str | None) -> list[Any]:
        rows = [i for i in self.items if i.period == period and (not psn_no or i.psn_no == psn_no)]
        return sorted(rows, key=lambda i: (i.setl_time, i.setl_id))

    def treating_side_lines(
        self, period: str, mdtrtarea: str | None, *, offset: int, limit: int
    ) -> tuple[int, list[Any]]:
        rows = [
            SimpleNamespace(**vars(line), treating_admdvs=self.statement_rows[line.statement_id].treating_admdvs)
            for line in sorted(self.line_rows, key=lambda line: (line.statement_id, line.setl_time, line.setl_id))
            if line.statement_id in self.statement_rows
            and self.statement_rows[line.statement_id].period == period
            and (not mdtrtarea or self.statement_rows[line.statement_id].treating_admdvs == mdtrtarea)
        ]
        return len(rows), rows[offset : offset + limit]

    # callers, events
    def first_use_of_nonce(self, key_id: str, nonce: str, window_seconds: int) -> bool:
        fresh = (key_id, nonce) not in self.nonces
        self.nonces.add((key_id, nonce))
        return fresh

    def stage(self, topic: str, event: Event) -> None:
        self.events.append((topic, event))

    # what a test reads back
    def staged(self, topic: str) -> list[Event]:
        return [event for staged_topic, event in self.events if staged_topic == topic]

    def statement_json(self, statement_id: str) -> dict[str, Any]:
        return dict(json.loads(self.statement_rows[statement_id].by_clr_type))


class FakeStores:
    """One in-memory store behind both doors; a unit of work that raises is rolled back."""

    def __init__(self, store: FakeStore | None = None) -> None:
        self.store = store or FakeStore()

    @contextmanager
    def writing(self) -> Iterator[FakeStore]:
        before = copy.deepcopy(vars(self.store))
        try:
            yield self.store
        except BaseException:
            vars(self.store).clear()
            vars(self.store).update(before)
            raise

    @contextmanager
    def reading(self) -> Iterator[FakeStore]:
        yield self.store
