"""Bureau operators (role clearing): institutions' monthly statements, what the funds owe each hospital
or pharmacy for a month. Generate one for a closed month, list, read, confirm; preview any month (an
open one's figures are marked not confirmable). Institutions apply for clearing against a statement
with 3203 and withdraw with 3204 until it is confirmed (docs/his-integration.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError

from medshared.openapi import OPERATOR, problem_responses
from medshared.runtime import Runtime
from medshared.security import Operator, Role
from settlement.api.models import OPERATOR_ERRORS, READ_ERRORS, Statement, StatementHead, StatementPreview
from settlement.store import SqlStore
from settlement.usecases import statements

from .admin import operators

Clearing = Annotated[Operator, operators.require(Role.CLEARING)]
Month = Annotated[str, Query(pattern=r"^\d{4}-?\d{2}$", description="yyyy-MM")]


class StatementRequest(BaseModel):
    fixmedins_code: str = Field(min_length=1, max_length=30)
    month: str = Field(pattern=r"^\d{4}-?\d{2}$", description="yyyy-MM, a closed month")


def _now() -> dt.datetime:
    return dt.datetime.now()  # the platform's local time, as setl_time is


def router(runtime: Runtime) -> APIRouter:
    api = APIRouter(prefix="/admin/v1", tags=["statements"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)

    @api.get("/statements", response_model=list[StatementHead])
    def list_statements(
        who: Clearing,
        month: Month | None = None,
        fixmedins_code: Annotated[str | None, Query(max_length=30)] = None,
        status: Annotated[str | None, Query(pattern="^(issued|confirmed)$")] = None,
    ) -> list[dict[str, Any]]:
        """Statements, newest month first, optionally of one month, institution or status (issued, confirmed)."""
        with runtime.factory() as session:
            return statements.list_statements(
                SqlStore(session), month=month, fixmedins_code=fixmedins_code, status=status
            )

    @api.get("/statements/preview", response_model=StatementPreview, responses=READ_ERRORS)
    def preview_statement(
        who: Clearing, fixmedins_code: Annotated[str, Query(min_length=1, max_length=30)], month: Month
    ) -> dict[str, Any]:
        """An institution's figures for a month as they stand now, stored nowhere, never confirmable."""
        with runtime.factory() as session:
            return statements.preview_statement(SqlStore(session), fixmedins_code, month, _now())

    @api.post(
        "/statements",
        status_code=201,
        response_model=Statement,
        responses={
            200: {"model": Statement, "description": "issued already: the statement as it stands"},
            **problem_responses(404, 409),
        },
    )
    def generate_statement(body: StatementRequest, who: Clearing, response: Response) -> dict[str, Any]:
        """Issue an institution's statement of a closed month (201); one already issued is answered as it is (200)."""
        try:
            with runtime.unit_of_work() as session:
                view, created = statements.generate_statement(
                    SqlStore(session), body.fixmedins_code, body.month, _now(), who.operator
                )
        except IntegrityError:  # another operator issued it a moment ago: answer theirs
            with runtime.factory() as session:
                view, created = statements.generate_statement(
                    SqlStore(session), body.fixmedins_code, body.month, _now(), who.operator
                )
        if not created:
            response.status_code = 200
        return view

    @api.get("/statements/{statement_id}", response_model=Statement, responses=READ_ERRORS)
    def read_statement(statement_id: str, who: Clearing) -> dict[str, Any]:
        """One statement: totals, lines by clr_type, amounts by fund, the institution's clearing applications."""
        with runtime.factory() as session:
            return statements.read_statement(SqlStore(session), statement_id)

    @api.post("/statements/{statement_id}/confirm", response_model=Statement, responses=problem_responses(404, 409))
    def confirm_statement(statement_id: str, who: Clearing) -> dict[str, Any]:
        """Confirm what the funds owe: the statement and its standing applications become final (no 3204)."""
        with runtime.unit_of_work() as session:
            return statements.confirm_statement(SqlStore(session), statement_id, _now(), who.operator)

    return api
