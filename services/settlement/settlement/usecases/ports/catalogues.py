"""The port of the national catalogues (13xx): versioned records, increments and paged queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class RecordFilter:
    """Which current records of a family a page holds (1304)."""

    updt_since: dt.datetime | None = None
    code: str | None = None
    vali_flag: str | None = None
    ver: str | None = None


@dataclass(frozen=True)
class HilistFilter:
    """Which HI-list rows a page of 1312/1318/1319 holds; `regions` is the insu_admdvs set a region
    resolves to (itself, its province, the rows without an override), empty for every region."""

    capped_only: bool = False  # 1318: the rows with a price cap
    updt_since: dt.datetime | None = None
    hilist_code: str | None = None
    regions: tuple[str, ...] = ()
    name_contains: str | None = None
    chrgitm_lv: str | None = None
    med_chrgitm_type: str | None = None
    list_type: str | None = None
    vali_flag: str | None = None
    in_force_on: dt.date | None = None


class CatalogueStore(Protocol):
    # releases of a family (1301-1315)
    def latest_catalogue_release(self, family: str) -> Any | None: ...
    def catalogue_release(self, family: str, ver: str) -> Any | None: ...
    def catalogue_releases(self, family: str | None = None) -> list[Any]: ...
    def add_catalogue_release(self, values: dict[str, Any]) -> int: ...
    def finish_catalogue_release(self, release_id: int, counts: dict[str, int]) -> None: ...

    # records: the current row of each code, a release's new rows, the file's lines, pages
    def current_catalogue_records(self, family: str, codes: Sequence[str]) -> dict[str, Any]: ...
    def add_catalogue_records(self, family: str, rows: list[dict[str, Any]], *, supersede: bool = True) -> None: ...
    def catalogue_lines(self, family: str, after_ver: str | None) -> Iterator[str]: ...
    def catalogue_record_page(
        self, family: str, where: RecordFilter, offset: int, limit: int
    ) -> tuple[int, list[Any]]: ...
    def release_records(self, family: str, ver: str, offset: int, limit: int) -> tuple[int, list[Any]]: ...

    # the HI list (1312/1318/1319), written when a payment catalogue version is published
    def current_hilist(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]: ...
    def current_hilist_keys(self) -> Iterator[tuple[str, str]]: ...
    def has_hilist(self) -> bool: ...
    def add_hilist(self, rows: list[dict[str, Any]]) -> None: ...
    def end_hilist(self, endings: list[tuple[int, dt.date | None, str, bool]], updt_time: dt.datetime) -> None: ...
    def hilist_page(self, where: HilistFilter, offset: int, limit: int) -> tuple[int, list[Any]]: ...
