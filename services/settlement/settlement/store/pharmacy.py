"""The store's part for pharmacy settlement (2101-2103), over SQL (settlement.usecases.ports.pharmacy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from settlement.db import fee_line


class PharmacySql:
    session: Session
    _postgres: bool

    def add_purchase_lines(self, rows: list[dict[str, Any]]) -> None:
        self.session.execute(insert(fee_line), rows)  # every line, with its setl_id, in one statement
