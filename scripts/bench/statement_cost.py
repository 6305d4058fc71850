"""What one statement of a national call costs settlement's process: the same indexed lookup
(a person by psn_no, as every settlement makes) through medshared.hotsql's HotRead as the store
runs it, through SQLAlchemy's Session, through a Core Connection, and through psycopg alone with a
prepared statement. Client CPU only
(this process's time), the database's own work excluded; run in the benchmark's process against
settlement's database after the visit load.

    workloads.run_all:  results["statement_cost"] = statement_cost.run(system)
    report.write:       statement_cost.section(r.get("statement_cost"))
"""

from __future__ import annotations

import time
from typing import Any

N = 3000


def _per_call(run: Any) -> float:
    run()  # the first call prepares and warms what the rest reuse
    t0 = time.process_time()
    for _ in range(N):
        run()
    return round(1e6 * (time.process_time() - t0) / N, 1)


def run(system: Any) -> dict[str, Any]:
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import Session

    from medshared.db import make_engine
    from medshared.hotsql import HotRead
    from settlement.db import person

    engine = make_engine(system.database_urls["settlement"])
    try:
        with engine.connect() as conn:
            psn_no = conn.execute(select(person.c.psn_no).limit(1)).scalar()
        if psn_no is None:
            return {"missing": "settlement holds no person"}
        query = select(person).where(person.c.psn_no == bindparam("psn_no"))
        params = {"psn_no": psn_no}
        hot = HotRead(query)
        with Session(engine) as session:
            via_session = _per_call(lambda: session.execute(query, params).first())
            via_hot = _per_call(lambda: hot.first(session, params))
        with engine.connect() as conn:
            via_connection = _per_call(lambda: conn.execute(query, params).first())
            cursor = conn.connection.driver_connection.cursor()
            sql = f"SELECT {', '.join(c.name for c in person.c)} FROM person WHERE psn_no = %s"
            via_driver = _per_call(lambda: (cursor.execute(sql, (psn_no,), prepare=True), cursor.fetchone()))
    finally:
        engine.dispose()
    return {
        "hotread_us": via_hot,
        "session_us": via_session,
        "connection_us": via_connection,
        "psycopg_us": via_driver,
    }


def section(result: dict[str, Any] | None) -> list[str]:
    if not result or "missing" in result:
        return []
    hot = result.get("hotread_us")
    return [
        "## What one statement costs settlement's process",
        f"The same indexed lookup (a person by psn_no), {N:,} times, client CPU only: through medshared.hotsql's",
        f"HotRead as the store runs it **{hot} µs**, through SQLAlchemy's Session {result['session_us']} µs, through a",
        f"Core Connection {result['connection_us']} µs, through psycopg alone with a prepared statement and a",
        f"positional parameter {result['psycopg_us']} µs. On PostgreSQL a visit's five national calls run every",
        "statement through HotRead and HotWrite except the many-row inserts, through the Session: 2204's fee",
        "lines, and 2207's violations when fund supervision finds any (test_hot_statements.py holds the rest).",
        "",
    ]
