"""The store's part for national catalogues (13xx), over SQL (settlement.usecases.ports.catalogues).

Downloads stream the family's lines from the database in chunks (a server-side cursor on PostgreSQL),
never the whole catalogue at once. A HI-list page counts its rows once per state of the table: only a
payment-catalogue publication changes the HI list (it adds rows and ends rows, both at its own time),
so a count (and where every thousandth row is) is keyed by the last row id and the last updt_time and
stays true until the next publication; a deep page starts from the nearest mark.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, bindparam, func, insert, literal, select, text, tuple_, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from settlement.db import catalogue_record, catalogue_release, hilist_record
from settlement.usecases.ports.catalogues import HilistFilter, RecordFilter

_CHUNK = 2000
_IN_BATCH = 500  # codes per IN (...) lookup
_STRIDE = 1000  # rows between two marked positions of a large HI-list result
_positions: dict[tuple[Any, ...], tuple[int, list[tuple[Any, int]]]] = {}


class CatalogueSql:
    session: Session
    _postgres: bool

    # ------------------------------------------------------------ releases

    def latest_catalogue_release(self, family: str) -> Any | None:
        return self.session.execute(
            select(catalogue_release)
            .where(catalogue_release.c.family == family)
            .order_by(catalogue_release.c.ver.desc())
            .limit(1)
        ).first()

    def catalogue_release(self, family: str, ver: str) -> Any | None:
        return self.session.execute(
            select(catalogue_release).where(catalogue_release.c.family == family, catalogue_release.c.ver == ver)
        ).first()

    def catalogue_releases(self, family: str | None = None) -> list[Any]:
        query = select(catalogue_release).order_by(catalogue_release.c.family, catalogue_release.c.ver)
        if family is not None:
            query = query.where(catalogue_release.c.family == family)
        return list(self.session.execute(query).all())

    def add_catalogue_release(self, values: dict[str, Any]) -> int:
        result = cast("CursorResult[Any]", self.session.execute(insert(catalogue_release).values(**values)))
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    def finish_catalogue_release(self, release_id: int, counts: dict[str, int]) -> None:
        self.session.execute(update(catalogue_release).where(catalogue_release.c.id == release_id).values(**counts))

    # ------------------------------------------------------------ records

    def _fresh_statistics(self, table: Any, written: int = 0) -> None:
        """A release writes many rows in one transaction, faster than autovacuum looks; planned on stale
        statistics, a lookup of a batch of codes scans the whole family. ANALYZE (PostgreSQL) before the
        first lookup of a unit of work and again whenever it has written as many rows as the table held."""
        if not self._postgres:
            return
        state: dict[str, list[int]] = self.__dict__.setdefault("_statistics", {})
        seen = state.get(table.name)  # [rows when analyzed, rows written since]
        if seen is None and written:
            return  # no lookup made yet: nothing planned on these statistics
        if seen is not None:
            seen[1] += written
            if not written or seen[1] < max(seen[0], 5000):
                return
        self.session.execute(text(f"ANALYZE {table.name}"))
        rows = self.session.execute(select(func.count()).select_from(table)).scalar_one()
        state[table.name] = [int(rows), 0]

    def current_catalogue_records(self, family: str, codes: Sequence[str]) -> dict[str, Any]:
        self._fresh_statistics(catalogue_record)
        found: dict[str, Any] = {}
        t = catalogue_record.c
        for i in range(0, len(codes), _IN_BATCH):
            rows = self.session.execute(
                select(t.id, t.code, t.digest, t.crte_time, t.rid, t.ver).where(
                    t.family == family, t.is_current, t.code.in_(codes[i : i + _IN_BATCH])
                )
            )
            found.update({row.code: row for row in rows})
        return found

    def add_catalogue_records(self, family: str, rows: list[dict[str, Any]], *, supersede: bool = True) -> None:
        if not rows:
            return
        t = catalogue_record.c
        codes = [row["code"] for row in rows] if supersede else []
        for i in range(0, len(codes), _IN_BATCH):
            self.session.execute(
                update(catalogue_record)
                .where(t.family == family, t.is_current, t.code.in_(codes[i : i + _IN_BATCH]))
                .values(is_current=False)
            )
        self.session.execute(insert(catalogue_record), [{"family": family, "is_current": True, **row} for row in rows])
        self._fresh_statistics(catalogue_record, len(rows))

    def catalogue_lines(self, family: str, after_ver: str | None) -> Iterator[str]:
        t = catalogue_record.c
        query = select(t.line).where(t.family == family, t.is_current).order_by(t.code)
        if after_ver is not None:
            query = query.where(t.ver > after_ver)
        result = self.session.execute(query.execution_options(yield_per=_CHUNK))
        for partition in result.partitions():
            for row in partition:
                yield row.line

    def catalogue_record_page(self, family: str, where: RecordFilter, offset: int, limit: int) -> tuple[int, list[Any]]:
        t = catalogue_record.c
        conditions: list[ColumnElement[bool]] = [t.family == family, t.is_current]
        if where.updt_since is not None:
            conditions.append(t.updt_time >= where.updt_since)
        if where.code:
            conditions.append(t.code == where.code)
        if where.vali_flag:
            conditions.append(t.vali_flag == where.vali_flag)
        if where.ver:
            conditions.append(t.ver == where.ver)
        total = self.session.execute(select(func.count()).where(*conditions)).scalar_one()
        rows = self.session.execute(
            select(t.line).where(*conditions).order_by(t.updt_time, t.code).offset(offset).limit(limit)
        ).all()
        return int(total), list(rows)

    def release_records(self, family: str, ver: str, offset: int, limit: int) -> tuple[int, list[Any]]:
        t = catalogue_record.c
        conditions = (t.family == family, t.ver == ver)
        total = self.session.execute(select(func.count()).where(*conditions)).scalar_one()
        rows = self.session.execute(
            select(t.code, t.line, t.is_current).where(*conditions).order_by(t.code).offset(offset).limit(limit)
        ).all()
        return int(total), list(rows)

    # ------------------------------------------------------------ the HI list

    def current_hilist(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], Any]:
        self._fresh_statistics(hilist_record)
        h = hilist_record.c
        found: dict[tuple[str, str], Any] = {}
        for i in range(0, len(keys), _IN_BATCH):
            batch = keys[i : i + _IN_BATCH]
            rows = self.session.execute(
                select(hilist_record).where(h.is_current, tuple_(h.hilist_code, h.insu_admdvs).in_(batch))
            )
            found.update({(row.hilist_code, row.insu_admdvs): row for row in rows})
        return found

    def current_hilist_keys(self) -> Iterator[tuple[str, str]]:
        """The (code, region) of every row in force: current, valid, no enddate."""
        h = hilist_record.c
        result = self.session.execute(
            select(h.hilist_code, h.insu_admdvs)
            .where(h.is_current, h.vali_flag == "1", h.enddate.is_(None))
            .execution_options(yield_per=_CHUNK * 5)
        )
        for partition in result.partitions():
            for row in partition:
                yield row.hilist_code, row.insu_admdvs

    def has_hilist(self) -> bool:
        return self.session.execute(select(hilist_record.c.id).limit(1)).first() is not None

    def add_hilist(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.session.execute(insert(hilist_record), [{"is_current": True, "enddate": None, **row} for row in rows])
            self._fresh_statistics(hilist_record, len(rows))

    def end_hilist(self, endings: list[tuple[int, dt.date | None, str, bool]], updt_time: dt.datetime) -> None:
        """Each (row id, enddate, vali_flag, still the item's latest row), stamped with the publication."""
        if not endings:
            return
        self.session.execute(
            update(hilist_record)
            .where(hilist_record.c.id == bindparam("b_id"))
            .values(
                enddate=bindparam("enddate"),
                vali_flag=bindparam("vali_flag"),
                is_current=bindparam("is_current"),
                updt_time=updt_time,
            ),
            [
                {"b_id": row_id, "enddate": enddate, "vali_flag": flag, "is_current": current}
                for row_id, enddate, flag, current in endings
            ],
        )

    def hilist_page(self, where: HilistFilter, offset: int, limit: int) -> tuple[int, list[Any]]:
        h = hilist_record.c
        conditions = _hilist_conditions(where)
        total, anchors = self._hilist_positions(where, conditions)
        if offset >= total:
            return total, []
        order = (h.updt_time, h.id)
        ids = select(h.id).where(*conditions).order_by(*order)
        if anchors:
            # Start at the marked row before the page: a deep page skips fewer than _STRIDE index entries.
            mark_time, mark_id = anchors[offset // _STRIDE]
            ids = ids.where(tuple_(h.updt_time, h.id) >= tuple_(literal(mark_time), literal(mark_id)))
            offset %= _STRIDE
        page = ids.offset(offset).limit(limit).subquery()
        rows = self.session.execute(select(hilist_record).join(page, page.c.id == h.id).order_by(*order)).all()
        return total, list(rows)

    def _hilist_positions(
        self, where: HilistFilter, conditions: list[ColumnElement[bool]]
    ) -> tuple[int, list[tuple[Any, int]]]:
        """How many rows the filter holds and, for a large result, every _STRIDE-th row's (updt_time, id).

        The HI list only grows, so both stay true until a row is added: kept per database, last row id
        and filter. One query numbers the rows (a window over the index) and keeps the marks."""
        h = hilist_record.c
        # A publication adds rows (a new last id) or ends rows (a new last updt_time), never neither.
        last = self.session.execute(select(func.max(h.id), func.max(h.updt_time))).one()
        # The engine is part of the key: one process may serve several databases (tests do).
        key = (id(self.session.get_bind()), last[0], last[1], where)
        found = _positions.get(key)
        if found is not None:
            return found
        numbered = (
            select(
                h.updt_time,
                h.id,
                func.row_number().over(order_by=(h.updt_time, h.id)).label("rn"),
                func.count().over().label("n"),
            )
            .where(*conditions)
            .subquery()
        )
        marks = self.session.execute(
            select(numbered.c.updt_time, numbered.c.id, numbered.c.n)
            .where((numbered.c.rn - 1) % _STRIDE == 0)
            .order_by(numbered.c.rn)
        ).all()
        total = int(marks[0].n) if marks else 0
        found = (total, [(m.updt_time, int(m.id)) for m in marks] if total > _STRIDE else [])
        if len(_positions) > 1024:
            _positions.clear()
        _positions[key] = found
        return found


def _hilist_conditions(where: HilistFilter) -> list[ColumnElement[bool]]:
    h = hilist_record.c
    conditions: list[ColumnElement[bool]] = []
    if where.capped_only:
        conditions.append(h.pric_uplmt_amt.is_not(None))
    if where.updt_since is not None:
        conditions.append(h.updt_time >= where.updt_since)
    if where.hilist_code:
        conditions.append(h.hilist_code == where.hilist_code)
    if where.regions:
        conditions.append(h.insu_admdvs.in_(where.regions))
    if where.name_contains:
        conditions.append(h.hilist_name.contains(where.name_contains, autoescape=True))
    for column, value in (
        (h.chrgitm_lv, where.chrgitm_lv),
        (h.med_chrgitm_type, where.med_chrgitm_type),
        (h.list_type, where.list_type),
        (h.vali_flag, where.vali_flag),
    ):
        if value:
            conditions.append(column == value)
    if where.in_force_on is not None:
        conditions.append(h.begndate <= where.in_force_on)
    return conditions
