"""What a national call of the visit chain does in settlement's own code, counted: the Python and C
function calls its front door makes, per transaction. A count is work done, so, unlike CPU time, the
machine's noise does not move it; it is the figure to compare a change by when the host's speed
wanders from run to run (docs/performance.md). Run in the benchmark's process after the visit load:
settlement's app is built in process on the service's own PostgreSQL database and its front door
called directly with signed envelopes, as the hospitals' calls arrive over HTTP. Its relay and
consumers are not started; the running service's relay publishes what these visits stage.

    workloads.run_all:  results["call_count"] = call_count.run(settlement_database_url, hospitals, people)
    report.write:       call_count.section(r.get("call_count"))
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable
from typing import Any

from bench import his
from medshared import jsonutil

VISITS = 20
WARM = 5  # visits first made and not counted: they warm what every call reuses
CHAIN = ("2201", "2203", "2204", "2206", "2207")
RUN = 9_000  # the msgid clock of its own (his.MsgIds): never meets a load run's msgids


class _Counted:
    """A profile hook for the calling thread: counts call events while a door call runs."""

    def __init__(self) -> None:
        self.calls = 0

    def hook(self, _frame: Any, event: str, _arg: Any) -> None:
        if event in ("call", "c_call"):
            self.calls += 1

    def around(self, call: Callable[[], Any]) -> tuple[Any, int]:
        before = self.calls
        sys.setprofile(self.hook)
        try:
            answer = call()
        finally:
            sys.setprofile(None)
        return answer, self.calls - before


def run(
    database_url: str,
    hospitals: list[his.Hospital],
    people: list[his.Person],
    *,
    visits: int = VISITS,
    warm: int = WARM,
) -> dict[str, Any]:
    from settlement.config import Settings
    from settlement.main import create_app

    local = [p for p in people if p.pool == hospitals[0].admdvs]  # out-of-area settling asks remote-care
    app = create_app(Settings(database_url=database_url))
    runtime, door = app.state.runtime, app.state.front_door
    msgids, sign_no = his.MsgIds(RUN), {}
    counted, by_infno, calls = _Counted(), Counter[str](), Counter[str]()

    def call(hospital: his.Hospital, infno: str, input_: dict[str, Any], pool: str = "", count: bool = True) -> Any:
        body = his.envelope(
            hospital, infno, msgids.next(hospital.code), input_, sign_no=sign_no.get(hospital.code, ""), insuplc=pool
        )
        raw, headers = his.encode(body, hospital)
        (status, answer), made = counted.around(lambda: door.call(headers, raw))
        if status != 200 or answer.get("infcode") != 0:
            raise RuntimeError(f"{infno} answered {status}: {jsonutil.dumps(answer)[:300]}")
        if count:
            by_infno[infno] += made
            calls[infno] += 1
        return answer["output"]

    try:
        for hospital in hospitals:
            sign_no[hospital.code] = call(hospital, "9001", his.sign_in_input(), count=False)["signinoutb"]["sign_no"]
        for n in range(warm + visits):
            hospital, p = hospitals[n % len(hospitals)], local[-1 - n % len(local)]
            counts = n >= warm
            registered = call(hospital, "2201", his.register_input(p, f"CC{n}"), p.pool, counts)
            mdtrt_id = str(registered["data"]["mdtrt_id"])
            call(hospital, "2203", his.visit_info_input(p, mdtrt_id), p.pool, counts)
            call(hospital, "2204", his.fees_input(p, mdtrt_id), p.pool, counts)
            call(hospital, "2206", his.settle_input(p, mdtrt_id), p.pool, counts)
            call(hospital, "2207", his.settle_input(p, mdtrt_id), p.pool, counts)
    finally:
        runtime.engine.dispose()
    per_infno = {infno: round(by_infno[infno] / calls[infno]) for infno in CHAIN}
    return {
        "visits": visits,
        "per_infno": per_infno,
        "per_call": round(sum(by_infno.values()) / sum(calls.values())),
        "per_visit": sum(per_infno.values()),
    }


def section(result: dict[str, Any] | None) -> list[str]:
    if not result or "per_call" not in result:
        return []
    cells = " | ".join(f"{result['per_infno'][infno]:,}" for infno in CHAIN)
    return [
        "## What a national call does in settlement's code (function calls, counted)",
        f"Python and C function calls of settlement's front door per national call, over {result['visits']} visits",
        "of the chain called in process on the service's own database (`scripts/bench/call_count.py`). A count",
        "is work done: unlike CPU time, the machine's noise does not move it, so it compares changes from run",
        "to run. The HTTP stack around the door (uvicorn, middleware, routing) is not in it.",
        "",
        f"| per call | per visit | {' | '.join(CHAIN)} |",
        "|---:|---:|" + "---:|" * len(CHAIN),
        f"| {result['per_call']:,} | {result['per_visit']:,} | {cells} |",
        "",
    ]
