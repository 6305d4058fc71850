"""Bureau operators: filing review (role filing_review) and the monthly clearing (role clearing).

The bureau runs a month's clearing and reissues disputed statements; confirming or disputing
is the paying side's, through the partner API (domain/clearing.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from medshared.openapi import problem_responses
from remote_care.api import models
from remote_care.api.deps import ClearingOperator, FilingReviewer, StoresDep
from remote_care.api.schemas import PERIOD, ChangeIn, ClearingRunIn, FilingIn, RevokeIn
from remote_care.usecases import clearing, filings, statement_views

router = APIRouter(prefix="/admin/v1", tags=["admin"], responses=problem_responses(401, 403, 422))


@router.post("/filings", status_code=201, response_model=models.Filing, responses=problem_responses(409))
def create_filing(body: FilingIn, actor: FilingReviewer, stores: StoresDep) -> dict[str, Any]:
    """File at the desk for any enrolled person."""
    return filings.create_filing(stores, body.to_request(), actor, memo=body.memo, mdtrt_id=body.mdtrt_id)


@router.get("/filings", response_model=list[models.Filing])
def list_filings(
    actor: FilingReviewer, stores: StoresDep, psn_no: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Filings, optionally of one person or in one status."""
    return filings.list_filings(stores, actor, psn_no=psn_no, status=status)


@router.get("/filings/{filing_id}", response_model=models.Filing, responses=problem_responses(404))
def get_filing(filing_id: str, actor: FilingReviewer, stores: StoresDep) -> dict[str, Any]:
    """One filing with who filed it and through which channel."""
    return filings.get_filing(stores, actor, filing_id)


@router.patch("/filings/{filing_id}", response_model=models.Filing, responses=problem_responses(404, 409))
def change_filing(filing_id: str, body: ChangeIn, actor: FilingReviewer, stores: StoresDep) -> dict[str, Any]:
    """Correct a filing's target or end it earlier."""
    return filings.change_filing(stores, actor, filing_id, target_admdvs=body.target_admdvs, enddate=body.enddate)


@router.post("/filings/{filing_id}/revoke", response_model=models.Filing, responses=problem_responses(404, 409))
def revoke_filing(filing_id: str, body: RevokeIn, actor: FilingReviewer, stores: StoresDep) -> dict[str, Any]:
    """Revoke a filing from today."""
    return filings.revoke_filing(stores, actor, filing_id=filing_id, memo=body.memo)


@router.post("/clearing/runs", status_code=201, response_model=list[models.Statement], responses=problem_responses(409))
def run_clearing(body: ClearingRunIn, actor: ClearingOperator, stores: StoresDep) -> list[dict[str, Any]]:
    """Issue the statements of a closed month (again: issues only pairs that have none)."""
    return clearing.run_clearing(stores, body.period, actor)


@router.get("/clearing/statements", response_model=list[models.Statement])
def list_statements(actor: ClearingOperator, stores: StoresDep, period: str | None = None) -> list[dict[str, Any]]:
    """Statements, optionally of one month."""
    return clearing.list_statements(stores, actor, period=period)


@router.get("/clearing/statements/preview", response_model=list[models.StatementPreview])
def preview_statements(
    actor: ClearingOperator, stores: StoresDep, period: str | None = Query(None, pattern=PERIOD)
) -> list[dict[str, Any]]:
    """Every pair's statement of a month as a run would issue it now (default: this month)."""
    return statement_views.previews(stores, actor, period=period)


@router.get("/clearing/province-statements", response_model=list[models.ProvinceStatement])
def list_province_statements(
    actor: ClearingOperator, stores: StoresDep, period: str | None = Query(None, pattern=PERIOD)
) -> list[dict[str, Any]]:
    """Province-pair statements, optionally of one month, their city-pair statements as lines."""
    return statement_views.province_statements(stores, actor, period=period)


@router.get(
    "/clearing/province-statements/{province_statement_id}",
    response_model=models.ProvinceStatement,
    responses=problem_responses(404),
)
def get_province_statement(province_statement_id: str, actor: ClearingOperator, stores: StoresDep) -> dict[str, Any]:
    """One province-pair statement with its city-pair lines."""
    return statement_views.province_statement(stores, actor, province_statement_id)


@router.get("/clearing/statements/{statement_id}", response_model=models.Statement, responses=problem_responses(404))
def get_statement(statement_id: str, actor: ClearingOperator, stores: StoresDep) -> dict[str, Any]:
    """One statement with its totals by clr_type and by fund."""
    return clearing.get_statement(stores, actor, statement_id)


@router.get(
    "/clearing/statements/{statement_id}/lines", response_model=models.LinesPage, responses=problem_responses(404)
)
def statement_lines(
    statement_id: str, actor: ClearingOperator, stores: StoresDep, startrow: int = Query(1, ge=1)
) -> dict[str, Any]:
    """A statement's lines, 100 per page from startrow (1-based)."""
    return clearing.statement_lines(stores, actor, statement_id, startrow=startrow)


@router.get(
    "/clearing/statements/{statement_id}/audit",
    response_model=list[models.HistoryEntry],
    responses=problem_responses(404),
)
def statement_audit(statement_id: str, actor: ClearingOperator, stores: StoresDep) -> list[dict[str, Any]]:
    """Every step the statement went through, who took it and why."""
    return clearing.statement_audit_trail(stores, actor, statement_id)


@router.post(
    "/clearing/statements/{statement_id}/reissue",
    response_model=models.Statement,
    responses=problem_responses(404, 409),
)
def reissue_statement(statement_id: str, actor: ClearingOperator, stores: StoresDep) -> dict[str, Any]:
    """Recompute a disputed statement from the settlements now on record and issue it again."""
    return clearing.decide_statement(stores, actor, statement_id, "reissue")


@router.get("/clearing/3260", response_model=models.Extraction3260)
def extract_clearing_lines(
    actor: ClearingOperator,
    stores: StoresDep,
    trt_year: int = Query(ge=2000, le=2100),
    trt_month: int = Query(ge=1, le=12),
    startrow: int = Query(1, ge=1),
    mdtrtarea: str | None = Query(None, pattern=r"^\d{6}$"),
) -> dict[str, Any]:
    """3260-style extraction of a month's cleared lines at the treating side, 100 per page."""
    return clearing.treating_side_lines(
        stores, trt_year=trt_year, trt_month=trt_month, startrow=startrow, mdtrtarea=mdtrtarea
    )


@router.get("/clearing/items", response_model=list[models.ClearingItem])
def list_clearing_items(
    actor: ClearingOperator,
    stores: StoresDep,
    period: str = Query(pattern=r"^\d{4}-\d{2}$", description="yyyy-MM of the settlement time"),
    psn_no: str | None = Query(None, max_length=30),
) -> list[dict[str, Any]]:
    """Out-of-area settlements and reversals received for a month, before or after its statements are run."""
    return clearing.clearing_items(stores, period=period, psn_no=psn_no)
