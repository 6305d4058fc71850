"""The in-memory store's part for dictionaries (1901) and institutions (1201) (settlement.usecases.ports.dictionaries)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from settlement.domain.dictionaries import HOSPITAL, PHARMACY, DictionaryVersion, in_force

DEMO = Path(__file__).resolve().parents[2] / "settlement" / "demo_data"


class FakeDictionaries:
    def __init__(self) -> None:
        super().__init__()
        body = json.loads((DEMO / "dictionaries.json").read_text(encoding="utf-8"))
        published = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        self.dictionaries: list[DictionaryVersion] = [
            DictionaryVersion.from_dict(body, published_by="settlement-demo", published_at=published)
        ]
        self.institution_rows: list[SimpleNamespace] = [
            SimpleNamespace(**row) for row in json.loads((DEMO / "institutions.json").read_text(encoding="utf-8"))
        ]

    def dictionary_on(self, day: dt.date) -> DictionaryVersion | None:
        return in_force(self.dictionaries, day)

    def dictionary_version(self, version: int) -> DictionaryVersion | None:
        return next((v for v in self.dictionaries if v.version == version), None)

    def dictionary_versions(self) -> list[DictionaryVersion]:
        return sorted(self.dictionaries, key=lambda v: (v.effective_from, v.version))

    def add_dictionary_version(self, version: DictionaryVersion) -> None:
        if self.dictionary_version(version.version) is not None:
            raise ValueError(f"version {version.version} exists")  # the SQL store's unique constraint
        self.dictionaries.append(version)

    def designated_institutions(
        self, *, fixmedins_type: str | None, fixmedins_code: str | None, name_part: str | None, limit: int
    ) -> list[Any]:
        found = []
        for row in sorted(self.institution_rows, key=lambda r: r.fixmedins_code):
            pharmacy = row.hosp_lv == "pharmacy"
            if fixmedins_type is not None and fixmedins_type != (PHARMACY if pharmacy else HOSPITAL):
                continue
            if fixmedins_code is not None and row.fixmedins_code != fixmedins_code:
                continue
            if name_part is not None and name_part not in row.fixmedins_name:
                continue
            found.append(row)
        return found[:limit]
