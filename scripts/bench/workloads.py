"""Each workload: generate its data, run it `repeats` times at each concurrency with the ceiling
(GET /healthz of the same service, same client, same concurrency) measured right before it."""

from __future__ import annotations

import datetime as dt
import math
import os
import signal
import time
from pathlib import Path
from typing import Any

import httpx

from bench import (
    call_count,
    catalogues,
    clearing,
    his,
    history,
    imports,
    machine,
    people,
    pharmacy,
    profiling,
    statement_cost,
    statements,
    supervision,
)
from bench.arrival import Arrival
from bench.config import Plan
from bench.lag import LagProbe
from bench.runner import drive, observe
from bench.stats import median, summary_ms
from bench.system import HOSPITALS, System

YEAR = dt.date.today().year
OPERATOR = {"x-operator-token": "dev-operator-token"}


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Memory:
    """Highest RSS seen per service, sampled after every measured run."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.peak: dict[str, float] = {}

    def sample(self) -> None:
        for service in self.system.services():
            rss = machine.rss_mb(self.system.pid(service))
            self.peak[service] = max(rss, self.peak.get(service, 0.0))


def _hospitals() -> list[dict[str, str]]:
    return [{"code": h.code, "admdvs": h.admdvs} for h in HOSPITALS]


def import_csv(system: System, body: bytes) -> dict[str, Any]:
    answer = httpx.post(
        system.url("enrollment") + "/admin/v1/imports",
        content=body,
        headers={"content-type": "text/csv", **OPERATOR},
        timeout=3600,
    )
    answer.raise_for_status()
    return dict(answer.json())


def population(system: System, plan: Plan) -> tuple[list[dict[str, str]], dict[str, float]]:
    """Residents for the visit load: 80% of 拉萨, 20% of 宿州 (treated in 拉萨: cross-province).

    Also times how long the people take to become settleable: the import commits at once, then
    settlement learns each person from enrollment's events through its consumer.
    """
    local = plan.visit_people * 4 // 5
    certnos = [people.certno("540100", i) for i in range(local)] + [
        people.certno("341300", i) for i in range(plan.visit_people - local)
    ]
    arrival = Arrival(system, certnos, services=("settlement",))
    t0 = time.monotonic()
    import_csv(system, people.csv_rows("540100", 0, local, YEAR))
    import_csv(system, people.csv_rows("341300", 0, plan.visit_people - local, YEAR))
    imported = time.monotonic() - t0
    arrival.wait(t0, timeout=1200)
    settleable = time.monotonic() - t0
    resolved = drive("resolve", url=system.url("settlement"), hospitals=_hospitals()[:1], certnos=certnos, timeout=1200)
    if resolved["missing"]:
        raise RuntimeError(f"settlement never learned {resolved['missing']} imported people")
    timing = {
        "people": plan.visit_people,
        "import_seconds": round(imported, 1),
        "settleable_seconds": round(settleable, 1),
    }
    return list(resolved["people"]), timing


def cpu_per_call(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median over runs of the CPU each process spent per call and per unit of work (a visit, a
    request) in the measured window: the service's processes ("service"), the PostgreSQL backends of
    its database ("postgresql"), the load generator ("client"); and the load generator's share of a core."""
    windows = [r.get("cpu") or {} for r in runs]

    def med(field: str) -> dict[str, float]:
        names = {k for w in windows for k in w.get(field, {})}
        return {k: median([w[field][k] for w in windows if w.get(field, {}).get(k) is not None]) for k in sorted(names)}

    per_call = med("ms_per_call")
    if "service" in per_call and "postgresql" in per_call:
        per_call["service+postgresql"] = per_call["service"] + per_call["postgresql"]
    per_unit = med("ms_per_unit")
    if "service" in per_unit and "postgresql" in per_unit:
        per_unit["service+postgresql"] = per_unit["service"] + per_unit["postgresql"]
    shares = [w["client_share"] for w in windows if w.get("client_share") is not None]
    return {
        "ms_per_call": per_call,
        "ms_per_unit": per_unit,
        "client_share": median(shares),
        "calls": sum(w.get("calls", 0) for w in windows),
    }


def _level(runs: list[dict[str, Any]], ceilings: list[dict[str, Any]]) -> dict[str, Any]:
    throughput = median([r["throughput"] for r in runs])
    ceiling = median([c["throughput"] for c in ceilings])
    calls = {name for r in runs for name in r["latency_ms"]}
    return {
        "cpu": cpu_per_call(runs),
        "ceiling_cpu": cpu_per_call(ceilings),
        "throughput": throughput,
        "ceiling": ceiling,
        "ratio": throughput / ceiling if ceiling else math.nan,
        "errors": sum(r["errors"] for r in runs),
        "error_messages": [m for r in runs for m in r["error_messages"]][:3],
        "all_calls_ms": {p: median([r["all_calls_ms"][p] for r in runs]) for p in ("p50", "p90", "p99")},
        "ceiling_ms": {p: median([c["all_calls_ms"][p] for c in ceilings]) for p in ("p50", "p90", "p99")},
        "per_call_ms": {
            name: {
                p: median([r["latency_ms"][name][p] for r in runs if name in r["latency_ms"]])
                for p in ("p50", "p90", "p99")
            }
            for name in sorted(calls)
        },
        "runs": [r["throughput"] for r in runs],
    }


def visit_load(system: System, plan: Plan, population_: list[dict[str, str]], memory: Memory) -> dict[str, Any]:
    probe = LagProbe(system.stack.bootstrap if system.stack else "")
    raw: dict[int, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {c: ([], []) for c in plan.concurrency}
    lags: dict[int, list[float]] = {c: [] for c in plan.concurrency}
    try:
        for rep in range(plan.repeats):
            for c in plan.concurrency:
                say(f"visit chain, concurrency {c}, repeat {rep + 1}/{plan.repeats}")
                raw[c][1].append(
                    drive("healthz", url=system.url("settlement"), concurrency=c, duration=plan.ceiling_duration)
                )
                probe.take()
                raw[c][0].append(
                    drive(
                        "visits",
                        url=system.url("settlement"),
                        hospitals=_hospitals(),
                        people=population_,
                        concurrency=c,
                        duration=plan.duration,
                    )
                )
                time.sleep(1.0)  # the last settlements' events are still on their way
                lags[c].extend(probe.take())
                memory.sample()
    finally:
        probe.close()
    levels = {c: _level(*raw[c]) | {"lag_ms": summary_ms(lags[c])} for c in plan.concurrency}
    peak_c = max(levels, key=lambda c: levels[c]["throughput"])
    peak = levels[peak_c]["throughput"]
    # 70% of peak is read on the rising side of the curve, where more callers still bring more visits.
    at70 = min((c for c in levels if c <= peak_c), key=lambda c: abs(levels[c]["throughput"] - 0.7 * peak))
    return {"levels": levels, "peak": peak, "peak_concurrency": peak_c, "at_70_percent": at70}


def settle_alone(system: System, plan: Plan, population_: list[dict[str, str]], memory: Memory) -> dict[str, Any]:
    c = 16 if not plan.quick else 8
    runs, ceilings = [], []
    for rep in range(plan.repeats):
        say(f"2207 alone, concurrency {c}, repeat {rep + 1}/{plan.repeats}")
        ceilings.append(drive("healthz", url=system.url("settlement"), concurrency=c, duration=plan.ceiling_duration))
        runs.append(
            drive(
                "settle",
                url=system.url("settlement"),
                hospitals=_hospitals(),
                people=population_,
                concurrency=c,
                count=plan.settle_count,
            )
        )
        memory.sample()
    return {"concurrency": c} | _level(runs, ceilings)


def two_workers(
    system: System, plan: Plan, population_: list[dict[str, str]], one_process: dict[str, Any]
) -> dict[str, Any]:
    """The visit chain again with settlement on two uvicorn workers (`--workers 2`): how far the
    second core carries it, at the concurrency where one process did best short of the
    highest level (where the machine itself is overloaded). Measured last, so every other
    figure is of one process per service."""
    candidates = [int(c) for c in one_process["levels"] if 1 < int(c) < max(plan.concurrency)] or [
        int(one_process["peak_concurrency"])
    ]
    concurrency = max(candidates, key=lambda c: one_process["levels"][c]["throughput"])
    say("settlement restarted with two workers")
    system.restart("settlement", workers=2)
    runs, ceilings, rss = [], [], []
    for rep in range(plan.repeats):
        say(f"visit chain, settlement on two workers, concurrency {concurrency}, repeat {rep + 1}/{plan.repeats}")
        ceilings.append(
            drive("healthz", url=system.url("settlement"), concurrency=concurrency, duration=plan.ceiling_duration)
        )
        runs.append(
            drive(
                "visits",
                url=system.url("settlement"),
                hospitals=_hospitals(),
                people=population_,
                concurrency=concurrency,
                duration=plan.duration,
            )
        )
        rss.append(machine.rss_mb(system.pid("settlement")))
    return {
        "concurrency": concurrency,
        "one_process": one_process["levels"][concurrency]["throughput"],
        "rss_mb": max(rss),
    } | _level(runs, ceilings)


def settle_with_history(
    system: System, plan: Plan, population_: list[dict[str, str]], memory: Memory
) -> dict[str, Any]:
    """2207 latency (one caller, so queueing does not blur it) with 10 thousand, then with
    `plan.history_large` settlements already stored."""
    url = system.database_urls["settlement"]
    levels: dict[str, Any] = {}

    def settle() -> dict[str, Any]:
        return drive(
            "settle",
            url=system.url("settlement"),
            hospitals=_hospitals(),
            people=population_,
            concurrency=1,
            count=plan.settle_count,
        )

    for target in (10_000, plan.history_large):
        say(f"settlement history: filling up to {target:,} stored settlements")
        filled = history.fill(url, target, say=say)
        quiet = history.wait_until_quiet(url, say=say)
        # The first run after a fill reads the pages of the bench's people back into the buffers the
        # fill pushed them out of: reported on its own, while the target compares the runs after it.
        say(f"2207 with {target:,} settlements stored, first run after the fill")
        first = settle()
        runs = []
        hit0, read0 = history.blocks(url)
        for rep in range(plan.repeats):
            say(f"2207 with {target:,} settlements stored, repeat {rep + 1}/{plan.repeats}")
            runs.append(settle())
            memory.sample()
        hit1, read1 = history.blocks(url)
        visits = plan.repeats * plan.settle_count
        levels[str(target)] = {
            "stored": history.stored(url),
            "fill": filled | {"quiet_after_s": quiet},
            "first_p50": first["latency_ms"]["2207"]["p50"],
            "first_p99": first["latency_ms"]["2207"]["p99"],
            "runs_p50": [r["latency_ms"]["2207"]["p50"] for r in runs],
            "p50": median([r["latency_ms"]["2207"]["p50"] for r in runs]),
            "p99": median([r["latency_ms"]["2207"]["p99"] for r in runs]),
            "errors": sum(r["errors"] for r in [first, *runs]),
            # The work behind the latency, free of the machine's noise: what the measured runs
            # (each visit opened, then settled) touched in PostgreSQL's buffers and read past them.
            "blocks_per_visit": round((hit1 - hit0 + read1 - read0) / visits, 1),
            "blocks_read_per_visit": round((read1 - read0) / visits, 2),
        }
    small, large = levels["10000"], levels[str(plan.history_large)]
    return {
        "levels": levels,
        "p50_change": large["p50"] / small["p50"] - 1,
        "p99_change": large["p99"] / small["p99"] - 1,
    }


def profile_visits(system: System, plan: Plan, population_: list[dict[str, str]], out: Path) -> dict[str, Any]:
    say(f"profiling settlement under the visit load for {plan.profile_seconds} s")
    raw = out / "settlement.pyspy.txt"
    before = system.table_stats("settlement")
    cpu = CpuMeter(system)
    pid = system.pid("settlement")
    split0, switches0 = machine.user_system_seconds(pid), machine.context_switches(pid)
    spy = profiling.record(pid, plan.profile_seconds, raw)
    run = drive(
        "visits",
        url=system.url("settlement"),
        hospitals=_hospitals(),
        people=population_,
        concurrency=16,
        duration=plan.profile_seconds + 2,
        warmup=0.0,
    )
    cpu.stop()
    split1, switches1 = machine.user_system_seconds(pid), machine.context_switches(pid)
    time.sleep(2.0)  # PostgreSQL publishes table counters at most once a second
    after = system.table_stats("settlement")
    per_visit = per_unit(before, after, run["completed"] + 16)
    profile = _profile_result(
        spy, raw, ("settlement", "medshared", "sqlalchemy", "psycopg", "pydantic", "fastapi", "starlette")
    )
    shares = cpu.shares() | {"load generator": round(100 * run["client_cpu_seconds"] / cpu.wall, 1)}
    cpu_ms = cpu.per_unit(run["completed"]) | {
        "load generator": round(1000 * run["client_cpu_seconds"] / max(run["completed"], 1), 3)
    }
    calls = max(5 * run["completed"], 1)
    user, kernel = split1[0] - split0[0], split1[1] - split0[1]
    return profile | {
        "settlement_cpu": {
            "user_ms_per_call": round(1000 * user / calls, 3),
            "system_ms_per_call": round(1000 * kernel / calls, 3),
            "context_switches_per_call": round((switches1 - switches0) / calls, 1),
        },
        "per_visit": per_visit,
        "cpu_share": shares,
        "cpu_ms_per_visit": cpu_ms,
        "visits_per_s": run["throughput"],
    }


class CpuMeter:
    """Who used the cores during a run: each service, PostgreSQL's backends, everything else;
    as a share of one core (`shares`) and as CPU milliseconds per unit of work (`per_unit`).
    Measured from construction until `stop()` (or the first reading)."""

    def __init__(self, system: System) -> None:
        self.system = system
        self.databases = [url.rsplit("/", 1)[1] for url in system.database_urls.values()]
        self.t0 = time.monotonic()
        self.start = self._sample()
        self.busy0 = _machine_busy()
        self.end: dict[str, float] | None = None
        self.wall = 0.0
        self.busy = 0.0

    def stop(self) -> None:
        if self.end is None:
            self.end = self._sample()
            self.wall = time.monotonic() - self.t0
            self.busy = _machine_busy() - self.busy0

    def seconds(self) -> dict[str, float]:
        """CPU seconds each process used over the measured time."""
        self.stop()
        assert self.end is not None
        return {k: self.end[k] - self.start.get(k, 0.0) for k in self.end}

    def per_unit(self, units: int) -> dict[str, float]:
        """CPU milliseconds per unit of work (a visit, a call) by process."""
        return {k: round(1000 * v / max(units, 1), 3) for k, v in self.seconds().items()}

    def _sample(self) -> dict[str, float]:
        out = {s: machine.cpu_seconds(self.system.pid(s)) for s in self.system.services()}
        if self.system.stack is not None and "broker" in self.system.stack.children:
            out["broker"] = _safe_cpu(self.system.stack.children["broker"].pid)
        out["postgresql"] = sum(_safe_cpu(pid) for pid in machine.backend_pids(self.databases))
        return out

    def shares(self) -> dict[str, float]:
        """Per cent of one core, averaged over the run."""
        out = {k: round(100 * v / self.wall, 1) for k, v in self.seconds().items()}
        out["whole machine"] = round(100 * self.busy / self.wall, 1)
        return out


def _safe_cpu(pid: int) -> float:
    try:
        return machine.cpu_seconds(pid)
    except OSError:
        return 0.0


def _machine_busy() -> float:
    """CPU seconds all cores spent not idle, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def per_unit(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], units: int
) -> dict[str, dict[str, float]]:
    """Counter deltas divided by the work done, tables that moved only."""
    out: dict[str, dict[str, float]] = {}
    for table, counters in after.items():
        deltas = {k: (v - before.get(table, {}).get(k, 0)) / max(units, 1) for k, v in counters.items()}
        if any(deltas.values()):
            out[table] = {k: round(v, 2) for k, v in deltas.items()}
    return out


def _profile_result(spy: Any, raw: Path, own: tuple[str, ...], within: str = "") -> dict[str, Any]:
    if spy is None:
        return {"missing": "py-spy is not installed (pip install py-spy)"}
    spy.wait(timeout=120)
    if not raw.exists():
        return {"missing": "py-spy could not attach (ptrace refused?)"}
    return profiling.top_frames(raw, own_code=own, within=within)


def decode_load(system: System, plan: Plan, memory: Memory, out: Path) -> dict[str, Any]:
    phones = 50
    names = [(f"测试{i}", people.certno("540100", i)) for i in range(phones)]
    c = 16 if not plan.quick else 8
    runs, ceilings = [], []
    profile: dict[str, Any] = {}
    for rep in range(plan.repeats):
        say(f"e-voucher: minting {plan.decode_codes} QR codes, then decoding them (concurrency {c}), repeat {rep + 1}")
        minted = drive("mint", url=system.url("e-voucher"), phones=names, per_phone=plan.decode_codes // phones)
        if not minted["codes"]:
            return {"missing": f"no QR code could be minted: {minted['error_messages']}"}
        ceilings.append(drive("healthz", url=system.url("e-voucher"), concurrency=c, duration=plan.ceiling_duration))
        spy = None
        raw = out / "evoucher.pyspy.txt"
        if rep == 0:
            spy = profiling.record(system.pid("e-voucher"), 3, raw)
        runs.append(
            drive("decode", url=system.url("e-voucher"), hospitals=_hospitals(), codes=minted["codes"], concurrency=c)
        )
        memory.sample()
        if rep == 0:
            profile = _profile_result(
                spy, raw, ("evoucher", "medshared", "sqlalchemy", "psycopg", "fastapi", "starlette")
            )
    return {"concurrency": c, "profile": profile} | _level(runs, ceilings)


def clearing_run(system: System, plan: Plan, memory: Memory, out: Path) -> dict[str, Any]:
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    period = f"{last:%Y-%m}"
    say(f"remote-care: writing {plan.clearing_rows:,} out-of-area settlements of {period}")
    t0 = time.monotonic()
    clearing.fill(system.database_urls["remote-care"], period, plan.clearing_rows)
    fill_seconds = time.monotonic() - t0
    say("remote-care: monthly clearing run")
    raw = out / "remote_care.pyspy.txt"
    spy = profiling.record(system.pid("remote-care"), 600, raw, cpu=False)
    t0 = time.monotonic()
    answer = httpx.post(
        system.url("remote-care") + "/admin/v1/clearing/runs",
        json={"period": period},
        headers={**OPERATOR, "x-operator-id": "bench"},
        timeout=3600,
    )
    seconds = time.monotonic() - t0
    memory.sample()
    if spy is not None:
        spy.send_signal(signal.SIGINT)  # py-spy writes what it sampled when interrupted
    profile = _profile_result(spy, raw, ("remote_care", "sqlalchemy/engine/base.py"), within="run_clearing")
    statements = answer.json() if answer.status_code == 201 else []
    return {
        "period": period,
        "rows": plan.clearing_rows,
        "fill_seconds": round(fill_seconds, 1),
        "seconds": round(seconds, 2),
        "status": answer.status_code,
        "detail": "" if answer.status_code == 201 else answer.text[:300],
        "statements": len(statements),
        "setl_cnt": sum(int(s["setl_cnt"]) for s in statements),
        "profile": profile,
    }


def import_scaling(system: System, plan: Plan, memory: Memory, out: Path) -> dict[str, Any]:
    start = 100_000  # beyond the visit population
    sizes: dict[int, list[float]] = {n: [] for n in plan.import_sizes}
    caught_up: dict[int, list[float]] = {n: [] for n in plan.import_sizes}
    ceilings = []
    profile: dict[str, Any] = {}
    for rep in range(plan.repeats):
        for n in plan.import_sizes:
            say(f"enrollment import of {n:,} residents, repeat {rep + 1}/{plan.repeats}")
            body = people.csv_rows("540100", start, n, YEAR)
            start += n
            ceilings.append(
                drive("healthz", url=system.url("enrollment"), concurrency=1, duration=plan.ceiling_duration)
            )
            spy = None
            raw = out / "enrollment.pyspy.txt"
            last = rep == 0 and n == plan.import_sizes[-1]
            if last:
                spy = profiling.record(system.pid("enrollment"), plan.profile_seconds, raw)
            arrival = Arrival(
                system, (people.certno("540100", i) for i in range(start - n, start)), services=("settlement",)
            )
            t0 = time.monotonic()
            report = import_csv(system, body)
            sizes[n].append(time.monotonic() - t0)
            memory.sample()
            if report["rejected_count"]:
                raise RuntimeError(f"the import rejected rows: {report['rejected'][:3]}")
            # Settlement's read model catching up (relay, broker, consumer): the import's events
            # must not spill into the next measurement.
            arrival.wait(t0, timeout=1800, interval=0.2)
            caught_up[n].append(time.monotonic() - t0)
            if last:
                profile = _profile_result(
                    spy, raw, ("enrollment", "medshared", "sqlalchemy", "psycopg", "fastapi", "starlette")
                )
    ceiling = median([c["throughput"] for c in ceilings])
    by_size = {
        n: {
            "seconds": round(median(t), 2),
            "rows_per_s": round(n / median(t)),
            "runs": [round(x, 2) for x in t],
            "settleable_seconds": round(median(caught_up[n]), 2),
            "settleable_per_s": round(n / median(caught_up[n])),
        }
        for n, t in sizes.items()
    }
    return {"sizes": by_size, "ceiling_rps": ceiling, "profile": profile}


def run_all(system: System, plan: Plan, var: Path) -> dict[str, Any]:
    memory = Memory(system)
    observe(system)  # every run also measures CPU per call of the service it drives and its backends
    results: dict[str, Any] = {}
    say(f"importing and resolving the visit population ({plan.visit_people} residents)")
    population_, results["population"] = population(system, plan)
    results["visits"] = visit_load(system, plan, population_, memory)
    results["settle"] = settle_alone(system, plan, population_, memory)
    results["pharmacy"] = pharmacy.settle_alone(system, plan, population_, memory)
    results["supervision"] = supervision.with_and_without(system, plan, population_, memory)
    results["profile_settlement"] = profile_visits(system, plan, population_, var)
    results["statement_cost"] = statement_cost.run(system)
    results["call_count"] = call_count.run(
        system.database_urls["settlement"], list(HOSPITALS), [his.Person(**p) for p in population_]
    )
    results["decode"] = decode_load(system, plan, memory, var)
    results["clearing"] = clearing_run(system, plan, memory, var)
    results["statements"] = statements.run(system, plan, memory)
    results["import"] = import_scaling(system, plan, memory, var)
    results["import_settleable"] = imports.run(system, plan, memory)
    results["rss_mb"] = memory.peak
    # After the peak RSS is read: 300,000-record catalogues leave the service larger than the visit load does.
    results["catalogues"] = catalogues.run(system, plan, memory)
    results["two_workers"] = two_workers(system, plan, population_, results["visits"])
    system.restart("settlement", workers=1)
    # Last: ten million rows leave PostgreSQL busy for a while, which would blur what follows.
    results["history"] = settle_with_history(system, plan, population_, memory)
    return results
