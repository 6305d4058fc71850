"""Domain errors: each carries a machine code and one sentence an operator can act on.

The API maps them to problem details in one place (api/errors.py): Invalid -> 422,
NotFound -> 404, Conflict -> 409.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


class Invalid(DomainError):
    """The request itself is wrong; `field` names what to fix."""

    def __init__(
        self, field: str, message: str, *, code: str = "invalid_field"
    ) -> None:
        super().__init__(code, f"{field}: {message}", field=field)
        self.field = field
        self.reason = message


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass
