"""One of uvicorn's workers runs the relay and the consumers; another takes over when it goes."""

import threading
import time

from medshared.runtime import BackgroundLease


def test_a_single_process_needs_no_lease():
    assert BackgroundLease.for_worker("settlement", "sqlite:///x.db") is None


def test_the_second_worker_waits_and_takes_over_when_the_first_lets_go(tmp_path):
    path = tmp_path / "settlement.lock"
    first, second = BackgroundLease(path), BackgroundLease(path)
    started: list[str] = []
    took_over = threading.Event()

    first.when_held(lambda: started.append("first"))
    second.when_held(lambda: (started.append("second"), took_over.set()), retry_seconds=0.05)
    time.sleep(0.3)
    assert started == ["first"]  # the lock is held: the second worker runs nothing yet

    first.release()  # the first worker stops (or dies: the kernel drops its lock)
    assert took_over.wait(5)
    assert started == ["first", "second"]
    second.release()


def test_a_worker_stopped_while_waiting_never_starts(tmp_path):
    path = tmp_path / "settlement.lock"
    holder, waiter = BackgroundLease(path), BackgroundLease(path)
    started: list[str] = []
    holder.when_held(lambda: started.append("holder"))
    waiter.when_held(lambda: started.append("waiter"), retry_seconds=0.05)
    waiter.release()
    holder.release()
    time.sleep(0.2)
    assert started == ["holder"]
