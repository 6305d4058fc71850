"""Bureau operators: fund supervision (基金监管). Role policy publishes rule sets (the bureau's rule makers,
as for catalogues and policies); role clearing reviews violations: confirms or dismisses them and
records money recovered (追回), since what is recovered comes off what the funds owe the institution.
Both read everything here; the audit role reads and changes nothing. Every change an operator attempts
is in the operator audit trail (GET /admin/v1/audit).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.exc import IntegrityError

from medshared.errors import Conflict
from medshared.openapi import problem_responses as problems
from medshared.runtime import Runtime
from medshared.security import Operator, Role
from settlement.domain import supervision_review as rv
from settlement.store import SqlStore
from settlement.usecases import supervision_review as review

from .admin import operators
from .supervision_models import (
    MONTH_PATTERN,
    ConfirmRequest,
    DismissRequest,
    MonthlyFigures,
    RecoveryRequest,
    RuleSetPublication,
    RuleSetSummary,
    RuleSetView,
    Status,
    ViolationDetail,
    ViolationPage,
)

Publisher = Annotated[Operator, operators.require(Role.POLICY)]
Reviewer = Annotated[Operator, operators.require(Role.CLEARING)]
Reader = Annotated[Operator, operators.require(Role.CLEARING, Role.POLICY)]
Month = Annotated[str, Query(pattern=MONTH_PATTERN, description="yyyy-MM")]
JrId = Annotated[str, Path(min_length=1, max_length=50)]
READ = problems(401, 403, 404, 422)
CHANGE = problems(401, 403, 404, 409, 422)


def _now() -> dt.datetime:
    return dt.datetime.now()  # the platform's local time, as setl_time is


def router(runtime: Runtime) -> APIRouter:
    api = APIRouter(prefix="/admin/v1/supervision", tags=["supervision"])

    @api.get("/rule-sets", responses=problems(401, 403))
    def list_rule_sets(who: Reader) -> list[RuleSetSummary]:
        """Every published supervision rule set, oldest valid_from first."""
        with runtime.factory() as session:
            return [RuleSetSummary.model_validate(r) for r in review.list_rule_sets(SqlStore(session))]

    @api.get("/rule-sets/{version}", responses=READ)
    def read_rule_set(who: Reader, version: Annotated[str, Path(max_length=30)]) -> RuleSetView:
        """One rule set with its rules (id, category, parameters, message, severity, action)."""
        with runtime.factory() as session:
            return RuleSetView.model_validate(review.read_rule_set(SqlStore(session), version))

    @api.post("/rule-sets", status_code=201, responses=problems(401, 403, 409, 422))
    def publish_rule_set(body: RuleSetPublication, who: Publisher) -> RuleSetSummary:
        """Publish a rule set; settlements from its valid_from day are checked against it."""
        try:
            with runtime.unit_of_work() as session:
                published = review.publish_rule_set(
                    SqlStore(session), body.model_dump(mode="json"), operator=who.operator, at=_now()
                )
        except IntegrityError:  # the same version published at the same moment
            raise Conflict(
                "version_exists", f"rule set {body.version} is already published; publish a new version"
            ) from None
        return RuleSetSummary.model_validate(published)

    @api.get("/violations", responses=problems(401, 403, 422))
    def list_violations(
        who: Reader,
        fixmedins_code: Annotated[str | None, Query(max_length=30)] = None,
        rule_id: Annotated[str | None, Query(max_length=50)] = None,
        month: Month | None = None,
        status: Status | None = None,
        page_num: Annotated[int, Query(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=review.PAGE_SIZE_MAX)] = 20,
    ) -> ViolationPage:
        """Violations found at settlement, newest first, by institution, rule, month (yyyy-MM) and status."""
        with runtime.factory() as session:
            page = review.list_violations(
                SqlStore(session),
                fixmedins_code=fixmedins_code,
                rule_id=rule_id,
                month=month,
                status=status,
                page_num=page_num,
                page_size=page_size,
            )
        return ViolationPage.model_validate(page)

    @api.get("/violations/{jr_id}", responses=READ)
    def read_violation(who: Reader, jr_id: JrId) -> ViolationDetail:
        """One violation with its review trail and the institution's evidence."""
        with runtime.factory() as session:
            return ViolationDetail.model_validate(review.read_violation(SqlStore(session), jr_id))

    @api.post("/violations/{jr_id}/confirm", responses=CHANGE)
    def confirm_violation(jr_id: JrId, who: Reviewer, body: ConfirmRequest | None = None) -> ViolationDetail:
        """Confirm an open violation: money may then be recovered for it."""
        note = body.note if body is not None else None
        with runtime.unit_of_work() as session:
            detail = review.review(SqlStore(session), jr_id, rv.CONFIRM, reviewer=who.operator, note=note, at=_now())
        return ViolationDetail.model_validate(detail)

    @api.post("/violations/{jr_id}/dismiss", responses=CHANGE)
    def dismiss_violation(jr_id: JrId, body: DismissRequest, who: Reviewer) -> ViolationDetail:
        """Dismiss an open violation, saying why in note."""
        with runtime.unit_of_work() as session:
            detail = review.review(
                SqlStore(session), jr_id, rv.DISMISS, reviewer=who.operator, note=body.note, at=_now()
            )
        return ViolationDetail.model_validate(detail)

    @api.post("/violations/{jr_id}/recoveries", status_code=201, responses=CHANGE)
    def record_recovery(jr_id: JrId, body: RecoveryRequest, who: Reviewer) -> ViolationDetail:
        """Record money recovered for a confirmed violation; all recoveries together stay within vola_amt."""
        with runtime.unit_of_work() as session:
            detail = review.record_recovery(
                SqlStore(session), jr_id, body.amount, reviewer=who.operator, note=body.note, at=_now()
            )
        return ViolationDetail.model_validate(detail)

    @api.get("/figures", responses=problems(401, 403, 422))
    def monthly_figures(
        who: Reader, month: Month, fixmedins_code: Annotated[str | None, Query(max_length=30)] = None
    ) -> MonthlyFigures:
        """Each institution's violations of a month: counts and amounts by review status, recovered, outstanding."""
        with runtime.factory() as session:
            figures = review.monthly_figures(SqlStore(session), month, fixmedins_code=fixmedins_code)
        return MonthlyFigures.model_validate(figures)

    return api
