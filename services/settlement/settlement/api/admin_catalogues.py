"""Bureau operators: publish a version of a national catalogue (1301-1315) from a file, list the releases,
read one release's records (role policy; the audit role reads)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from medshared.openapi import OPERATOR, problem_responses
from medshared.problems import Problem
from medshared.runtime import Runtime
from medshared.security import Operator, Role
from settlement.api.models import (
    OPERATOR_ERRORS,
    READ_ERRORS,
    CatalogueFamily,
    CatalogueRelease,
    ReleaseRecords,
    ReleaseReport,
)
from settlement.domain import catalogues as cat
from settlement.store import SqlStore
from settlement.usecases import catalogues

from .admin import operators

Policy = Annotated[Operator, operators.require(Role.POLICY)]

_FILE_DOC = {
    "requestBody": {
        "description": "The national zip (one tab-separated txt), a tab-separated txt, or CSV: the columns "
        "in the national order, or a header row naming them",
        "content": {
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
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
_RAW = ("application/zip", "application/x-zip-compressed", "application/octet-stream", "text/csv", "text/plain")


async def file_body(request: Request) -> tuple[bytes, str]:
    """The file's bytes (a raw body or the multipart part `file`) and what it is: zip, txt or csv."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        form = await request.form()
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise Problem(422, "Invalid request", "send the file as the multipart field 'file'", code="invalid_request")
        data = await upload.read()
    elif content_type in _RAW:
        data = await request.body()
    else:
        raise Problem(
            415,
            "Unsupported media type",
            "send application/zip, text/csv, text/plain, or multipart/form-data with a 'file' part",
            code="unsupported_media_type",
        )
    if not data.strip():
        raise Problem(422, "Empty file", "the file is empty; send the catalogue's records", code="empty_file")
    kind = "zip" if data.startswith(b"PK") else ("txt" if b"\t" in data[:4096] else "csv")
    return data, kind


def _family(infno: str) -> cat.Family:
    found = cat.FAMILIES.get(infno)
    if found is None:
        raise Problem(
            404,
            "Not found",
            f"{infno} is not a national catalogue published from a file; use one of {', '.join(cat.FAMILIES)}",
            code="family_unknown",
        )
    return found


def router(runtime: Runtime) -> APIRouter:
    api = APIRouter(
        prefix="/admin/v1/national-catalogues",
        tags=["national catalogues"],
        dependencies=OPERATOR,
        responses=OPERATOR_ERRORS,
    )

    @api.get("", response_model=list[CatalogueFamily])
    def families(who: Policy) -> list[dict[str, Any]]:
        """Every national catalogue (infno, name, columns in the national order) with its latest release."""
        with runtime.factory() as session:
            store = SqlStore(session)
            out = []
            for family in cat.FAMILIES.values():
                latest = store.latest_catalogue_release(family.infno)
                out.append(
                    {
                        "infno": family.infno,
                        "name": family.name,
                        "answer": "page" if family.paged else "file",
                        "columns": list(family.columns),
                        "latest": catalogues.release_view(latest) if latest is not None else None,
                    }
                )
            return out

    @api.get("/releases", response_model=list[CatalogueRelease])
    def releases(who: Policy, family: str | None = Query(None, pattern=r"^\d{4}$")) -> list[dict[str, Any]]:
        """Every published release, by family and ver (optionally of one family)."""
        with runtime.factory() as session:
            return [catalogues.release_view(row) for row in SqlStore(session).catalogue_releases(family)]

    @api.post(
        "/{infno}/releases",
        status_code=201,
        openapi_extra=_FILE_DOC,
        response_model=ReleaseReport,
        responses=problem_responses(404, 409, 413, 415),
    )
    def publish(
        infno: str,
        who: Policy,
        upload: Annotated[tuple[bytes, str], Depends(file_body)],
        ver: str | None = Query(None, max_length=20, description="default: yyyyMMdd and a sequence"),
        ver_name: str | None = Query(None, max_length=100),
    ) -> dict[str, Any]:
        """Publish a release: new and changed rows become the family's records of this ver; the report
        counts accepted, unchanged and rejected rows (each rejected row with its number and reason)."""
        family = _family(infno)
        data, kind = upload
        try:
            with runtime.unit_of_work() as session:
                report = catalogues.publish(
                    SqlStore(session),
                    family.infno,
                    cat.rows_of(io.BytesIO(data)),
                    now=dt.datetime.now(),
                    operator=who.operator,
                    source=kind,
                    ver=ver,
                    ver_name=ver_name,
                )
        except cat.UnreadableFile as exc:
            raise Problem(422, "Unreadable file", str(exc), code="unreadable_file") from None
        except UnicodeDecodeError:
            raise Problem(
                422, "Unreadable file", "the file is neither UTF-8 nor GB18030 text", code="unreadable_file"
            ) from None
        return report.as_dict()

    @api.get("/{infno}/releases/{ver}/records", response_model=ReleaseRecords, responses=READ_ERRORS)
    def release_records(
        infno: str,
        ver: str,
        who: Policy,
        offset: int = Query(0, ge=0),
        limit: int = Query(100, ge=1, le=1000),
    ) -> dict[str, Any]:
        """The records one release published (whether or not a later release changed them since)."""
        family = _family(infno)
        with runtime.factory() as session:
            return catalogues.release_records(SqlStore(session), family.infno, ver, offset, limit)

    return api
