"""The figures of a fault run, as text and as the "Faults" section of docs/reliability.md."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from chaos.run import Result

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
HEADING = "## Faults"


def figures(r: Result) -> list[tuple[str, str]]:
    t, f = r.tally, r.findings
    transient = ", ".join(f"{k} {v}" for k, v in sorted(t.outcomes.items()) if k not in ("ok", "refused")) or "none"
    return [
        ("national calls (distinct msgids)", str(t.requests)),
        ("HTTP attempts, retries with the same msgid included", str(t.attempts)),
        ("calls answered only after a retry", str(t.retried_calls)),
        ("attempts met by the outage (kind: count)", transient),
        ("answers refused with infcode -1", str(t.outcomes["refused"])),
        ("faults injected", str(len(r.faults))),
        ("settlements acknowledged to hospitals (2304, infcode 0)", str(f.acknowledged)),
        ("of which answered after a retry with the same msgid", str(f.retried_settlements)),
        ("settlement answers dropped on arrival, then asked again with the same msgid", str(t.dropped_answers)),
        ("retries answered differently from the first answer", str(len(t.replay_mismatches))),
        ("settlements stored", str(f.stored)),
        ("stored but never acknowledged (hospital gave up)", str(f.unacknowledged)),
        ("calls the hospitals gave up on", str(t.gave_up)),
        ("acknowledged but lost", str(len(f.lost))),
        ("settled twice (same visit or same msgid)", str(len(f.doubled))),
        ("out-of-area settlements stored", str(f.out_of_area)),
        ("out-of-area settlements missing from remote-care clearing", str(len(f.clearing_missing))),
        ("out-of-area settlements in clearing more than once", str(len(f.clearing_doubled))),
        (
            "REST reads while PostgreSQL was down (status: count)",
            ", ".join(f"{c} {r.probes.count(c)}" for c in sorted(set(r.probes))) or "none",
        ),
        ("bare 500s, stack traces or unreadable answers", str(len(t.unclean))),
        ("outbox rows left unpublished", str(sum(f.outbox_backlog.values()))),
        ("events not applied by a consumer", str(sum(f.consumer_gaps.values()))),
        ("seconds until every outbox drained and every consumer caught up", f"{f.caught_up_seconds:.1f}"),
    ]


def summary(r: Result) -> str:
    lines = [f"{len(r.faults)} faults in {r.seconds:.0f}s:", *(f"  - {x}" for x in r.faults)]
    lines += [f"{name}: {value}" for name, value in figures(r)]
    if r.tally.refusals:
        lines.append("infcode -1 answers: " + "; ".join(f"{n} x {m}" for m, n in r.tally.refusals.most_common(5)))
    return "\n".join(lines)


def section(r: Result) -> str:
    p = r.plan
    rows = "\n".join(f"| {name} | {value} |" for name, value in figures(r))
    faults = "\n".join(f"{i}. {x}" for i, x in enumerate(r.faults, 1))
    refusals = "; ".join(f'{n} x "{m}"' for m, n in r.tally.refusals.most_common(5)) or "none"
    return f"""{HEADING}

`make chaos` (rerun it to refresh this section) starts the four services, the embedded broker
and one PostgreSQL server, loads the demo data, and has two hospitals settle inpatient stays
without pause (2401, 2301, 2402, 2304): 北京 H11010000001 for the out-of-area 周敏 and 吴刚
(岳阳 430600), 拉萨 H54010000001 for the local 扎西. A call that times out, loses its
connection or meets a 503/429 is sent again with the same msgid and body, as the national
spec tells an HIS to; one settlement answer in five is thrown away on arrival (a line that
breaks after the commit) and asked for again with the same msgid.
Meanwhile, {p.rounds} round(s) of: the broker is SIGKILLed for
{p.broker_down:.0f} s and comes back empty; {", ".join(p.services)} are SIGKILLed in turn
({p.service_down:.0f} s down each); remote-care is SIGKILLed and, while it is down, the broker
too (so events it had not read are lost from the broker); PostgreSQL is shut down immediately
for {p.postgres_down:.0f} s while every service's `/readyz` and remote-care's clearing items are read.
Afterwards the run reads settlement's table and every outbox and inbox, and asks remote-care
for the month's clearing items (`GET /admin/v1/clearing/items`). `make test` runs a short
version of the same plan (tests/e2e/test_faults.py).

Last run: {dt.date.today()}, {r.seconds:.0f} s, faults in order:

{faults}

| figure | value |
|---|---|
{rows}

Refusals (infcode -1) seen by the hospitals: {refusals}.

How the platform holds up:
- The settlement, its outbox event and the stored answer commit in one transaction, so a
  retry with the same msgid after a lost answer gets the original answer, not a second
  settlement.
- A database that is gone answers 503 with a reason (REST and the national door alike);
  a service that is down refuses the connection; the HIS retries with the same msgid.
- The embedded broker keeps nothing across a restart. Each outbox relay keeps a marker
  topic beside each topic it publishes; when the marker is missing it sends the last hour of
  published rows again. Each consumer notes the id of every topic it reads; a topic created
  again (new id) is read from its start instead of from the offsets held from before.
  Inboxes make every repeat harmless. A consumer that stays down for more than that hour
  while the broker also restarts empty misses what it had not read: with a durable Kafka
  cluster (the deployment at scale) the question does not arise.
- PostgreSQL must keep `synchronous_commit` on (its default). A first run on the test
  server's settings (`synchronous_commit=off`) lost one settlement in the crash after its
  answer had reached the hospital.
- Relays and consumers back off and reconnect by themselves after broker and database
  outages; nothing was restarted by hand.
"""


def write_section(r: Result) -> None:
    """Replace only the Faults section; the rest of the file belongs to others."""
    text = DOC.read_text() if DOC.exists() else "# Reliability\n"
    new = section(r)
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", re.DOTALL | re.MULTILINE)
    if pattern.search(text):
        text = pattern.sub(lambda _m: new + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + new
    DOC.write_text(text)
