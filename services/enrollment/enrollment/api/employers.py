"""Employers (参保单位): 机关 agency, 事业单位 institution, 企业 enterprise."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from enrollment import queries
from enrollment.api.deps import RuntimeDep, UowDep, render
from enrollment.api.models import CHANGE_ERRORS, OPERATOR_ERRORS, READ_ERRORS, Employer, EmployerDetail, EmployerList
from enrollment.domain import commands as cmds
from enrollment.usecases import employers as employers_uc
from medshared.openapi import OPERATOR, problem_responses

router = APIRouter(prefix="/admin/v1/employers", tags=["employers"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)


class RegisterEmployerIn(BaseModel):
    emp_no: str = Field(examples=["E54010000001"])
    emp_name: str
    emp_type: str = Field(description="agency (机关) | institution (事业单位) | enterprise (企业)")
    admdvs: str = Field(description="the pool the unit contributes to", examples=["540100"])


class ChangeEmployerIn(BaseModel):
    emp_name: str | None = None
    emp_type: str | None = None


@router.post("", status_code=201, response_model=Employer, responses=problem_responses(409))
def register_employer(body: RegisterEmployerIn, uow: UowDep) -> dict[str, Any]:
    """Register an employer."""
    return render(
        queries.employer_view(employers_uc.register_employer(uow, cmds.RegisterEmployer(**body.model_dump())))
    )


@router.get("", response_model=EmployerList)
def list_employers(runtime: RuntimeDep, admdvs: str | None = None) -> dict[str, Any]:
    """List employers, optionally of one pool."""
    return render({"items": queries.employers(runtime, admdvs)})


@router.get("/{emp_no}", response_model=EmployerDetail, responses=READ_ERRORS)
def get_employer(emp_no: str, runtime: RuntimeDep) -> dict[str, Any]:
    """One employer and how many of its enrollments are not terminated."""
    return render(queries.employer(runtime, emp_no))


@router.patch("/{emp_no}", response_model=Employer, responses=CHANGE_ERRORS)
def change_employer(emp_no: str, body: ChangeEmployerIn, uow: UowDep) -> dict[str, Any]:
    """Change an employer's name or type."""
    return render(
        queries.employer_view(
            employers_uc.change_employer(uow, cmds.ChangeEmployer(emp_no=emp_no, **body.model_dump()))
        )
    )


@router.delete("/{emp_no}", response_model=Employer, responses=CHANGE_ERRORS)
def deregister_employer(emp_no: str, uow: UowDep) -> dict[str, Any]:
    """Deregister an employer; refused while any of its enrollments is not terminated."""
    return render(queries.employer_view(employers_uc.deregister_employer(uow, emp_no)))
