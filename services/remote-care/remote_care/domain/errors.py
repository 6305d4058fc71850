"""Domain errors: a machine code and one sentence the person at the desk can act on."""

from __future__ import annotations


class DomainError(Exception):
    code = "refused"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


class Refused(DomainError):
    """The request is understood but a rule forbids it; nothing was changed."""


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    """The caller may not see or act on this person or statement."""

    code = "forbidden"


class Conflict(DomainError):
    """The thing is not in a state that allows this step."""

    code = "conflict"
