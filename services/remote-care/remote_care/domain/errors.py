"""Domain errors: a machine code and one sentence the person at the desk can act on.

They are the common library's kinds (medshared.errors), so the edge maps them once to
problem details: Refused 422, NotFound 404, Forbidden 403, Conflict 409. Raised here as
`Refused(message, code=...)`; each kind has its own default code.
"""

from __future__ import annotations

from typing import Any, ClassVar

from medshared import errors as common


class DomainError(common.DomainError):
    default_code: ClassVar[str] = "refused"

    def __init__(self, message: str, *, code: str | None = None, **extra: Any) -> None:
        super().__init__(code or self.default_code, message, **extra)


class Refused(DomainError, common.Invalid):
    """The request is understood but a rule forbids it; nothing was changed."""

    title = "Refused"


class NotFound(DomainError, common.NotFound):
    default_code = "not_found"


class Forbidden(DomainError, common.Forbidden):
    """The caller may not see or act on this person or statement."""

    default_code = "forbidden"


class Conflict(DomainError, common.Conflict):
    """The thing is not in a state that allows this step."""

    default_code = "conflict"
