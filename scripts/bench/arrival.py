"""When imported people have reached the read models that make them settleable.

A person counts as arrived in a service once its read model holds both the person and an
enrollment of theirs (settlement can settle them; the phone can activate a voucher). The probe
looks people up by certificate number through the index, oldest first, a chunk at a time, and
forgets whoever it has found: over a whole import it costs about one index lookup per person,
whatever the tables already hold. (Counting both tables every 100 ms on a fresh backend, as the
bench once did, reads every stored row per poll: a cost that grew with everyone imported before,
charged to the PostgreSQL CPU of the very consumers being timed.)

    imports.run, workloads.population, workloads.import_scaling:
        Arrival(system, certnos).wait(t0, timeout) -> {service: seconds since t0}
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import create_engine, text

# Per service: its person table, and the table of enrollments by psn_no. Two lookups by index, one
# per table: as one join, the planner would at times hash the whole enrollment table (0.5 s a probe).
TABLES = {"settlement": ("person", "enrollment"), "e-voucher": ("person", "person_enrollment")}


def take_arrived(queue: deque[str], lookup: Callable[[list[str]], set[str]], chunk: int) -> int:
    """Take found people off the front of the queue until a chunk has someone not there yet.

    Returns how many lookups it made. Whoever is not there yet goes to the back and is looked
    at again once everyone before them has been found.
    """
    lookups = 0
    while queue:
        head = [queue[i] for i in range(min(chunk, len(queue)))]
        found = lookup(head)
        lookups += 1
        if not found:
            return lookups
        for _ in range(len(head)):
            c = queue.popleft()
            if c not in found:
                queue.append(c)
        if len(found) < len(head):
            return lookups
    return lookups


class Arrival:
    def __init__(
        self,
        system: Any,
        certnos: Iterable[str],
        services: Iterable[str] = ("settlement", "e-voucher"),
        chunk: int = 500,
    ) -> None:
        wanted = list(dict.fromkeys(certnos))
        self._chunk = chunk
        self._missing = {s: deque(wanted) for s in services}
        # One connection each, in autocommit: every probe sees the latest commits and holds no
        # snapshot that would keep vacuum from cleaning up behind the consumers.
        self._engines = {s: create_engine(system.database_urls[s], isolation_level="AUTOCOMMIT") for s in services}
        self._conns = {s: e.connect() for s, e in self._engines.items()}

    def _probe(self, service: str) -> None:
        conn, (people, enrollments) = self._conns[service], TABLES[service]

        def lookup(head: list[str]) -> set[str]:
            found = conn.execute(text(f"select certno, psn_no from {people} where certno = any(:c)"), {"c": head})
            psn = dict(found.tuples().all())
            if not psn:
                return set()
            q = text(f"select distinct psn_no from {enrollments} where psn_no = any(:p)")
            enrolled = set(conn.execute(q, {"p": list(psn.values())}).scalars())
            return {c for c, p in psn.items() if p in enrolled}

        take_arrived(self._missing[service], lookup, self._chunk)

    def wait(self, t0: float, timeout: float, interval: float = 0.1) -> dict[str, float]:
        """Seconds from t0 until each service held everyone (a service that never did is absent)."""
        reached: dict[str, float] = {}
        try:
            while len(reached) < len(self._missing) and time.monotonic() - t0 < timeout:
                for service in self._missing:
                    if service not in reached:
                        self._probe(service)
                        if not self._missing[service]:
                            reached[service] = time.monotonic() - t0
                if len(reached) < len(self._missing):
                    time.sleep(interval)
        finally:
            self.close()
        return reached

    def close(self) -> None:
        for conn in self._conns.values():
            conn.close()
        for engine in self._engines.values():
            engine.dispose()
        self._conns = {}
