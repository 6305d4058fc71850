"""What every use case family shares: who acts, today, the page size."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from remote_care.domain.filings import Channel

PAGE_SIZE = 100


def today() -> dt.date:
    """Business days follow the server's local clock, as in every service (deployments set TZ=Asia/Shanghai)."""
    return dt.date.today()


@dataclass(frozen=True)
class Actor:
    """Who acts, through which channel; `psn_no` binds a person, `province` a partner."""

    channel: Channel
    name: str
    psn_no: str | None = None
    province: str | None = None
