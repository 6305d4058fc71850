"""Domain errors carry a machine code and one sentence the reader can act on.

The API edge maps each kind to an HTTP status (api/errors.py) or to infcode=-1 / code=-1.
"""

from __future__ import annotations


class DomainError(Exception):
    kind = "invalid"

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Invalid(DomainError):
    kind = "invalid"


class NotFound(DomainError):
    kind = "not_found"


class Forbidden(DomainError):
    kind = "forbidden"


class Conflict(DomainError):
    kind = "conflict"


class Unauthenticated(DomainError):
    kind = "unauthenticated"


class RateLimited(DomainError):
    """The caller (an institution, an openid) sent more than its share; it may try again shortly."""

    kind = "rate_limited"


class Unavailable(DomainError):
    """A partner system (WeChat, settlement, payment provider) did not answer."""

    kind = "unavailable"
