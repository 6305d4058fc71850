"""Event lag: from a settlement's occurred_at (stamped inside the settling transaction) to its
receipt by an independent consumer of settlement.settlements.v1, read while the visit load runs."""

from __future__ import annotations

import datetime as dt
import threading
import time

from kafka import KafkaConsumer, TopicPartition

from medshared import broker, jsonutil

TOPIC = "settlement.settlements.v1"


class LagProbe:
    def __init__(self, bootstrap: str) -> None:
        # Fetching as the services' own consumers do while events flow (medshared.broker), so the lag is theirs.
        self._consumer = KafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            group_id=None,
            fetch_max_wait_ms=broker.FETCH_MAX_WAIT_MS,
        )
        partitions = [TopicPartition(TOPIC, p) for p in sorted(self._consumer.partitions_for_topic(TOPIC) or ())]
        self._consumer.assign(partitions)
        self._consumer.seek_to_end(*partitions)
        for tp in partitions:
            self._consumer.position(tp)
        self._stop = threading.Event()
        self._lags: list[float] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="lag-probe", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for records in self._consumer.poll(timeout_ms=100).values():
                received = time.time()
                for record in records:
                    event = jsonutil.loads(record.value)
                    if event.get("event_type") != "VisitSettled":
                        continue
                    occurred = dt.datetime.fromisoformat(str(event["occurred_at"])).timestamp()
                    with self._lock:
                        self._lags.append(received - occurred)

    def take(self) -> list[float]:
        """The lags seen since the last take (seconds)."""
        with self._lock:
            lags, self._lags = self._lags, []
        return lags

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._consumer.close()
