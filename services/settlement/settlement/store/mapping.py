"""The store's part for item mapping (3301/3302, 1316/1317), over SQL (settlement.usecases.ports.mapping).

Every statement names the institution: one institution's mappings are never read for another.
"""

from __future__ import annotations

import zlib
from collections.abc import Collection, Sequence
from dataclasses import asdict, fields
from typing import Any

from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from medshared.hotsql import HotRead, any_of
from settlement.db import item_mapping
from settlement.domain.mapping import VALID, ItemMapping, MappingFilter

_FIELDS = tuple(f.name for f in fields(ItemMapping))
_COLUMNS = [item_mapping.c[name] for name in _FIELDS]
# The codes as one list parameter, so the read is one statement for any number of codes.
_OF_CODES = HotRead(
    select(*_COLUMNS).where(
        item_mapping.c.fixmedins_code == bindparam("fixmedins_code"),
        any_of(item_mapping.c.fixmedins_hilist_id, "codes"),
        item_mapping.c.vali_flag == VALID,
    )
)
_UPDATE = update(item_mapping).where(
    item_mapping.c.rid == bindparam("b_rid"), item_mapping.c.fixmedins_code == bindparam("b_fixmedins_code")
)
# Transaction-scoped advisory locks take a bigint key; this namespace keeps ours apart from others'.
_LOCK_NAMESPACE = 3301 << 32


def _mapping(row: Any) -> ItemMapping:
    return ItemMapping(**row._asdict())


class MappingSql:
    session: Session
    _postgres: bool

    def lock_item_mappings(self, fixmedins_code: str) -> None:
        # Two 3301 calls of one institution at once must not both see "no overlap" and both insert.
        # SQLite runs one writer at a time already.
        if self._postgres:
            key = _LOCK_NAMESPACE | zlib.crc32(fixmedins_code.encode())
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def item_mappings(self, fixmedins_code: str, own_codes: Collection[str]) -> list[ItemMapping]:
        params = {"fixmedins_code": fixmedins_code, "codes": sorted(set(own_codes))}
        return [_mapping(r) for r in _OF_CODES.all(self.session, params)]

    def add_item_mappings(self, mappings: Sequence[ItemMapping]) -> None:
        if mappings:
            self.session.execute(insert(item_mapping), [asdict(m) for m in mappings])

    def update_item_mappings(self, mappings: Sequence[ItemMapping]) -> None:
        if mappings:
            rows = [{"b_rid": m.rid, "b_fixmedins_code": m.fixmedins_code, **asdict(m)} for m in mappings]
            self.session.execute(_UPDATE, rows)

    def item_mapping_page(
        self, fixmedins_code: str, selected: MappingFilter, offset: int, limit: int
    ) -> tuple[int, list[ItemMapping]]:
        where = _where(fixmedins_code, selected)
        total = self.session.execute(select(func.count()).select_from(item_mapping).where(*where)).scalar_one()
        query: Select[Any] = select(*_COLUMNS).where(*where).order_by(item_mapping.c.id).offset(offset).limit(limit)
        return int(total), [_mapping(r) for r in self.session.execute(query)]


def _where(fixmedins_code: str, f: MappingFilter) -> list[Any]:
    c = item_mapping.c
    where: list[Any] = [c.fixmedins_code == fixmedins_code]
    if f.own_code is not None:
        where.append(c.fixmedins_hilist_id == f.own_code)
    if f.name_contains is not None:
        where.append(c.fixmedins_hilist_name.contains(f.name_contains, autoescape=True))
    if f.list_type is not None:
        where.append(c.list_type == f.list_type)
    if f.med_list_codg is not None:
        where.append(c.med_list_codg == f.med_list_codg)
    if f.begins_from is not None:
        where.append(c.begndate >= f.begins_from)
    if f.vali_flag is not None:
        where.append(c.vali_flag == f.vali_flag)
    if f.updated_from is not None:
        where.append(c.updt_time >= f.updated_from)
    if f.in_force_on is not None:
        where.extend((c.begndate <= f.in_force_on, c.enddate >= f.in_force_on))
    return where
