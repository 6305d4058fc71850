"""The store's part for dictionaries (1901) and institution information (1201), over SQL (settlement.usecases.ports.dictionaries).

A dictionary version is one row whose body is the whole set of code tables; a published version
never changes, so each body is parsed once per process (keyed by its row id and publication time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from medshared import jsonutil
from medshared.events import utcnow
from settlement.db import dictionary_version, institution
from settlement.domain.dictionaries import HOSPITAL, PHARMACY, DictionaryVersion

_HEAD = (dictionary_version.c.id, dictionary_version.c.published_by, dictionary_version.c.published_at)
_ON = (
    select(*_HEAD)
    .where(dictionary_version.c.effective_from <= bindparam("day"))
    .order_by(dictionary_version.c.effective_from.desc(), dictionary_version.c.version.desc())
    .limit(1)
)
_BY_VERSION = select(*_HEAD).where(dictionary_version.c.version == bindparam("version"))
_ALL = select(*_HEAD).order_by(dictionary_version.c.effective_from, dictionary_version.c.version)
_BODY = select(dictionary_version.c.body).where(dictionary_version.c.id == bindparam("id"))
_INSTITUTIONS = select(
    institution.c.fixmedins_code, institution.c.fixmedins_name, institution.c.admdvs, institution.c.hosp_lv
).order_by(institution.c.fixmedins_code)

_parsed: dict[tuple[int, Any], DictionaryVersion] = {}


class DictionarySql:
    session: Session
    _postgres: bool

    def _version(self, head: Any) -> DictionaryVersion:
        key = (head.id, head.published_at)
        found = _parsed.get(key)
        if found is None:
            body = self.session.execute(_BODY, {"id": head.id}).scalar_one()
            found = DictionaryVersion.from_dict(
                jsonutil.loads(body), published_by=head.published_by, published_at=head.published_at
            )
            if len(_parsed) > 256:  # a long-lived process that saw many versions starts afresh
                _parsed.clear()
            _parsed[key] = found
        return found

    def dictionary_on(self, day: dt.date) -> DictionaryVersion | None:
        head = self.session.execute(_ON, {"day": day}).first()
        return None if head is None else self._version(head)

    def dictionary_version(self, version: int) -> DictionaryVersion | None:
        head = self.session.execute(_BY_VERSION, {"version": version}).first()
        return None if head is None else self._version(head)

    def dictionary_versions(self) -> list[DictionaryVersion]:
        return [self._version(head) for head in self.session.execute(_ALL)]

    def add_dictionary_version(self, version: DictionaryVersion) -> None:
        self.session.execute(
            insert(dictionary_version).values(
                version=version.version,
                effective_from=version.effective_from,
                body=jsonutil.dumps(version.to_dict()),
                published_by=version.published_by,
                published_at=version.published_at or utcnow(),
            )
        )

    def designated_institutions(
        self, *, fixmedins_type: str | None, fixmedins_code: str | None, name_part: str | None, limit: int
    ) -> list[Any]:
        query = _INSTITUTIONS
        if fixmedins_type == HOSPITAL:
            query = query.where(institution.c.hosp_lv != "pharmacy")
        elif fixmedins_type == PHARMACY:
            query = query.where(institution.c.hosp_lv == "pharmacy")
        elif fixmedins_type is not None:
            return []
        if fixmedins_code is not None:
            query = query.where(institution.c.fixmedins_code == fixmedins_code)
        if name_part is not None:
            query = query.where(institution.c.fixmedins_name.contains(name_part, autoescape=True))
        return list(self.session.execute(query.limit(limit)))
