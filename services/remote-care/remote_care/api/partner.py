"""Partner provinces: their own insured people's filings, and statements they are a party to."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from remote_care.api.deps import PartnerActor, StoresDep
from remote_care.api.schemas import DisputeIn, FilingIn, RevokeIn
from remote_care.usecases import clearing, filings

router = APIRouter(prefix="/partner/v1", tags=["partner"])


@router.get("/people/{psn_no}")
def get_person(psn_no: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """One of the province's insured people, with their enrollments and filings."""
    return filings.person_for_partner(stores, actor, psn_no)


@router.post("/filings", status_code=201)
def push_filing(body: FilingIn, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """File for a person insured in the province."""
    return filings.create_filing(stores, body.to_request(), actor, memo=body.memo, mdtrt_id=body.mdtrt_id)


@router.get("/filings")
def list_filings(
    actor: PartnerActor, stores: StoresDep, psn_no: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    """Filings of the province's insured people."""
    return filings.list_filings(stores, actor, psn_no=psn_no, status=status)


@router.post("/filings/{filing_id}/revoke")
def revoke_filing(filing_id: str, body: RevokeIn, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """Revoke a filing of one of the province's insured people."""
    return filings.revoke_filing(stores, actor, filing_id=filing_id, memo=body.memo)


@router.get("/statements")
def list_statements(actor: PartnerActor, stores: StoresDep, period: str | None = None) -> list[dict[str, Any]]:
    """Clearing statements where the province is the insured or the treating side."""
    return clearing.list_statements(stores, actor, period=period)


@router.get("/statements/{statement_id}")
def get_statement(statement_id: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """One statement the province is a party to."""
    return clearing.get_statement(stores, actor, statement_id)


@router.get("/statements/{statement_id}/lines")
def statement_lines(statement_id: str, actor: PartnerActor, stores: StoresDep, startrow: int = 1) -> dict[str, Any]:
    """A statement's lines, 100 per page from startrow (1-based)."""
    return clearing.statement_lines(stores, actor, statement_id, startrow=startrow)


@router.post("/statements/{statement_id}/confirm")
def confirm_statement(statement_id: str, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """Confirm a statement's amounts: the paying side (the insured pool's province) only."""
    return clearing.decide_statement(stores, actor, statement_id, "confirm")


@router.post("/statements/{statement_id}/dispute")
def dispute_statement(statement_id: str, body: DisputeIn, actor: PartnerActor, stores: StoresDep) -> dict[str, Any]:
    """Dispute a statement, saying why: the paying side (the insured pool's province) only."""
    return clearing.decide_statement(stores, actor, statement_id, "dispute", body.reason)
