"""Demo dataset (docs/settlement-rules.md section 12): 吴刚's long-term filing to 110100 from 2026-01-01.

People belong to enrollment: remote-care learns about 吴刚 only from enrollment.people.v1.
Rather than inventing him locally (which would let the two services disagree), the loader
waits for his enrollment to arrive, retrying briefly, then files through the same handler
an operator uses. Running it twice changes nothing.

    python -m remote_care.demo     (with the service's environment: database, broker)
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

from medshared.db import upgrade
from medshared.runtime import Runtime
from sqlalchemy import select

from remote_care import handlers
from remote_care.db import filing
from remote_care.domain.filings import Channel, FilingRequest, FilingType

WU_GANG = "43060000000000000002"
DEMO_FILING = FilingRequest(
    psn_no=WU_GANG,
    filing_type=FilingType.RESETTLED_RETIREE,
    target_admdvs="110100",
    begndate=dt.date(2026, 1, 1),
)
DEMO_ACTOR = handlers.Actor(channel=Channel.ADMIN, name="demo-loader")


class DemoNotReady(RuntimeError):
    """The person the demo files for has not arrived from enrollment yet."""


def _already_filed(runtime: Runtime) -> dict[str, Any] | None:
    with runtime.factory() as session:
        row = session.execute(
            select(filing.c.filing_id).where(
                filing.c.psn_no == WU_GANG,
                filing.c.filing_type == DEMO_FILING.filing_type.value,
                filing.c.target_admdvs == DEMO_FILING.target_admdvs,
                filing.c.status == "active",
            )
        ).first()
    return None if row is None else handlers.get_filing(runtime, DEMO_ACTOR, row.filing_id)


def load_demo(runtime: Runtime, *, wait_seconds: float = 30.0, poll_seconds: float = 0.5) -> dict[str, Any]:
    """File the demo filing once 吴刚 is known; return it (the existing one on a second run)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        existing = _already_filed(runtime)
        if existing is not None:
            return existing
        with runtime.factory() as session:
            known = handlers.load_person(session, WU_GANG) is not None
        if known:
            # begndate 2026-01-01 is in the past for any later run: the filing is a long-term one,
            # accepted as the bureau's record of a resettlement that started then.
            return handlers.create_filing(runtime, DEMO_FILING, DEMO_ACTOR, on=DEMO_FILING.begndate)
        if time.monotonic() >= deadline:
            raise DemoNotReady(
                f"person {WU_GANG} (吴刚) has not arrived from enrollment after {wait_seconds:.0f} s; "
                "load the enrollment demo first, with the broker running"
            )
        time.sleep(poll_seconds)


def main() -> int:
    from remote_care.config import Settings
    from remote_care.main import create_app

    # The consumer lets the loader learn about 吴刚 even when the service is not running; the
    # filing event stays in the outbox for the service's relay, which publishes it when it runs.
    settings = Settings(relay_enabled=False)
    upgrade(Path(__file__).resolve().parents[1] / "alembic.ini", settings.database_url)
    runtime: Runtime = create_app(settings).state.runtime
    runtime.start()
    try:
        result = load_demo(runtime, wait_seconds=settings.demo_wait_seconds)
        print(f"demo filing {result['filing_id']}: {result['filing_type']} -> {result['target_admdvs']}")
        return 0
    except DemoNotReady as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        runtime.stop()


if __name__ == "__main__":
    raise SystemExit(main())
