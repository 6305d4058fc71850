"""Refusals of a national call. The front door turns each into infcode -1 with `message`.

A refusal is one of the common library's domain errors (medshared.errors), so the same refusal
raised behind a REST route answers problem details.
"""

from __future__ import annotations

from medshared.errors import DomainError


class Refused(DomainError):
    """A call the platform refuses; `message` tells the clerk what to do, `code` is stable.

    `http_status` is the status of the national answer: 200 with infcode -1 for a business
    refusal, 401 / 403 / 429 for the gateway's.
    """

    def __init__(self, message: str, *, code: str = "REFUSED", http_status: int = 200) -> None:
        super().__init__(code, message)
        self.http_status = http_status


class Unauthenticated(Refused):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="UNAUTHENTICATED", http_status=401)
