"""The in-memory store's part for national catalogues (13xx) (settlement.usecases.ports.catalogues)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any

from settlement.usecases.ports.catalogues import HilistFilter, RecordFilter


class FakeCatalogues:
    def __init__(self) -> None:
        super().__init__()
        self.releases: list[SimpleNamespace] = []
        self.records: list[SimpleNamespace] = []
        self.hilist_rows: list[SimpleNamespace] = []
        self._ids = itertools.count(1)

    # releases
    def latest_catalogue_release(self, family: str) -> Any | None:
        mine = [r for r in self.releases if r.family == family]
        return max(mine, key=lambda r: r.ver) if mine else None

    def catalogue_release(self, family: str, ver: str) -> Any | None:
        return next((r for r in self.releases if r.family == family and r.ver == ver), None)

    def catalogue_releases(self, family: str | None = None) -> list[Any]:
        mine = [r for r in self.releases if family is None or r.family == family]
        return sorted(mine, key=lambda r: (r.family, r.ver))

    def add_catalogue_release(self, values: dict[str, Any]) -> int:
        if self.catalogue_release(values["family"], values["ver"]) is not None:
            raise ValueError(f"release {values['family']} {values['ver']} exists")
        release = SimpleNamespace(id=next(self._ids), **values)
        self.releases.append(release)
        return int(release.id)

    def finish_catalogue_release(self, release_id: int, counts: dict[str, int]) -> None:
        release = next(r for r in self.releases if r.id == release_id)
        for name, value in counts.items():
            setattr(release, name, value)

    # records
    def current_catalogue_records(self, family: str, codes: Sequence[str]) -> dict[str, Any]:
        wanted = set(codes)
        return {r.code: r for r in self.records if r.family == family and r.is_current and r.code in wanted}

    def add_catalogue_records(self, family: str, rows: list[dict[str, Any]], *, supersede: bool = True) -> None:
        codes = {row["code"] for row in rows}
        for old in self.records:
            if old.family == family and old.is_current and old.code in codes:
                old.is_current = False
        for row in rows:
            self.records.append(SimpleNamespace(id=next(self._ids), family=family, is_current=True, **row))

    def catalogue_lines(self, family: str, after_ver: str | None) -> Iterator[str]:
        rows = [
            r for r in self.records if r.family == family and r.is_current and (after_ver is None or r.ver > after_ver)
        ]
        for row in sorted(rows, key=lambda r: r.code):
            yield row.line

    def catalogue_record_page(self, family: str, where: RecordFilter, offset: int, limit: int) -> tuple[int, list[Any]]:
        rows = [
            r
            for r in self.records
            if r.family == family
            and r.is_current
            and (where.updt_since is None or r.updt_time >= where.updt_since)
            and (not where.code or r.code == where.code)
            and (not where.vali_flag or r.vali_flag == where.vali_flag)
            and (not where.ver or r.ver == where.ver)
        ]
        rows.sort(key=lambda r: (r.updt_time, r.code))
        return len(rows), rows[offset : offset + limit]

    def release_records(self, family: str, ver: str, offset: int, limit: int) -> tuple[int, list[Any]]:
        rows = sorted((r for r in self.records if r.family == family and r.ver == ver), key=lambda r: r.code)
        return len(rows), rows[offset : offset + limit]

    # the HI list
    def current_hilist(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        wanted = set(keys)
        return {
            (r.hilist_code, r.insu_admdvs): r
            for r in self.hilist_rows
            if r.is_current and (r.hilist_code, r.insu_admdvs) in wanted
        }

    def current_hilist_keys(self) -> Iterator[tuple[str, str]]:
        for r in list(self.hilist_rows):
            if r.is_current and r.vali_flag == "1" and r.enddate is None:
                yield r.hilist_code, r.insu_admdvs

    def has_hilist(self) -> bool:
        return bool(self.hilist_rows)

    def add_hilist(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.hilist_rows.append(SimpleNamespace(id=next(self._ids), is_current=True, enddate=None, **row))

    def end_hilist(self, endings: list[tuple[int, dt.date | None, str, bool]], updt_time: dt.datetime) -> None:
        by_id = {r.id: r for r in self.hilist_rows}
        for row_id, enddate, flag, current in endings:
            row = by_id[row_id]
            row.enddate, row.vali_flag, row.is_current, row.updt_time = enddate, flag, current, updt_time

    def hilist_page(self, where: HilistFilter, offset: int, limit: int) -> tuple[int, list[Any]]:
        def keep(r: SimpleNamespace) -> bool:
            return (
                (not where.capped_only or r.pric_uplmt_amt is not None)
                and (where.updt_since is None or r.updt_time >= where.updt_since)
                and (not where.hilist_code or r.hilist_code == where.hilist_code)
                and (not where.regions or r.insu_admdvs in where.regions)
                and (not where.name_contains or where.name_contains in r.hilist_name)
                and (not where.chrgitm_lv or r.chrgitm_lv == where.chrgitm_lv)
                and (not where.med_chrgitm_type or r.med_chrgitm_type == where.med_chrgitm_type)
                and (not where.list_type or r.list_type == where.list_type)
                and (not where.vali_flag or r.vali_flag == where.vali_flag)
                and (where.in_force_on is None or r.begndate <= where.in_force_on)
            )

        rows = sorted((r for r in self.hilist_rows if keep(r)), key=lambda r: (r.updt_time, r.id))
        return len(rows), rows[offset : offset + limit]
