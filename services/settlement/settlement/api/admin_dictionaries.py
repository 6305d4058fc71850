"""Bureau operators: publish a dictionary version (the code tables 1901 answers), list and read them (role policy).

A version is a whole set of code tables in force from its effective_from; it never changes once
published, and every version stays queryable (1901 answers from the one in force on its `date`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from medshared.events import utcnow
from medshared.openapi import OPERATOR, json_body
from medshared.problems import Problem
from medshared.runtime import Runtime
from medshared.security import Operator, Role
from settlement.api.models import (
    OPERATOR_ERRORS,
    PUBLISH_ERRORS,
    READ_ERRORS,
    DictionarySummary,
    DictionaryVersion,
)
from settlement.domain.dictionaries import _VersionIn as DictionaryVersionIn  # the shape publishing reads
from settlement.store import SqlStore
from settlement.usecases import dictionaries

from .admin import operators

Policy = Annotated[Operator, operators.require(Role.POLICY)]


def router(runtime: Runtime) -> APIRouter:
    api = APIRouter(prefix="/admin/v1", tags=["operators"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)

    @api.get("/dictionaries", response_model=list[DictionarySummary])
    def list_dictionaries(who: Policy) -> list[dict[str, Any]]:
        """Every published dictionary version, oldest effective_from first: its number, effective_from,
        memo, who published it and when, how many types and values it holds."""
        with runtime.factory() as session:
            return dictionaries.dictionary_versions(SqlStore(session))

    @api.get("/dictionaries/{version}", response_model=DictionaryVersion, responses=READ_ERRORS)
    def read_dictionary(version: int, who: Policy) -> dict[str, Any]:
        """One version with all its values."""
        with runtime.factory() as session:
            return dictionaries.dictionary_version(SqlStore(session), version)

    @api.post(
        "/dictionaries",
        status_code=201,
        response_model=DictionarySummary,
        responses=PUBLISH_ERRORS,
        openapi_extra=json_body(DictionaryVersionIn, description="a dictionary version, all its code tables"),
    )
    def publish_dictionary(body: dict[str, Any], who: Policy) -> dict[str, Any]:
        """Publish a version: {version, effective_from, memo?, entries: [{type, value, label, parent_value?,
        admdvs?, sort?, vali_flag?}]}; 1901 answers it from its effective_from until a later version."""
        try:
            with runtime.unit_of_work() as session:
                version = dictionaries.publish_dictionary(SqlStore(session), body, who.operator, utcnow())
        except IntegrityError:  # the same number published at the same moment by another operator
            raise Problem(
                409,
                "Dictionary version exists",
                "this dictionary version is already published; publish a new version number",
                code="version_exists",
            ) from None
        return version.summary()

    return api
