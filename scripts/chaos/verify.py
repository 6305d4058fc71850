"""After the faults: read every service's database and remote-care's clearing API, and count."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from chaos.load import Tally

# Which service reads which topic (each service's build_runtime(consumes=...)).
CONSUMERS = {
    "settlement": ["enrollment.people.v1", "remote_care.filings.v1"],
    "remote-care": ["enrollment.people.v1", "settlement.settlements.v1"],
    "e-voucher": ["enrollment.people.v1", "settlement.settlements.v1"],
}


@dataclass
class Findings:
    acknowledged: int = 0  # 2304 answers with infcode 0 the hospitals received
    stored: int = 0  # settlements in settlement's database
    lost: list[str] = field(default_factory=list)  # acknowledged but not stored (or stored differently)
    doubled: list[str] = field(default_factory=list)  # a visit or msgid settled more than once
    unacknowledged: int = 0  # stored, but the hospital gave up before hearing the answer
    retried_settlements: int = 0  # 2304 calls answered only after a retry with the same msgid
    out_of_area: int = 0
    clearing_missing: list[str] = field(default_factory=list)
    clearing_doubled: list[str] = field(default_factory=list)
    outbox_backlog: dict[str, int] = field(default_factory=dict)
    consumer_gaps: dict[str, int] = field(default_factory=dict)  # "topic -> service": events not in its inbox
    caught_up_seconds: float = 0.0

    @property
    def problems(self) -> list[str]:
        found = []
        for name in ("lost", "doubled", "clearing_missing", "clearing_doubled"):
            if getattr(self, name):
                found.append(f"{name}: {getattr(self, name)[:5]}")
        if any(self.outbox_backlog.values()):
            found.append(f"outbox not drained: {self.outbox_backlog}")
        if any(self.consumer_gaps.values()):
            found.append(f"consumers behind: {self.consumer_gaps}")
        return found


def _rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql)).all())
    finally:
        engine.dispose()


def _backlog_and_gaps(db: dict[str, str]) -> tuple[dict[str, int], dict[str, int]]:
    backlog = {
        s: _rows(url, "select count(*) from outbox_message where published_at is null")[0][0] for s, url in db.items()
    }
    published: dict[str, set[str]] = {}
    for url in db.values():
        for topic, event_id in _rows(url, "select topic, event_id from outbox_message"):
            published.setdefault(topic, set()).add(event_id)
    gaps = {}
    for service, topics in CONSUMERS.items():
        seen = {r[0] for r in _rows(db[service], "select event_id from inbox_message")}
        for topic in topics:
            gaps[f"{topic} -> {service}"] = len(published.get(topic, set()) - seen)
    return backlog, gaps


def wait_until_caught_up(db: dict[str, str], timeout: float) -> tuple[dict[str, int], dict[str, int], float]:
    """Nobody intervenes: the relays and consumers have to get there by themselves."""
    t0 = time.monotonic()
    while True:
        backlog, gaps = _backlog_and_gaps(db)
        if (not any(backlog.values()) and not any(gaps.values())) or time.monotonic() - t0 > timeout:
            return backlog, gaps, time.monotonic() - t0
        time.sleep(0.5)


def check(tally: Tally, db: dict[str, str], remote_care_url: str, *, catch_up_timeout: float) -> Findings:
    f = Findings()
    f.outbox_backlog, f.consumer_gaps, f.caught_up_seconds = wait_until_caught_up(db, catch_up_timeout)
    rows = _rows(
        db["settlement"], "select setl_id, mdtrt_id, medins_setl_id, pay_loc, infno, setl_time from settlement"
    )
    settlements = [r for r in rows if r.infno == "2304"]
    f.stored = len(settlements)
    by_msgid: dict[str, list[Any]] = {}
    by_visit: dict[str, list[Any]] = {}
    for r in settlements:
        by_msgid.setdefault(r.medins_setl_id, []).append(r)
        by_visit.setdefault(r.mdtrt_id, []).append(r)
    f.doubled = [f"msgid {m}" for m, rs in by_msgid.items() if len(rs) > 1]
    f.doubled += [f"visit {v}" for v, rs in by_visit.items() if len(rs) > 1]
    f.acknowledged = len(tally.settled)
    f.retried_settlements = sum(1 for s in tally.settled.values() if s["tries"] > 1)
    f.doubled += [f"msgid {m} answered differently on retry" for m in tally.replay_mismatches]
    for msgid, seen in tally.settled.items():
        stored = by_msgid.get(msgid, [])
        if [r.setl_id for r in stored] != [seen["setl_id"]]:
            f.lost.append(f"msgid {msgid} setl_id {seen['setl_id']}")
    f.unacknowledged = sum(1 for m in by_msgid if m not in tally.settled)
    away = {r.setl_id: r for r in settlements if r.pay_loc != "2"}
    f.out_of_area = len(away)
    cleared: list[str] = []
    for period in sorted({f"{r.setl_time:%Y-%m}" for r in away.values()} or {f"{dt.date.today():%Y-%m}"}):
        reply = httpx.get(
            remote_care_url + "/admin/v1/clearing/items",
            params={"period": period},
            headers={"x-operator-token": "dev-operator-token"},
            timeout=30,
        )
        reply.raise_for_status()
        cleared += [i["setl_id"] for i in reply.json()]
    f.clearing_missing = sorted(set(away) - set(cleared))
    f.clearing_doubled = sorted(s for s, n in Counter(cleared).items() if n > 1)
    return f
