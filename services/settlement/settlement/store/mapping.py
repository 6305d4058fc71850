"""The store's part for item mapping (3301/3302), over SQL (settlement.usecases.ports.mapping)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class MappingSql:
    session: Session
    _postgres: bool
