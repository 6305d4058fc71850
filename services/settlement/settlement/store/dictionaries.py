"""The store's part for dictionaries (1901) and institution information (1201), over SQL (settlement.usecases.ports.dictionaries)."""

from __future__ import annotations

from sqlalchemy.orm import Session


class DictionarySql:
    session: Session
    _postgres: bool
