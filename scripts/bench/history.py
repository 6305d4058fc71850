"""Years of settlements already stored: settlement's tables topped up to a size, so settle
latency can be compared between a young database and one holding ten million settlements.

Each stored settlement is a copy of a real one the visit load produced (its visit, the
settlement with its setlinfo and setldetail, one fee line, the stored 2207 answer), given new
keys and spread over a million other people, written by PostgreSQL itself (INSERT ... SELECT
over generate_series) in chunks of a million, then vacuumed, analysed and checkpointed.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Table, create_engine, text

CHUNK = 1_000_000
PEOPLE = 1_000_000


def _key(prefix: str) -> str:
    return f"'{prefix}' || lpad(g::text, 28, '0')"


def _copy(table: Table, where: str, overrides: dict[str, str]) -> str:
    """INSERT INTO table SELECT <every column, some replaced> FROM the template row x generate_series."""
    names = [c.name for c in table.c if not (c.primary_key and c.name == "id")]  # serial ids number themselves
    values = [overrides.get(n, f't."{n}"') for n in names]
    return (
        f'INSERT INTO "{table.name}" ({", ".join(chr(34) + n + chr(34) for n in names)}) '
        f'SELECT {", ".join(values)} FROM "{table.name}" t CROSS JOIN generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint)) g WHERE {where}'
    )


def stored(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("select count(*) from settlement")).scalar_one())
    finally:
        engine.dispose()


def fill(database_url: str, target: int, say: Callable[[str], None] = print) -> dict[str, float]:
    """Add copies until `target` settlements are stored; returns how many were added and how long it took."""
    from settlement.db import fee_line, message_log, settlement, visit

    person = f"'HP' || lpad((g % {PEOPLE})::text, 18, '0')"
    statements = [
        _copy(visit, "t.mdtrt_id = :mdtrt_id", {"mdtrt_id": _key("HV"), "psn_no": person}),
        _copy(
            settlement,
            "t.setl_id = :setl_id",
            {
                "setl_id": _key("HS"),
                "mdtrt_id": _key("HV"),
                "psn_no": person,
                "medins_setl_id": _key("HM"),
                "reversed_by": "NULL",
                "init_setl_id": "NULL",
            },
        ),
        _copy(fee_line, "t.id = :fee_id", {"mdtrt_id": _key("HV"), "setl_id": _key("HS"), "feedetl_sn": _key("HF")}),
        _copy(
            message_log,
            "t.sender = :sender AND t.msgid = :msgid",
            {"sender": "'HISTORY'", "msgid": _key("HM"), "psn_no": person, "ref_id": _key("HS")},
        ),
    ]
    engine = create_engine(database_url)
    t0 = time.monotonic()
    added = 0
    try:
        with engine.connect() as conn:
            have = int(conn.execute(text("select count(*) from settlement")).scalar_one())
            template = conn.execute(
                text(
                    "select s.setl_id, s.mdtrt_id, f.id as fee_id, m.sender, m.msgid from settlement s "
                    "join fee_line f on f.setl_id = s.setl_id join message_log m on m.ref_id = s.setl_id "
                    "where s.init_setl_id is null and s.reversed_by is null and s.setl_id not like 'HS%' limit 1"
                )
            ).one()
            first = int(conn.execute(text("select count(*) from settlement where setl_id like 'HS%'")).scalar_one())
        while have + added < target:
            lo = first + added
            hi = lo + min(CHUNK, target - have - added) - 1
            params = {"lo": lo, "hi": hi, **template._mapping}
            with engine.begin() as conn:
                for statement in statements:
                    conn.execute(text(statement), params)
            added += hi - lo + 1
            say(f"settlement history: {have + added:,} settlements stored")
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))  # write the fill out now, not during the measurement
    finally:
        engine.dispose()
    return {"added": added, "seconds": round(time.monotonic() - t0, 1)}


def wait_until_quiet(database_url: str, say: Callable[[str], None] = print, timeout: float = 900) -> float:
    """Wait until no autovacuum worker runs (a fill this size wakes them): seconds waited."""
    engine = create_engine(database_url)
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < timeout:
            with engine.connect() as conn:
                busy = conn.execute(
                    text("select count(*) from pg_stat_activity where backend_type = 'autovacuum worker'")
                ).scalar_one()
            if not busy:
                break
            say(f"settlement history: waiting for {busy} autovacuum worker(s)")
            time.sleep(10)
    finally:
        engine.dispose()
    return round(time.monotonic() - t0, 1)


def blocks(database_url: str) -> tuple[int, int]:
    """The database's shared blocks found in PostgreSQL's buffers and read from outside them, so far."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            hit, read = conn.execute(
                text("select blks_hit, blks_read from pg_stat_database where datname = current_database()")
            ).one()
    finally:
        engine.dispose()
    return int(hit), int(read)
