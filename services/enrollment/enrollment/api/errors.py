"""The one place domain errors become RFC 9457 problem details."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from medshared.problems import problem_response

from enrollment.domain.errors import DomainError, Invalid, NotFound
from enrollment.importing import UnreadableFile


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Invalid):
            return problem_response(
                422,
                "Invalid request",
                exc.message,
                code=exc.code,
                errors=[{"field": exc.field, "message": exc.reason}],
            )
        if isinstance(exc, NotFound):
            return problem_response(404, "Not found", exc.message, code=exc.code)
        # Conflict: the request is valid but the person's records refuse it.
        return problem_response(
            409, "Conflict", exc.message, code=exc.code, **exc.extra
        )

    @app.exception_handler(UnreadableFile)
    async def _file(_: Request, exc: UnreadableFile) -> JSONResponse:
        return problem_response(
            422, "Unreadable import file", str(exc), code="unreadable_file"
        )
