"""Refusals of a national call. The front door turns each into infcode -1 with `message`."""

from __future__ import annotations


class Refused(Exception):
    """A call the platform refuses; `message` tells the clerk what to do, `code` is stable."""

    def __init__(self, message: str, *, code: str = "REFUSED", http_status: int = 200) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.http_status = http_status


class Unauthenticated(Refused):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="UNAUTHENTICATED", http_status=401)
