"""The store's part for settlement lists (4101-4104) and their quality control, over SQL (settlement.usecases.ports.setllists)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from settlement.db import catalogue_record, setl_list, setl_qc_version

_LIST = select(setl_list).where(setl_list.c.setl_id == bindparam("setl_id"))
_LIST_FOR_UPDATE = _LIST.with_for_update()
_SET_LIST = update(setl_list).where(setl_list.c.setl_id == bindparam("b_setl_id"))
_RULES_ON = (
    select(setl_qc_version)
    .where(setl_qc_version.c.effective_from <= bindparam("day"))
    .order_by(setl_qc_version.c.effective_from.desc(), setl_qc_version.c.id.desc())
    .limit(1)
)
_RULES = select(setl_qc_version).where(setl_qc_version.c.version == bindparam("version"))
_ANY_RECORD = select(catalogue_record.c.id).where(catalogue_record.c.family == bindparam("family")).limit(1)
_FILTERS = ("setl_ym", "setl_id", "psn_no", "err_lv", "retn_flag")


class SetlListSql:
    session: Session
    _postgres: bool

    def setl_list(self, setl_id: str, *, lock: bool = False) -> Any | None:
        return self.session.execute(_LIST_FOR_UPDATE if lock else _LIST, {"setl_id": setl_id}).first()

    def add_setl_list(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(setl_list), values)

    def update_setl_list(self, setl_id: str, **values: Any) -> None:
        self.session.execute(_SET_LIST, {"b_setl_id": setl_id, **values})

    def setl_lists_page(
        self, fixmedins_code: str, filters: dict[str, str], offset: int, limit: int
    ) -> tuple[int, list[Any]]:
        where = [setl_list.c.fixmedins_code == fixmedins_code]
        where += [setl_list.c[name] == value for name, value in filters.items() if name in _FILTERS]
        total = self.session.execute(select(func.count()).select_from(setl_list).where(*where)).scalar_one()
        page = select(setl_list).where(*where).order_by(setl_list.c.setl_ym, setl_list.c.setl_id)
        rows = self.session.execute(page.offset(offset).limit(limit)).all()
        return int(total), list(rows)

    def setl_qc_rules_on(self, day: dt.date) -> Any | None:
        return self.session.execute(_RULES_ON, {"day": day}).first()

    def setl_qc_rules(self, version: str) -> Any | None:
        return self.session.execute(_RULES, {"version": version}).first()

    def setl_qc_versions(self) -> list[Any]:
        query = select(setl_qc_version).order_by(setl_qc_version.c.effective_from, setl_qc_version.c.id)
        return list(self.session.execute(query).all())

    def add_setl_qc_rules(self, values: dict[str, Any]) -> None:
        self.session.execute(insert(setl_qc_version), values)

    def setl_list_catalogue_codes(self, catalogue: str, codes: Collection[str], day: dt.date) -> set[str] | None:
        # The national catalogue's current, valid records (catalogue_record, written by its own part of
        # the store and only read here); `day` is for when records carry their own validity dates.
        if self.session.execute(_ANY_RECORD, {"family": catalogue}).first() is None:
            return None
        if not codes:
            return set()
        query = select(catalogue_record.c.code).where(
            catalogue_record.c.family == catalogue,
            catalogue_record.c.is_current,
            catalogue_record.c.vali_flag == "1",
            catalogue_record.c.code.in_(sorted(codes)),
        )
        return set(self.session.execute(query).scalars())
