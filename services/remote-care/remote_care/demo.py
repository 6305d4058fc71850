"""Demo dataset (docs/settlement-rules.md section 12): 吴刚's long-term filing to 110100 from 2026-01-01.

People belong to enrollment: remote-care learns about 吴刚 only from enrollment.people.v1.
Rather than inventing him locally (which would let the two services disagree), the loader
waits for his enrollment to arrive, retrying briefly, then files through the same use case
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
from remote_care.domain.filings import Channel, FilingRequest, FilingType
from remote_care.store import SqlStores
from remote_care.usecases import filings
from remote_care.usecases.common import Actor

WU_GANG = "43060000000000000002"
DEMO_FILING = FilingRequest(
    psn_no=WU_GANG,
    filing_type=FilingType.RESETTLED_RETIREE,
    target_admdvs="110100",
    begndate=dt.date(2026, 1, 1),
)
DEMO_ACTOR = Actor(channel=Channel.ADMIN, name="demo-loader")


class DemoNotReady(RuntimeError):
    """The person the demo files for has not arrived from enrollment yet."""


def _already_filed(stores: SqlStores) -> dict[str, Any] | None:
    with stores.reading() as store:
        rows = store.filings(psn_no=WU_GANG, status="active")
    for row in rows:
        if row.filing_type == DEMO_FILING.filing_type.value and row.target_admdvs == DEMO_FILING.target_admdvs:
            return filings.get_filing(stores, DEMO_ACTOR, row.filing_id)
    return None


def load_demo(runtime: Runtime, *, wait_seconds: float = 30.0, poll_seconds: float = 0.5) -> dict[str, Any]:
    """File the demo filing once 吴刚 is known; return it (the existing one on a second run)."""
    deadline = time.monotonic() + wait_seconds
    stores = SqlStores(runtime)
    while True:
        existing = _already_filed(stores)
        if existing is not None:
            return existing
        with stores.reading() as store:
            known = store.person(WU_GANG) is not None
        if known:
            # begndate 2026-01-01 is in the past for any later run: the filing is a long-term one,
            # accepted as the bureau's record of a resettlement that started then.
            return filings.create_filing(stores, DEMO_FILING, DEMO_ACTOR, on=DEMO_FILING.begndate)
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
