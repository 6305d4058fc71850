"""A national call's statements on PostgreSQL run through medshared.hotsql, not SQLAlchemy's
Session: the statement layer was the largest share of a call's CPU (docs/performance.md)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event
from support import ZHUOMA, line, open_outpatient, settle_input

SKIP = ("BEGIN", "SAVEPOINT", "RELEASE")


def _what(sql: str) -> str:
    """ "SELECT item_mapping", "INSERT fee_line": the verb and the table a statement names."""
    verb = sql.split(None, 1)[0]
    table = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", sql)
    return f"{verb} {table.group(1) if table else '?'}"


def test_a_visit_on_postgresql_runs_almost_nothing_through_the_session(client, clinic):
    engine = client.app.state.runtime.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("on SQLite every statement runs through the session, by design")
    his = clinic
    ran: list[str] = []

    def ran_listener(*args):  # type: ignore[no-untyped-def]
        ran.append(args[2])

    event.listen(engine, "before_cursor_execute", ran_listener)

    def through_session(call):  # type: ignore[no-untyped-def]
        ran.clear()
        answer = call()
        # A published version's body is read once per process (reference._parsed_version).
        return answer, [sql for sql in ran if not sql.startswith(SKIP) and not re.match(r"SELECT \w+\.body\s", sql)]

    mdtrt_id, in_2201 = through_session(lambda: open_outpatient(his, ZHUOMA))
    fees = {"feedetail": [line("1", "002501010010000", "1", "10", mdtrt_id, ZHUOMA)]}
    _, in_2204 = through_session(lambda: his.ok("2204", fees, insuplc="540100"))
    trial, in_2206 = through_session(lambda: his.ok("2206", settle_input(ZHUOMA, mdtrt_id, "10"), insuplc="540100"))
    final, in_2207 = through_session(lambda: his.ok("2207", settle_input(ZHUOMA, mdtrt_id, "10"), insuplc="540100"))
    event.remove(engine, "before_cursor_execute", ran_listener)

    # 2201 and 2203 (inside open_outpatient): the gateway's read, the nonce, the person, the
    # enrollments, the visit and the call log all run on the driver.
    assert in_2201 == []
    # 2204 inserts its lines through the session (one executemany); its item mappings are read
    # with the codes as one array parameter on the driver. 2207 marks its lines the same way, and
    # the person's first accumulator row of the year is an insert-or-nothing there, no savepoint.
    assert [_what(sql) for sql in in_2204] == ["INSERT fee_line"]
    assert [_what(sql) for sql in in_2206] == []
    assert in_2207 == []
    assert trial["setlinfo"]["medfee_sumamt"] == final["setlinfo"]["medfee_sumamt"] == 10
