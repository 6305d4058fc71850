"""Bulk import of people and enrollments (the yearly resident collection)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from enrollment import importing
from enrollment.api.deps import UowDep
from enrollment.api.models import OPERATOR_ERRORS, ImportReport
from medshared.openapi import OPERATOR, problem_responses
from medshared.problems import Problem

router = APIRouter(prefix="/admin/v1/imports", tags=["imports"], dependencies=OPERATOR, responses=OPERATOR_ERRORS)

_CSV_DOC = {
    "requestBody": {
        "description": "CSV with a header row: " + ", ".join(importing.COLUMNS),
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


async def csv_body(request: Request) -> bytes:
    """The CSV bytes from a text/csv body or from the `file` part of a multipart form."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Problem(
                422,
                "Invalid request",
                "send the CSV as the multipart field 'file'",
                code="invalid_request",
                errors=[{"field": "file", "message": "missing"}],
            )
        return await upload.read()
    if content_type.split(";")[0].strip() in (
        "text/csv",
        "text/plain",
        "application/octet-stream",
    ):
        return await request.body()
    raise Problem(
        415,
        "Unsupported media type",
        "send text/csv or multipart/form-data with a 'file' part",
        code="unsupported_media_type",
    )


@router.post("", openapi_extra=_CSV_DOC, response_model=ImportReport, responses=problem_responses(413, 415))
def import_people(data: Annotated[bytes, Depends(csv_body)], uow: UowDep) -> dict[str, Any]:
    """Import people and enrollments from CSV; valid rows commit, every rejected row is reported by line."""
    return importing.import_csv(uow, importing.decode(data)).as_dict()
