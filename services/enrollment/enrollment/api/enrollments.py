"""Enrollments (参保) and their lifecycle: suspend, resume, terminate, retire, transfer."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from enrollment import queries
from enrollment.api.deps import RuntimeDep, UowDep, render
from enrollment.api.models import CHANGE_ERRORS, OPERATOR_ERRORS, READ_ERRORS, Enrollment, EnrollmentList, Transfer
from enrollment.domain import commands as cmds
from enrollment.usecases import enrollments as enrollments_uc
from enrollment.usecases import lifecycle as lifecycle_uc
from enrollment.usecases.ports import UnitOfWork
from medshared.openapi import OPERATOR

router = APIRouter(
    prefix="/admin/v1/enrollments", tags=["enrollments"], dependencies=OPERATOR, responses=OPERATOR_ERRORS
)


class EnrollIn(BaseModel):
    psn_no: str
    insutype: str = Field(description="310 employees, 390 residents")
    insuplc_admdvs: str = Field(description="the pool", examples=["540100"])
    psn_type: str = Field(description="1101 in service, 1102 civil servant, 1201 retired, 1501 adult resident")
    begndate: dt.date
    enddate: dt.date | None = None
    emp_no: str | None = Field(None, description="employees only")
    cvlserv_flag: str = Field("0", description="公务员标志 0/1")
    tier: str | None = Field(None, description="residents only: the yearly contribution tier, e.g. 320")


class StatusChangeIn(BaseModel):
    effective_date: dt.date
    reason: str = ""


class TransferIn(BaseModel):
    to_admdvs: str
    effective_date: dt.date
    reason: str = ""
    emp_no: str | None = Field(None, description="employees: the employer in the new pool")
    tier: str | None = Field(None, description="residents: the tier in the new pool")
    psn_type: str | None = None


@router.post("", status_code=201, response_model=Enrollment, responses=CHANGE_ERRORS)
def enroll(body: EnrollIn, uow: UowDep) -> dict[str, Any]:
    """Enroll a person in a pool; 409 names the pool already holding an overlapping enrollment."""
    return render(enrollments_uc.enroll(uow, cmds.Enroll(**body.model_dump())).snapshot())


@router.get("", response_model=EnrollmentList)
def list_enrollments(
    runtime: RuntimeDep,
    psn_no: str | None = None,
    insuplc_admdvs: str | None = None,
    status: str | None = None,
    limit: int = Query(100, ge=1, le=1000),
) -> dict[str, Any]:
    """List enrollments by person, pool or status."""
    return render(
        {
            "items": queries.enrollments(
                runtime,
                psn_no=psn_no,
                admdvs=insuplc_admdvs,
                status=status,
                limit=limit,
            )
        }
    )


@router.get("/{enrollment_id}", response_model=Enrollment, responses=READ_ERRORS)
def get_enrollment(enrollment_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """One enrollment with its status history."""
    return render(queries.enrollment(runtime, enrollment_id))


def _change(uow: UnitOfWork, enrollment_id: str, action: str, body: StatusChangeIn) -> dict[str, Any]:
    cmd = cmds.ChangeStatus(
        enrollment_id=enrollment_id,
        action=action,
        effective_date=body.effective_date,
        reason=body.reason,
    )
    return render(lifecycle_uc.change_status(uow, cmd).snapshot())


@router.post("/{enrollment_id}/suspend", response_model=Enrollment, responses=CHANGE_ERRORS)
def suspend(enrollment_id: str, body: StatusChangeIn, uow: UowDep) -> dict[str, Any]:
    """Suspend (暂停参保) from the effective date."""
    return _change(uow, enrollment_id, "suspend", body)


@router.post("/{enrollment_id}/resume", response_model=Enrollment, responses=CHANGE_ERRORS)
def resume(enrollment_id: str, body: StatusChangeIn, uow: UowDep) -> dict[str, Any]:
    """Resume a suspended enrollment from the effective date."""
    return _change(uow, enrollment_id, "resume", body)


@router.post("/{enrollment_id}/terminate", response_model=Enrollment, responses=CHANGE_ERRORS)
def terminate(enrollment_id: str, body: StatusChangeIn, uow: UowDep) -> dict[str, Any]:
    """Terminate (终止参保) from the effective date."""
    return _change(uow, enrollment_id, "terminate", body)


@router.post("/{enrollment_id}/retire", response_model=Enrollment, responses=CHANGE_ERRORS)
def retire(enrollment_id: str, body: StatusChangeIn, uow: UowDep) -> dict[str, Any]:
    """Convert an employee to retired (在职转退休, psn_type 11xx -> 12xx) from the effective date."""
    return _change(uow, enrollment_id, "retire", body)


@router.post("/{enrollment_id}/transfer", response_model=Transfer, responses=CHANGE_ERRORS)
def transfer(enrollment_id: str, body: TransferIn, uow: UowDep) -> dict[str, Any]:
    """Transfer to another pool (转移接续): this enrollment ends, a new one starts; both stay in history."""
    old, new = lifecycle_uc.transfer(uow, cmds.Transfer(enrollment_id=enrollment_id, **body.model_dump()))
    return render({"transferred_out": old.snapshot(), "transferred_in": new.snapshot()})
