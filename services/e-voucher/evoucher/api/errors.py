"""The one place domain errors become HTTP problem details."""

from __future__ import annotations

from medshared.problems import Problem

from evoucher.domain.errors import DomainError

STATUS = {
    "invalid": (422, "Invalid request"),
    "not_found": (404, "Not found"),
    "forbidden": (403, "Forbidden"),
    "conflict": (409, "Conflict"),
    "unauthenticated": (401, "Unauthenticated"),
    "rate_limited": (429, "Too many requests"),
    "unavailable": (503, "Service unavailable"),
}


def to_problem(exc: DomainError) -> Problem:
    status, title = STATUS[exc.kind]
    return Problem(status, title, exc.message, code=exc.code)
