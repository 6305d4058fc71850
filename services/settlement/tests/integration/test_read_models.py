"""The consumer keeps the newest snapshot and posts each account credit once, on both databases."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from support import WANGQIANG, enrollment_events

from medshared.db import make_engine, make_session_factory, transaction
from settlement import readmodels
from settlement.db import enrollment
from settlement.messaging import consumer


def test_older_snapshots_never_overwrite_newer_ones_and_credits_post_once(migrated_url):
    factory = make_session_factory(make_engine(migrated_url))
    suspended = enrollment_events(WANGQIANG, status="suspended", version=2)
    original = enrollment_events(WANGQIANG)
    credit = next(e for e in original if e.event_type == "AccountCredited")
    for event in [*suspended, *original, credit]:  # newer first, then the older ones and a redelivery
        with transaction(factory) as session:
            consumer.handle(session, event)
    with transaction(factory) as session:
        row = session.execute(select(enrollment).where(enrollment.c.psn_no == WANGQIANG)).one()
        assert (row.status, row.version) == ("suspended", 2)
        assert readmodels.balance(session, WANGQIANG) == Decimal("5000.00")


def test_migrations_downgrade_to_nothing_and_upgrade_again(migrated_url):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect
    from support import ALEMBIC_INI

    cfg = Config(str(ALEMBIC_INI))
    cfg.attributes["database_url"] = migrated_url
    command.downgrade(cfg, "base")
    engine = make_engine(migrated_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert "settlement" in inspect(engine).get_table_names()
    engine.dispose()


def test_an_identity_ending_on_a_date_covers_that_whole_day(migrated_url):
    import datetime as dt

    from medshared.events import Event

    factory = make_session_factory(make_engine(migrated_url))
    granted = Event(
        "IdentityGranted",
        WANGQIANG,
        {
            "identity": {
                "identity_id": "I1",
                "psn_no": WANGQIANG,
                "psn_idet_type": "2202",
                "psn_type_lv": None,
                "begntime": "2026-01-01",
                "endtime": "2026-12-31",
                "memo": "低保",
                "revoked": False,
                "version": 1,
            }
        },
        "enrollment",
    )
    with transaction(factory) as session:
        consumer.handle(session, granted)
    with transaction(factory) as session:
        assert readmodels.assistance_identity(session, WANGQIANG, dt.datetime(2026, 12, 31, 15, 0)) == "2202"
        assert readmodels.assistance_identity(session, WANGQIANG, dt.datetime(2027, 1, 1, 0, 0, 1)) is None
