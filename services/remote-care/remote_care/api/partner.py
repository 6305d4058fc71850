"""Partner provinces: their own insured people's filings, and statements they are a party to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from medshared import openapi
from medshared.openapi import problem_responses
from remote_care.api import models
from remote_care.api.deps import PartnerActor, StoresDep
from remote_care.api.schemas import ADMDVS, PERIOD, DisputeIn, FilingIn, RevokeIn
from remote_care.usecases import clearing, filings, statement_views

router = APIRouter(
    prefix="/partner/v1",
    tags=["partner"],
    dependencies=openapi.PARTNER,
    responses=problem_responses(401, 403, 422, 429),
)


@router.get("/people/{psn_no}", response_model=models.PartnerPerson, responses=problem_responses(404))
def get_person(psn_no: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """One of the province's insured people, with their enrollments and filings."""
    return filings.person_for_partner(stores, actor, psn_no)


@router.post("/filings", status_code=201, response_model=models.Filing, responses=problem_responses(409))
def push_filing(body: FilingIn, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """File for a person insured in the province."""
    return filings.create_filing(stores, body.to_request(), actor, memo=body.memo, mdtrt_id=body.mdtrt_id)


@router.get("/filings", response_model=list[models.Filing])
def list_filings(
    actor: PartnerActor, stores: StoresDep, psn_no: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Filings of the province's insured people."""
    return filings.list_filings(stores, actor, psn_no=psn_no, status=status)


@router.post("/filings/{filing_id}/revoke", response_model=models.Filing, responses=problem_responses(404, 409))
def revoke_filing(filing_id: str, body: RevokeIn, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """Revoke a filing of one of the province's insured people."""
    return filings.revoke_filing(stores, actor, filing_id=filing_id, memo=body.memo)


@router.get("/statements", response_model=list[models.Statement])
def list_statements(actor: PartnerActor, stores: StoresDep, period: str | None = None) -> list[dict[str, Any]]:
    """Clearing statements where the province is the insured or the treating side."""
    return clearing.list_statements(stores, actor, period=period)


@router.get("/statements/preview", response_model=list[models.StatementPreview])
def preview_statements(
    actor: PartnerActor, stores: StoresDep, period: str | None = Query(None, pattern=PERIOD)
) -> list[dict[str, Any]]:
    """The month's city-pair statements as the bureau would issue them now (default: this month); not confirmable."""
    return statement_views.previews(stores, actor, period=period)


@router.get("/statements/preview/lines", response_model=models.PreviewLinesPage, responses=problem_responses(409))
def preview_lines(
    actor: PartnerActor,
    stores: StoresDep,
    period: str = Query(pattern=PERIOD),
    insured_admdvs: str = Query(pattern=ADMDVS),
    treating_admdvs: str = Query(pattern=ADMDVS),
    startrow: int = Query(1, ge=1),
) -> dict[str, Any]:
    """The lines of one pair's preview, 100 per page from startrow (1-based)."""
    return statement_views.preview_lines(
        stores,
        actor,
        period=period,
        insured_admdvs=insured_admdvs,
        treating_admdvs=treating_admdvs,
        startrow=startrow,
    )


@router.get("/statements/{statement_id}", response_model=models.Statement, responses=problem_responses(404))
def get_statement(statement_id: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """One statement the province is a party to."""
    return clearing.get_statement(stores, actor, statement_id)


@router.get("/statements/{statement_id}/lines", response_model=models.LinesPage, responses=problem_responses(404))
def statement_lines(
    statement_id: str, actor: PartnerActor, stores: StoresDep, startrow: int = Query(1, ge=1)
) -> dict[str, Any]:
    """A statement's lines, 100 per page from startrow (1-based)."""
    return clearing.statement_lines(stores, actor, statement_id, startrow=startrow)


@router.post(
    "/statements/{statement_id}/confirm", response_model=models.Statement, responses=problem_responses(404, 409)
)
def confirm_statement(statement_id: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """Confirm a statement's amounts: the paying side (the insured pool's province) only."""
    return clearing.decide_statement(stores, actor, statement_id, "confirm")


@router.post(
    "/statements/{statement_id}/dispute", response_model=models.Statement, responses=problem_responses(404, 409)
)
def dispute_statement(statement_id: str, body: DisputeIn, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """Dispute a statement, saying why: the paying side (the insured pool's province) only."""
    return clearing.decide_statement(stores, actor, statement_id, "dispute", body.reason)


@router.get(
    "/statements/{statement_id}/history", response_model=list[models.HistoryEntry], responses=problem_responses(404)
)
def statement_history(statement_id: str, actor: PartnerActor, stores: StoresDep) -> list[dict[str, Any]]:
    """Every step the statement went through (issue, dispute with its reason, reissue, confirm), who took it."""
    return clearing.statement_audit_trail(stores, actor, statement_id)


@router.get("/province-statements", response_model=list[models.ProvinceStatement])
def list_province_statements(
    actor: PartnerActor, stores: StoresDep, period: str | None = Query(None, pattern=PERIOD)
) -> list[dict[str, Any]]:
    """Province-pair statements (the city-pair statements between two provinces as lines) the province is a party to."""
    return statement_views.province_statements(stores, actor, period=period)


@router.get("/province-statements/preview", response_model=list[models.ProvincePreview])
def preview_province_statements(
    actor: PartnerActor, stores: StoresDep, period: str | None = Query(None, pattern=PERIOD)
) -> list[dict[str, Any]]:
    """The month's province-pair statements as the bureau would issue them now (default: this month); not confirmable."""
    return statement_views.province_previews(stores, actor, period=period)


@router.get(
    "/province-statements/{province_statement_id}",
    response_model=models.ProvinceStatement,
    responses=problem_responses(404),
)
def get_province_statement(province_statement_id: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """One province-pair statement the province is a party to, its city pairs as lines."""
    return statement_views.province_statement(stores, actor, province_statement_id)


@router.post(
    "/province-statements/{province_statement_id}/confirm",
    response_model=models.ProvinceStatement,
    responses=problem_responses(404, 409),
)
def confirm_province_statement(province_statement_id: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """Confirm every open city-pair line of a province statement at once: the paying province only."""
    return statement_views.confirm_province_statement(stores, actor, province_statement_id)
