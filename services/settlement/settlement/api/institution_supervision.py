"""Institutions: their own violations found at settlement, and their answer to one (疑点举证).

A hospital or pharmacy signs these calls as it signs a national call: the x-tif gateway headers with
its credential (docs/his-integration.md). The credential decides whose violations are read: another
institution's violation answers 404, as one that does not exist. Each nonce is spent once and the
calls count against the institution's rate, as at the national door.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy import select

from medshared.national import GatewayHeaders, GatewayRefused
from medshared.openapi import GATEWAY
from medshared.openapi import problem_responses as problems
from medshared.problems import Problem
from medshared.runtime import Runtime
from settlement.db import gateway_credential
from settlement.domain.errors import Refused
from settlement.door.gateway import Gateway
from settlement.store import SqlStore
from settlement.usecases import supervision_review as review

from .supervision_models import (
    MONTH_PATTERN,
    Evidence,
    EvidenceRequest,
    InstitutionViolationDetail,
    InstitutionViolationPage,
    Status,
)

JrId = Annotated[str, Path(min_length=1, max_length=50)]


def _unauthorized(detail: str) -> Problem:
    return Problem(401, "Unauthorized", detail, code="unauthorized")


def institution(request: Request) -> str:
    """The fixmedins_code of the credential that signed the call (the x-tif headers, as at the national door)."""
    settings = request.app.state.settings
    gateway: Gateway = request.app.state.front_door.gateway  # the door's rate limit per institution
    try:
        headers = GatewayHeaders(request.headers)
    except GatewayRefused as exc:
        raise _unauthorized(str(exc)) from None
    if headers.paasid == settings.mobile_pay_paasid:
        raise Problem(
            403,
            "Forbidden",
            "the mobile-payment centre reads no violations: the institution signs with its own credential",
            code="forbidden",
        )
    with request.app.state.runtime.factory() as session:
        cred = session.execute(select(gateway_credential).where(gateway_credential.c.paasid == headers.paasid)).first()
        if cred is None:
            raise _unauthorized(f"x-tif-paasid {headers.paasid} is not a registered credential")
        if cred.demo and settings.is_production:
            raise _unauthorized("demo credentials are refused in production; ask the bureau for a credential")
        try:
            headers.verify(cred.token, max_skew_seconds=settings.signature_max_skew_seconds)
        except GatewayRefused as exc:
            raise _unauthorized(str(exc)) from None
        try:
            gateway.spend_nonce_within_rate(session, request.headers)
        except Refused as exc:
            code = "rate_limited" if exc.http_status == 429 else "unauthorized"
            raise Problem(exc.http_status, "Refused", exc.message, code=code) from None
    return str(cred.fixmedins_code)


Institution = Annotated[str, Depends(institution)]


def router(runtime: Runtime) -> APIRouter:
    # The gateway schemes document the x-tif headers `institution` checks; they refuse no one themselves.
    api = APIRouter(prefix="/institution/v1/supervision", tags=["supervision (institutions)"], dependencies=GATEWAY)

    @api.get("/violations", responses=problems(401, 403, 422))
    def own_violations(
        fixmedins_code: Institution,
        month: Annotated[str | None, Query(pattern=MONTH_PATTERN, description="yyyy-MM")] = None,
        status: Status | None = None,
        page_num: Annotated[int, Query(ge=1, le=100_000)] = 1,
        page_size: Annotated[int, Query(ge=1, le=review.PAGE_SIZE_MAX)] = 20,
    ) -> InstitutionViolationPage:
        """The calling institution's violations, newest first, by month (yyyy-MM) and status."""
        with runtime.factory() as session:
            page = review.list_violations(
                SqlStore(session),
                fixmedins_code=fixmedins_code,
                month=month,
                status=status,
                page_num=page_num,
                page_size=page_size,
            )
        return InstitutionViolationPage.model_validate(page)

    @api.get("/violations/{jr_id}", responses=problems(401, 403, 404, 422))
    def own_violation(jr_id: JrId, fixmedins_code: Institution) -> InstitutionViolationDetail:
        """One of the calling institution's violations, with the evidence it gave."""
        with runtime.factory() as session:
            detail = review.read_violation(SqlStore(session), jr_id, institution=fixmedins_code)
        return InstitutionViolationDetail.model_validate(detail)

    @api.post("/violations/{jr_id}/evidence", status_code=201, responses=problems(401, 403, 404, 409, 422))
    def submit_evidence(jr_id: JrId, body: EvidenceRequest, fixmedins_code: Institution) -> Evidence:
        """Answer one of the calling institution's open or confirmed violations (疑点举证)."""
        with runtime.unit_of_work() as session:
            evidence = review.submit_evidence(
                SqlStore(session), jr_id, institution=fixmedins_code, text=body.text, at=dt.datetime.now()
            )
        return Evidence.model_validate(evidence)

    return api
