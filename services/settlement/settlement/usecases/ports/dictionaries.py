"""The port of dictionaries (1901) and institution information (1201)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from settlement.domain.dictionaries import DictionaryVersion


class DictionaryStore(Protocol):
    """Published dictionary versions (each unchanged once published) and the designated institutions."""

    def dictionary_on(self, day: dt.date) -> DictionaryVersion | None:
        """The version in force on `day`: the latest effective_from on or before it, the higher version among equals."""
        ...

    def dictionary_version(self, version: int) -> DictionaryVersion | None: ...
    def dictionary_versions(self) -> list[DictionaryVersion]:
        """Every published version, oldest effective_from first."""
        ...

    def add_dictionary_version(self, version: DictionaryVersion) -> None: ...
    def designated_institutions(
        self, *, fixmedins_type: str | None, fixmedins_code: str | None, name_part: str | None, limit: int
    ) -> list[Any]:
        """Designated institutions (fixmedins_code, fixmedins_name, admdvs, hosp_lv) by code, at most `limit`;
        `fixmedins_type` 1 hospitals, 2 pharmacies; `name_part` any part of the name."""
        ...
