"""The store the national use cases read and write through: one port, made of one protocol per
capability (the settlement chain, files, catalogues, dictionaries and institutions, item mapping,
departments, pharmacies, records, settlement lists, statements, supervision). settlement.store.SqlStore implements it over SQL, tests/unit/fakes.py in memory;
every method belongs to the current unit of work."""

from __future__ import annotations

from typing import Protocol

from .catalogues import CatalogueStore
from .core import ACCUMULATOR_FIELDS, CoreStore, InForce
from .departments import DepartmentStore
from .dictionaries import DictionaryStore
from .files import FileStore
from .mapping import MappingStore
from .pharmacy import PharmacyStore
from .records import RecordsStore
from .setllists import SetlListStore
from .statements import StatementStore
from .supervision import SupervisionStore

__all__ = ["ACCUMULATOR_FIELDS", "InForce", "Store"]


class Store(
    CoreStore,
    FileStore,
    CatalogueStore,
    DictionaryStore,
    MappingStore,
    DepartmentStore,
    PharmacyStore,
    RecordsStore,
    SetlListStore,
    StatementStore,
    SupervisionStore,
    Protocol,
):
    """What a national use case may read and write."""
