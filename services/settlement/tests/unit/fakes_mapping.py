"""The in-memory store's part for item mapping (3301/3302, 1316/1317) (settlement.usecases.ports.mapping)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from settlement.domain.mapping import VALID, ItemMapping, MappingFilter


class FakeMapping:
    def __init__(self) -> None:
        super().__init__()
        self.item_mapping_rows: list[ItemMapping] = []  # in the order recorded, as the table's ids run
        self.item_mapping_locks: list[str] = []

    def lock_item_mappings(self, fixmedins_code: str) -> None:
        self.item_mapping_locks.append(fixmedins_code)

    def item_mappings(self, fixmedins_code: str, own_codes: Collection[str]) -> list[ItemMapping]:
        codes = set(own_codes)
        return [
            m
            for m in self.item_mapping_rows
            if m.fixmedins_code == fixmedins_code and m.fixmedins_hilist_id in codes and m.vali_flag == VALID
        ]

    def add_item_mappings(self, mappings: Sequence[ItemMapping]) -> None:
        known = {m.rid for m in self.item_mapping_rows}
        for m in mappings:
            if m.rid in known:
                raise AssertionError(f"rid {m.rid} stored twice")
            known.add(m.rid)
        self.item_mapping_rows.extend(mappings)

    def update_item_mappings(self, mappings: Sequence[ItemMapping]) -> None:
        for m in mappings:
            at = next(
                i
                for i, row in enumerate(self.item_mapping_rows)
                if row.rid == m.rid and row.fixmedins_code == m.fixmedins_code
            )
            self.item_mapping_rows[at] = m

    def item_mapping_page(
        self, fixmedins_code: str, selected: MappingFilter, offset: int, limit: int
    ) -> tuple[int, list[ItemMapping]]:
        found = [m for m in self.item_mapping_rows if m.fixmedins_code == fixmedins_code and selected.admits(m)]
        return len(found), found[offset : offset + limit]
