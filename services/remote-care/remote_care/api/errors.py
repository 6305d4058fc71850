"""The one place mapping domain errors to problem details."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from medshared.problems import problem_response

from remote_care.domain.errors import Conflict, DomainError, Forbidden, NotFound

_STATUS = {NotFound: (404, "Not found"), Forbidden: (403, "Forbidden"), Conflict: (409, "Conflict")}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        status, title = _STATUS.get(type(exc), (422, "Refused"))
        return problem_response(status, title, exc.detail, code=exc.code)
