"""Start the stack on PostgreSQL, drive settlement load, inject faults, then count what survived."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stack import Stack

from chaos.load import PEOPLE, Hospital, Load, Tally, probe
from chaos.postgres import Postgres
from chaos.verify import Findings, check

CLEARING = f"/admin/v1/clearing/items?period={dt.date.today():%Y-%m}"
OPERATOR = {"x-operator-token": "dev-operator-token"}


@dataclass(frozen=True)
class Plan:
    warm_up: float  # load before the first fault
    broker_down: float
    service_down: float
    postgres_down: float
    settle: float  # load between faults
    services: tuple[str, ...]  # killed with SIGKILL in this order
    rounds: int = 1
    catch_up_timeout: float = 60.0
    broker_alone: bool = True  # also restart the broker while every service is up


# make test: every kind of fault once (remote-care's SIGKILL is part of the broker step).
SHORT = Plan(
    warm_up=2, broker_down=2, service_down=1, postgres_down=2, settle=2, services=("settlement",), broker_alone=False
)
FULL = Plan(
    warm_up=10,
    broker_down=10,
    service_down=3,
    postgres_down=8,
    settle=8,
    services=("settlement", "enrollment", "remote-care", "e-voucher"),
    rounds=2,
    catch_up_timeout=120,
)


@dataclass
class Result:
    plan: Plan
    tally: Tally
    findings: Findings
    faults: list[str] = field(default_factory=list)
    seconds: float = 0.0
    probes: list[int] = field(default_factory=list)  # HTTP statuses of REST reads while PostgreSQL was down


def run(var: Path, plan: Plan, say: Callable[[str], None] = print) -> Result:
    t0 = time.monotonic()
    pg = Postgres()
    stack: Stack | None = None
    try:
        stack = Stack(var=var, free_ports=True)
        stack.env_overrides = {f"{s.prefix}_DATABASE_URL": pg.database() for s in stack.services}
        say("starting the stack on PostgreSQL")
        stack.start(log=False)
        db = {s.directory: stack.env[f"{s.prefix}_DATABASE_URL"] for s in stack.services}
        _wait_until_people_arrived(stack.urls["settlement"])
        load = Load(stack.urls["settlement"])
        load.start()
        faults: list[str] = []
        probes: list[int] = []

        def pause(seconds: float) -> None:
            time.sleep(seconds)
            if load.tally.unclean:
                say(f"unclean answers so far: {load.tally.unclean[:3]}")

        pause(plan.warm_up)
        for round_no in range(1, plan.rounds + 1):
            if plan.broker_alone:
                say(f"round {round_no}: broker killed for {plan.broker_down:.0f}s (it restarts empty)")
                stack.stop_process("broker", kill=True)
                pause(plan.broker_down)
                stack.start_broker()
                faults.append("broker SIGKILL + restart (empty)")
                pause(plan.settle)
            for name in plan.services:
                service = next(s for s in stack.services if s.directory == name)
                say(f"round {round_no}: SIGKILL {name}")
                stack.stop_process(service.package, kill=True)
                pause(plan.service_down)
                stack.start_service(service)
                faults.append(f"{name} SIGKILL + restart")
                pause(plan.settle)
            say(f"round {round_no}: broker killed while remote-care is down")
            remote_care = next(s for s in stack.services if s.directory == "remote-care")
            stack.stop_process(remote_care.package, kill=True)
            pause(plan.settle)  # settlements it has not read pile up in the broker's memory
            stack.stop_process("broker", kill=True)
            pause(plan.broker_down)
            stack.start_broker()
            stack.start_service(remote_care)
            faults.append("remote-care SIGKILL, then broker SIGKILL + restart (empty), then remote-care restart")
            pause(plan.settle)
            say(f"round {round_no}: PostgreSQL crashed for {plan.postgres_down:.0f}s")
            pg.crash()
            pause(min(plan.postgres_down, 1.0))
            for s in stack.services:
                probes.append(probe(stack.urls[s.directory] + "/readyz", load.tally))
            probes.append(probe(stack.urls["remote-care"] + CLEARING, load.tally, OPERATOR))
            pause(max(plan.postgres_down - 1.0, 0))
            pg.start()
            faults.append("PostgreSQL immediate shutdown + restart")
            pause(plan.settle)
        say("stopping the load; waiting for the outbox to drain and consumers to catch up")
        load.stop()
        findings = check(load.tally, db, stack.urls["remote-care"], catch_up_timeout=plan.catch_up_timeout)
        return Result(plan, load.tally, findings, faults, time.monotonic() - t0, probes)
    finally:
        if stack is not None:
            stack.stop()
        pg.remove()


def _wait_until_people_arrived(settlement_url: str, timeout: float = 60) -> None:
    """The demo people reach settlement through enrollment's events; settle only once they have."""
    his = Hospital(settlement_url, "H11010000001", "110100", Tally(), give_up_after=10)
    his.sign_in()
    deadline = time.monotonic() + timeout
    for person in PEOPLE.values():
        while True:
            answer = his.call(
                "1101",
                {
                    "data": {
                        "mdtrt_cert_type": "02",
                        "mdtrt_cert_no": person["certno"],
                        "psn_cert_type": "01",
                        "certno": person["certno"],
                    }
                },
            )
            if answer and answer["infcode"] == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"settlement does not know {person['psn_no']} after {timeout}s")
            time.sleep(0.2)
