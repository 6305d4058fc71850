"""E-voucher's refusals are the common library's error family (medshared.errors).

Each carries a machine code and one sentence the reader can act on; the edge maps them once:
to problem details on REST (medshared.problems) and to code / infcode -1 on the national-style
endpoints (api/national.py). Kinds: Invalid 422, NotFound 404, Forbidden 403, Conflict 409,
Unauthenticated 401, RateLimited 429, Unavailable 503.
"""

from __future__ import annotations

from typing import ClassVar

from medshared.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, RateLimited, Unauthenticated

__all__ = [
    "Conflict",
    "DomainError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "RateLimited",
    "SettlementRefused",
    "Unauthenticated",
    "Unavailable",
]


class Unavailable(DomainError):
    """A partner system (WeChat, settlement, payment provider) did not answer."""

    status: ClassVar[int] = 503
    title: ClassVar[str] = "Service unavailable"


class SettlementRefused(Exception):
    """infcode -1: the settlement service understood a call of the mobile-payment script and said no."""

    def __init__(self, infno: str, err_msg: str) -> None:
        super().__init__(f"{infno}: {err_msg}")
        self.infno = infno
        self.err_msg = err_msg
