"""Bureau operators: the settlement-list quality-control rule versions (role policy): list, read, publish."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path
from sqlalchemy.exc import IntegrityError

from medshared.openapi import OPERATOR, json_body
from medshared.problems import Problem
from medshared.runtime import Runtime
from medshared.security import Role
from settlement.api.models import OPERATOR_ERRORS, PUBLISH_ERRORS, READ_ERRORS, QcRuleSet, QcRuleVersion
from settlement.store import SqlStore
from settlement.usecases import setllists

from .admin import operators


def router(runtime: Runtime) -> APIRouter:
    api = APIRouter(
        prefix="/admin/v1/setllist-qc-rules",
        tags=["operators"],
        dependencies=[operators.require(Role.POLICY), *OPERATOR],
        responses=OPERATOR_ERRORS,
    )

    @api.get("", response_model=list[QcRuleVersion])
    def list_versions() -> list[dict[str, Any]]:
        """Every published quality-control rule version of the settlement lists, oldest first."""
        with runtime.factory() as session:
            return setllists.qc_rule_versions(SqlStore(session))

    # Answered as it was published, key for key: the model documents it and filters nothing.
    @api.get("/{version}", response_model=None, responses={200: {"model": QcRuleSet}, **READ_ERRORS})
    def read_version(version: str = Path(max_length=20)) -> dict[str, Any]:
        """One rule version as it was published."""
        with runtime.factory() as session:
            return setllists.qc_rule_version(SqlStore(session), version)

    @api.post(
        "",
        status_code=201,
        response_model=QcRuleVersion,
        responses=PUBLISH_ERRORS,
        openapi_extra=json_body(QcRuleSet, description="a rule version; each problem names the rule and the key"),
    )
    def publish_version(body: dict[str, Any]) -> dict[str, Any]:
        """Publish a rule version; lists uploaded from its effective_from date are checked against it."""
        try:
            with runtime.unit_of_work() as session:
                return setllists.publish_qc_rules(SqlStore(session), body)
        except IntegrityError:  # the same version published at the same moment
            raise Problem(
                409,
                "Rule version exists",
                "this rule version is already published; publish a new version",
                code="version_exists",
            ) from None

    return api
