"""Enrollment's refusals are the common library's error kinds (medshared.errors).

Each carries a machine code and one sentence an operator can act on; the edge maps them
once to problem details: Invalid -> 422, NotFound -> 404, Conflict -> 409.
"""

from __future__ import annotations

from medshared.errors import Conflict, DomainError, NotFound
from medshared.errors import Invalid as _Invalid

__all__ = ["Conflict", "DomainError", "Invalid", "NotFound"]


class Invalid(_Invalid):
    """The request itself is wrong; `field` names what to fix, and the problem details list it."""

    def __init__(self, field: str, message: str, *, code: str = "invalid_field") -> None:
        super().__init__(
            code,
            f"{field}: {message}",
            field=field,
            errors=[{"field": field, "message": message}],
        )
        self.field = field
        self.reason = message
