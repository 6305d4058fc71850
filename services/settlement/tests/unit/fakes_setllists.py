"""The in-memory store's part for settlement lists (4101-4104) and their quality control (settlement.usecases.ports.setllists)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Collection
from pathlib import Path
from types import SimpleNamespace
from typing import Any

DEMO_RULES = Path(__file__).resolve().parents[2] / "settlement" / "demo_data" / "setllist_qc.json"


class FakeSetlList:
    def __init__(self) -> None:
        super().__init__()
        self.setl_lists: dict[str, SimpleNamespace] = {}
        self.qc_versions: list[SimpleNamespace] = []
        self._qc_ids = itertools.count(1)
        body = json.loads(DEMO_RULES.read_text(encoding="utf-8"))
        self.add_setl_qc_rules(
            {
                "version": body["version"],
                "effective_from": dt.date.fromisoformat(body["effective_from"]),
                "body": json.dumps(body, ensure_ascii=False),
                "published_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            }
        )

    def setl_list(self, setl_id: str, *, lock: bool = False) -> Any | None:
        return self.setl_lists.get(setl_id)

    def add_setl_list(self, values: dict[str, Any]) -> None:
        if values["setl_id"] in self.setl_lists:
            raise AssertionError(f"a second list for setl_id {values['setl_id']}")
        self.setl_lists[values["setl_id"]] = SimpleNamespace(**values)

    def update_setl_list(self, setl_id: str, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.setl_lists[setl_id], name, value)

    def setl_lists_page(
        self, fixmedins_code: str, filters: dict[str, str], offset: int, limit: int
    ) -> tuple[int, list[Any]]:
        rows = [
            x
            for x in self.setl_lists.values()
            if x.fixmedins_code == fixmedins_code and all(getattr(x, k) == v for k, v in filters.items())
        ]
        rows.sort(key=lambda x: (x.setl_ym, x.setl_id))
        return len(rows), rows[offset : offset + limit]

    def setl_qc_rules_on(self, day: dt.date) -> Any | None:
        in_force = [v for v in self.qc_versions if v.effective_from <= day]
        return max(in_force, key=lambda v: (v.effective_from, v.id)) if in_force else None

    def setl_qc_rules(self, version: str) -> Any | None:
        return next((v for v in self.qc_versions if v.version == version), None)

    def setl_qc_versions(self) -> list[Any]:
        return sorted(self.qc_versions, key=lambda v: (v.effective_from, v.id))

    def add_setl_qc_rules(self, values: dict[str, Any]) -> None:
        if self.setl_qc_rules(values["version"]) is not None:
            raise AssertionError(f"rule version {values['version']} published twice")
        self.qc_versions.append(SimpleNamespace(id=next(self._qc_ids), **values))

    def setl_list_catalogue_codes(self, catalogue: str, codes: Collection[str], day: dt.date) -> set[str] | None:
        # The catalogue part's records (tests/unit/fakes_catalogues.py), read as the SQL store reads its table.
        records = [r for r in getattr(self, "records", []) if r.family == catalogue]
        if not records:
            return None
        return {r.code for r in records if r.is_current and r.vali_flag == "1" and r.code in codes}
