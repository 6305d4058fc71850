"""RFC 9457 problem details for REST surfaces, in one place per app."""

from __future__ import annotations

import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from medshared.errors import DomainError

PROBLEM_JSON = "application/problem+json"


class Problem(Exception):
    """Raise from a route (or map a domain error to it) to answer with problem details."""

    def __init__(self, status: int, title: str, detail: str, *, code: str = "", **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.code = code
        self.extra = extra


def problem_response(status: int, title: str, detail: str, *, code: str = "", **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:problem:{code}" if code else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if code:
        body["code"] = code
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def domain_problem(exc: DomainError) -> JSONResponse:
    """A domain error as problem details: its kind's status and title, its code, message and extra."""
    response = problem_response(exc.status, exc.title, exc.message, code=exc.code, **exc.extra)
    retry_after = exc.extra.get("retry_after")
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, math.ceil(float(retry_after))))
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(exc)

    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, code=exc.code, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"].removeprefix("Value error, "),
            }
            for e in exc.errors()
        ]
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(422, "Invalid request", f"check {fields}", code="invalid_request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        import logging

        from sqlalchemy.exc import OperationalError

        log = logging.getLogger("problems")
        if isinstance(exc, OperationalError):
            # An outage, not a bug: one line per refused request, no traceback to wade through.
            log.warning("database unavailable: %s", exc.__class__.__name__)
            return problem_response(
                503, "Service unavailable", "the database is unavailable; retry shortly", code="unavailable"
            )
        log.exception("unhandled error")
        return problem_response(
            500, "Internal error", "an unexpected error occurred; it has been logged", code="internal"
        )
