"""The whole system on one machine: embedded broker, every service, the demo dataset.

Used by `make run` (fixed ports, var/) and by the end-to-end tests (free ports, a
temporary directory), so both exercise exactly the same start-up path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from medshared import broker
from medshared.db import upgrade

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Service:
    directory: str
    package: str
    prefix: str
    default_port: int

    @property
    def path(self) -> Path:
        return ROOT / "services" / self.directory


# Dependency order: policies and people first, then what reads them.
SERVICES = [
    Service("settlement", "settlement", "SETTLEMENT", 8002),
    Service("enrollment", "enrollment", "ENROLLMENT", 8001),
    Service("remote-care", "remote_care", "REMOTE_CARE", 8003),
    Service("e-voucher", "evoucher", "EVOUCHER", 8004),
]


# What each service's consumer reads (group "<service>-consumer", medshared.runtime.build_runtime).
# Ready waits until every one of them has applied every event published on these topics.
CONSUMES = {
    "settlement": ("enrollment.people.v1", "remote_care.filings.v1"),
    "remote-care": ("enrollment.people.v1", "settlement.settlements.v1"),
    "e-voucher": ("enrollment.people.v1", "settlement.settlements.v1"),
}
_BACKLOG = re.compile(r"^outbox_backlog(?:\{\})? ([0-9.e+]+)$", re.MULTILINE)


def present() -> list[Service]:
    return [s for s in SERVICES if (s.path / "pyproject.toml").exists()]


@dataclass
class Stack:
    var: Path
    free_ports: bool = False
    env_overrides: dict[str, str] = field(default_factory=dict)
    services: list[Service] = field(default_factory=present)
    urls: dict[str, str] = field(default_factory=dict)
    bootstrap: str = ""
    broker_port: int = 0
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    # uvicorn worker processes per service directory (1 when absent); one of them runs the
    # relay and the consumers (medshared.runtime.BackgroundLease).
    workers: dict[str, int] = field(default_factory=dict)

    def _port(self, name: str, default: int) -> int:
        if self.free_ports:
            return broker.free_port()
        return int(os.environ.get(name, default))

    def start(self, *, demo: bool = True, log: bool = True, ready_timeout: float = 120.0) -> None:
        self.var.mkdir(parents=True, exist_ok=True)
        say = print if log else (lambda *_a, **_k: None)
        self.bootstrap = "" if self.free_ports else os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        if not self.bootstrap:
            self.broker_port = self._port("BROKER_PORT", 9092)
            say(f"starting the embedded Kafka-protocol broker (Tansu) on 127.0.0.1:{self.broker_port}")
            self.start_broker()
            self.bootstrap = f"127.0.0.1:{self.broker_port}"
        env = {k: v for k, v in os.environ.items() if not self.free_ports or not k.endswith(("_DATABASE_URL", "_PORT"))}
        env["KAFKA_BOOTSTRAP_SERVERS"] = self.bootstrap
        # Two malloc arenas per process instead of glibc's eight per core: a service's worker threads
        # otherwise each keep freed memory in an arena of their own (docs/sizing.md).
        env.setdefault("MALLOC_ARENA_MAX", "2")
        ports = {s.directory: self._port(f"{s.prefix}_PORT", s.default_port) for s in self.services}
        self.urls = {d: f"http://127.0.0.1:{p}" for d, p in ports.items()}
        for s in self.services:
            env.setdefault(f"{s.prefix}_DATABASE_URL", f"sqlite:///{self.var / (s.package + '.db')}")
        for s in self.services:
            for other in self.services:
                env.setdefault(f"{s.prefix}_{other.prefix}_URL", self.urls[other.directory])
        if "e-voucher" in self.urls and "EVOUCHER_WECHAT_BASE_URL" not in env:
            stub_port = self._port("WECHAT_STUB_PORT", 8009)
            self._spawn(
                "wechat-stub",
                [
                    "-m",
                    "uvicorn",
                    "--factory",
                    "evoucher.devtools.wechat_stub:app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(stub_port),
                ],
                env,
            )
            env["EVOUCHER_WECHAT_BASE_URL"] = f"http://127.0.0.1:{stub_port}"
            self.urls["wechat-stub"] = env["EVOUCHER_WECHAT_BASE_URL"]
        env.update(self.env_overrides)
        self.env = env
        for s in self.services:
            say(f"migrating {s.directory}")
            upgrade(s.path / "alembic.ini", env[f"{s.prefix}_DATABASE_URL"])
        for s in self.services:
            self.start_service(s)
        if demo:
            for s in self.services:
                if (s.path / s.package / "demo.py").exists():
                    say(f"loading the demo dataset into {s.directory}")
                    subprocess.run([sys.executable, "-m", f"{s.package}.demo"], env=env, check=True, cwd=s.path)
            say("waiting until every consumer has applied the demo events")
            self.wait_until_caught_up(ready_timeout)

    def wait_until_caught_up(self, timeout: float = 120.0) -> None:
        """Every event committed so far is published, and applied by every consumer that reads it.

        Two facts, both read from outside the services: each outbox is empty (`outbox_backlog`
        on /metrics), then each consumer group's committed offsets have reached the end of every
        partition it reads. A consumer commits only after its database commit, so from then on
        settlement knows every demo person, identity and filing (and e-voucher and remote-care
        every person): a settlement in the first second follows the rules.
        """
        deadline = time.monotonic() + timeout
        waiting = "the outboxes"
        while time.monotonic() < deadline:
            behind = self.unpublished() or self.unapplied()
            if not behind:
                return
            waiting = ", ".join(behind)
            time.sleep(0.25)
        raise RuntimeError(f"not ready after {timeout:.0f} s: still waiting for {waiting}")

    def unpublished(self) -> list[str]:
        """Services whose outbox still holds events the relay has not published."""
        pending = []
        for s in self.services:
            try:
                match = _BACKLOG.search(httpx.get(self.urls[s.directory] + "/metrics", timeout=5).text)
            except httpx.HTTPError:
                match = None
            if match is None or float(match.group(1)) > 0:
                pending.append(f"the {s.directory} outbox")
        return pending

    def unapplied(self) -> list[str]:
        """Consumer groups (and topics) whose committed offsets are short of the end of a partition."""
        from kafka import KafkaConsumer, TopicPartition

        running = {s.directory for s in self.services}
        reader = KafkaConsumer(bootstrap_servers=self.bootstrap, request_timeout_ms=10000)
        admin = broker.admin(self.bootstrap)
        try:
            behind = []
            for service, topics in CONSUMES.items():
                if service not in running:
                    continue
                partitions = [
                    TopicPartition(topic, p)
                    for topic in topics
                    for p in sorted(reader.partitions_for_topic(topic) or ())
                ]
                ends = reader.end_offsets(partitions) if partitions else {}
                group = f"{service}-consumer"
                committed = admin.list_group_offsets({group: partitions}).get(group, {}) if partitions else {}
                for tp in partitions:
                    done = committed.get(tp)
                    offset = done.offset if done is not None and done.offset >= 0 else 0
                    if offset < ends.get(tp, 0):
                        behind.append(f"{service} on {tp.topic}")
            return sorted(set(behind))
        finally:
            reader.close()
            admin.close()

    def start_broker(self) -> None:
        self.children["broker"] = broker.start_embedded_broker(self.broker_port, log_file=str(self.var / "broker.log"))

    def stop_process(self, name: str, *, kill: bool = False) -> None:
        proc = self.children.pop(name)
        if kill:
            proc.kill()
        else:
            proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def start_service(self, s: Service) -> None:
        port = self.urls[s.directory].rsplit(":", 1)[1]
        proc = self._spawn(
            s.package,
            [
                "-m",
                "uvicorn",
                "--factory",
                f"{s.package}.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                port,
                "--log-level",
                "warning",
            ]
            + (["--workers", str(self.workers[s.directory])] if self.workers.get(s.directory, 1) > 1 else []),
            self.env,
        )
        self._wait_healthy(s, proc)

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.var / f"{name}.log", "ab")  # noqa: SIM115 - lives as long as the child
        proc = subprocess.Popen([sys.executable, *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.children[name] = proc
        return proc

    def _wait_healthy(self, s: Service, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
        url = self.urls[s.directory] + "/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{s.directory} exited with {proc.returncode}; see {self.var / (s.package + '.log')}"
                )
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{s.directory} did not become healthy at {url}")

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.children.values())

    def stop(self) -> None:
        for name in reversed(list(self.children)):
            self.stop_process(name)
