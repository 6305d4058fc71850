"""People (人员): register, look up, correct, record a death."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from enrollment import queries
from enrollment.api.deps import RuntimeDep, UowDep, render
from enrollment.api.models import CHANGE_ERRORS, OPERATOR_ERRORS, READ_ERRORS, Person, PersonDetail, PersonList
from enrollment.domain import commands as cmds
from enrollment.usecases import people as people_uc
from medshared.openapi import OPERATOR, problem_responses

router = APIRouter(prefix="/admin/v1/people", tags=["people"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)


class RegisterPersonIn(BaseModel):
    admdvs: str = Field(
        description="registering pool; the issued psn_no starts with it",
        examples=["540100"],
    )
    psn_cert_type: str = Field("01", description="01 居民身份证: checked against GB 11643")
    certno: str = Field(examples=["540102198005010110"])
    psn_name: str
    gend: str | None = Field(None, description="1 male, 2 female; read from an 01 number when omitted")
    brdy: dt.date | None = Field(None, description="birth date; read from an 01 number when omitted")
    naty: str = Field("01", description="民族, GB 3304 code")
    tel: str = ""
    addr: str = ""


class UpdatePersonIn(BaseModel):
    psn_name: str | None = None
    naty: str | None = None
    tel: str | None = None
    addr: str | None = None


class DeathIn(BaseModel):
    death_date: dt.date


@router.post("", status_code=201, response_model=Person, responses=problem_responses(409))
def register_person(body: RegisterPersonIn, uow: UowDep) -> dict[str, Any]:
    """Register a person and issue a psn_no (pool admdvs + 14 digits)."""
    person = people_uc.register_person(uow, cmds.RegisterPerson(**body.model_dump()))
    return render(person.snapshot())


@router.get("", response_model=PersonList)
def find_people(
    runtime: RuntimeDep,
    certno: str | None = Query(None, examples=["540102198005010110"]),
    psn_no: str | None = None,
) -> dict[str, Any]:
    """Look people up by certno or psn_no, with enrollments, identities, contributions and credits."""
    return render({"items": queries.find_people(runtime, certno=certno, psn_no=psn_no)})


@router.get("/{psn_no}", response_model=PersonDetail, responses=READ_ERRORS)
def get_person(psn_no: str, runtime: RuntimeDep) -> dict[str, Any]:
    """One person with enrollments, identities, contributions and account credits."""
    return render(queries.person_detail(runtime, psn_no))


@router.patch("/{psn_no}", response_model=Person, responses=CHANGE_ERRORS)
def update_person(psn_no: str, body: UpdatePersonIn, uow: UowDep) -> dict[str, Any]:
    """Correct a person's name, ethnicity or contact details."""
    return render(people_uc.update_person(uow, cmds.UpdatePerson(psn_no=psn_no, **body.model_dump())).snapshot())


@router.post("/{psn_no}/death", response_model=PersonDetail, responses=CHANGE_ERRORS)
def record_death(psn_no: str, body: DeathIn, runtime: RuntimeDep, uow: UowDep) -> dict[str, Any]:
    """Record a death: every enrollment ends from that date and account credits stop."""
    people_uc.record_death(uow, cmds.RecordDeath(psn_no=psn_no, death_date=body.death_date))
    return render(queries.person_detail(runtime, psn_no))
