"""The port of item mapping (3301/3302, 1316/1317): an institution's own codes mapped to national codes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from settlement.domain.mapping import ItemMapping, MappingFilter


class MappingStore(Protocol):
    """One institution's mappings; every method names the institution, so none reads another's."""

    def lock_item_mappings(self, fixmedins_code: str) -> None:
        """Until the unit of work ends, no other one changes this institution's mappings (PostgreSQL)."""
        ...

    def item_mappings(self, fixmedins_code: str, own_codes: Collection[str]) -> list[ItemMapping]:
        """The valid mappings (vali_flag 1) of these own codes, every period."""
        ...

    def add_item_mappings(self, mappings: Sequence[ItemMapping]) -> None: ...

    def update_item_mappings(self, mappings: Sequence[ItemMapping]) -> None:
        """Write each mapping's fields over the stored one with its rid (the same institution's)."""
        ...

    def item_mapping_page(
        self, fixmedins_code: str, selected: MappingFilter, offset: int, limit: int
    ) -> tuple[int, list[ItemMapping]]:
        """How many of the institution's mappings the filter selects, and `limit` of them from `offset`
        in the order they were recorded."""
        ...
