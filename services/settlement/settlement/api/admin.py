"""Bureau operators: list catalogue and policy versions, publish a new version (role policy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter
from sqlalchemy.exc import IntegrityError

from medshared.openapi import OPERATOR, json_body
from medshared.problems import Problem
from medshared.runtime import Runtime
from medshared.security import OperatorGate, Role
from settlement import reference
from settlement.api.models import (
    CATALOGUE_SCHEMA,
    OPERATOR_ERRORS,
    PUBLISH_ERRORS,
    CataloguePublished,
    CatalogueVersion,
    PolicyPublication,
    PolicyPublished,
    PolicyVersion,
)
from settlement.db import operator_action
from settlement.policy import PolicyDataError

operators = OperatorGate(operator_action)


def router(runtime: Runtime) -> APIRouter:
    api = APIRouter(
        prefix="/admin/v1",
        tags=["operators"],
        dependencies=[operators.require(Role.POLICY), *OPERATOR],
        responses=OPERATOR_ERRORS,
    )

    @api.get("/catalogues", response_model=list[CatalogueVersion])
    def list_catalogues() -> list[dict[str, Any]]:
        """Every published catalogue version, oldest first."""
        with runtime.factory() as session:
            return reference.list_catalogues(session)

    @api.post(
        "/catalogues",
        status_code=201,
        response_model=CataloguePublished,
        responses=PUBLISH_ERRORS,
        openapi_extra=json_body(CATALOGUE_SCHEMA, description="a catalogue version (settlement.policy.model)"),
    )
    def publish_catalogue(body: dict[str, Any]) -> dict[str, Any]:
        """Publish a catalogue version; it applies to settlements from its effective_from date."""
        with _publishing("catalogue"), runtime.unit_of_work() as session:
            catalogue = reference.publish_catalogue(session, body)
        return {
            "catalogue_id": catalogue.catalogue_id,
            "version": catalogue.version,
            "effective_from": catalogue.effective_from.isoformat(),
        }

    @api.get("/policies", response_model=list[PolicyVersion])
    def list_policies() -> list[dict[str, Any]]:
        """Every published policy version (region and medical-assistance), oldest first."""
        with runtime.factory() as session:
            return reference.list_policies(session)

    @api.post("/policies", status_code=201, response_model=PolicyPublished, responses=PUBLISH_ERRORS)
    def publish_policy(body: PolicyPublication) -> dict[str, Any]:
        """Publish a policy version; it applies to settlements from its effective_from date."""
        with _publishing("policy"), runtime.unit_of_work() as session:
            policy = reference.publish_policy(session, body.kind, body.policy)
        return {
            "policy_id": policy.policy_id,
            "version": policy.version,
            "kind": body.kind,
            "effective_from": policy.effective_from.isoformat(),
        }

    return api


@contextmanager
def _publishing(what: str) -> Iterator[None]:
    """Malformed data and duplicate versions become problem details; nothing is stored."""
    try:
        yield
    except PolicyDataError as exc:
        raise Problem(422, f"Invalid {what}", exc.message, code=f"invalid_{what}") from None
    except IntegrityError:
        raise Problem(
            409,
            f"{what.capitalize()} version exists",
            f"this {what} id and version are already published; publish a new version",
            code="version_exists",
        ) from None
