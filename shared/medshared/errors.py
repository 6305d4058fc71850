"""The one error protocol: a domain error carries a stable machine code and one sentence the
reader (a clerk, an operator, a partner, a person on a phone) can act on.

Pure (domain packages raise these); the edge maps them once: to RFC 9457 problem details
(medshared.problems.install) and to the national envelope's infcode -1 (medshared.national.refusal).
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every refusal. `extra` travels into the problem details (e.g. `field`, `retry_after`)."""

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Invalid request"

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class Invalid(DomainError):
    """The request itself is wrong: a field to fix."""


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The request is understood, but the records as they stand refuse it."""

    status = 409
    title = "Conflict"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthenticated"


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"
