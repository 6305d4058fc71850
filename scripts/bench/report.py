"""docs/benchmarks.md and its plots from one run's results."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench import call_count, catalogues, imports, pharmacy, statement_cost, statements, supervision
from bench.system import SERVER_SETTINGS

TARGETS = {
    "visits_per_s": 200.0,
    "p99_ms_at_70": 50.0,
    "settle_share": 0.15,
    "lag_p99_ms": 500.0,
    "import_per_s": 10_000.0,
    "decode_per_s": 2_000.0,
    "clearing_s": 60.0,
    "rss_mb": 200.0,
    "cpu_ms_per_call": 1.0,
}


def _cpu(level: dict[str, Any] | None, key: str = "cpu", who: str = "service") -> float:
    """CPU ms per call of one process over a level's measured windows (median of its runs)."""
    value = ((level or {}).get(key) or {}).get("ms_per_call", {}).get(who)
    return math.nan if value is None else float(value)


def _share(level: dict[str, Any] | None) -> float:
    value = ((level or {}).get("cpu") or {}).get("client_share")
    return math.nan if value is None else float(value)


def _ms(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3f}"


def _headline_cpu_row(levels: dict[int, dict[str, Any]], peak_c: int) -> str:
    peak = levels[peak_c]
    total = _cpu(peak, who="service+postgresql")
    healthz = _cpu(peak, "ceiling_cpu")
    ratio = total / healthz if healthz and not math.isnan(healthz) else math.nan
    return (
        f"| CPU per national call in the visit chain on PostgreSQL (settlement + its backends, concurrency {peak_c}) | "
        f"<= 1.0 ms | {_ms(total)} ms ({_ms(_cpu(peak))} settlement + {_ms(_cpu(peak, who='postgresql'))} PostgreSQL); "
        f"GET /healthz of the same process {_ms(healthz)} ms per request | {_fmt(ratio)} x healthz | "
        f"{_met(None if math.isnan(total) else total <= TARGETS['cpu_ms_per_call'])} |"
    )


def _cpu_row(name: str, concurrency: Any, level: dict[str, Any] | None, unit: str, calls_per_unit: int = 1) -> str:
    if not level or "cpu" not in level:
        return f"| {name} | {concurrency} | not measured | | | | | | | |"
    per_unit = (level.get("cpu") or {}).get("ms_per_unit", {})
    service_unit = per_unit.get("service+postgresql")
    unit_cell = f" ({_ms(service_unit)} per {unit})" if calls_per_unit > 1 and service_unit is not None else ""
    return (
        f"| {name} | {concurrency} | {_fmt(level.get('throughput', math.nan))} {unit}s/s | {_ms(_cpu(level))} | "
        f"{_ms(_cpu(level, who='postgresql'))} | {_ms(_cpu(level, who='service+postgresql'))}{unit_cell} | "
        f"{_ms(_cpu(level, who='client'))} | {_fmt(_share(level))}% | {_ms(_cpu(level, 'ceiling_cpu'))} | "
        f"{_ms(_cpu(level, 'ceiling_cpu', 'client'))} |"
    )


def cpu_section(r: dict[str, Any]) -> list[str]:
    """CPU per call beside every throughput: the service, its PostgreSQL backends, the load generator."""
    levels = {int(c): v for c, v in r["visits"]["levels"].items()}
    rows = [_cpu_row("outpatient visit chain", c, levels[c], "visit", 5) for c in sorted(levels)]
    rows.append(_cpu_row("2207 alone", r["settle"].get("concurrency", "-"), r["settle"], "settlement"))
    pharmacy_ = r.get("pharmacy")
    rows.append(_cpu_row("2102 alone (pharmacy)", (pharmacy_ or {}).get("concurrency", "-"), pharmacy_, "purchase"))
    for side in ("with", "without"):
        level = (r.get("supervision") or {}).get(side)
        if level:
            rows.append(
                _cpu_row(f"2207 alone, {side} fund supervision", level.get("concurrency", "-"), level, "settlement")
            )
    decode = r["decode"]
    rows.append(_cpu_row("e-voucher QR decode (ec.query)", decode.get("concurrency", "-"), decode, "decode"))
    two = r.get("two_workers")
    if two:
        rows.append(_cpu_row("visit chain, settlement on two workers", two["concurrency"], two, "visit", 5))
    return [
        "## CPU per call",
        "Measured over each run's own measured window, from /proc by the load generator itself: the CPU time",
        "of the service's processes (uvicorn and its workers, relay and consumer threads included), of the",
        "PostgreSQL backends connected to its database, and of the load generator, divided by the calls made",
        "in the window (a visit is five national calls). The ceiling columns are `GET /healthz` of the same",
        "process, same client, same concurrency, measured right before. Medians of the repeated runs, ms.",
        "",
        "| workload | concurrency | throughput | service ms/call | PostgreSQL ms/call | service + PostgreSQL ms/call | "
        "load generator ms/call | load generator, % of one core | healthz: service ms/request | healthz: load generator ms/request |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
    ]


def _met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def _plot_levels(levels: dict[Any, dict[str, Any]], title: str, unit: str, path: Path) -> None:
    cs = sorted(int(c) for c in levels)
    lv = [levels[c] if c in levels else levels[str(c)] for c in cs]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    for p, style in (("p50", "-o"), ("p90", "-s"), ("p99", "-^")):
        left.plot(cs, [x["all_calls_ms"][p] for x in lv], style, label=f"{p} per call")
    left.plot(cs, [x["ceiling_ms"]["p99"] for x in lv], ":", color="grey", label="p99 ceiling (GET /healthz)")
    left.set_xscale("log", base=2)
    left.set_xlabel("concurrent callers")
    left.set_ylabel("latency (ms)")
    left.set_title(f"{title}: latency")
    left.legend()
    right.plot(cs, [x["throughput"] for x in lv], "-o", label=unit)
    right.plot(cs, [x["ceiling"] for x in lv], ":", color="grey", label="ceiling (GET /healthz req/s)")
    right.set_xscale("log", base=2)
    right.set_yscale("log")
    right.set_xlabel("concurrent callers")
    right.set_title(f"{title}: throughput")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _plot_import(sizes: dict[Any, dict[str, Any]], path: Path) -> None:
    ns = sorted(int(n) for n in sizes)
    secs = [sizes[n]["seconds"] if n in sizes else sizes[str(n)]["seconds"] for n in ns]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(ns, secs, "-o", label="measured")
    ax.plot(ns, [secs[-1] * n / ns[-1] for n in ns], ":", color="grey", label="linear through the largest")
    ax.set_xlabel("residents in the file")
    ax.set_ylabel("seconds")
    ax.set_title("yearly resident import")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _frames_table(profile: dict[str, Any], kind: str = "self", limit: int = 10) -> list[str]:
    if not profile or "missing" in profile:
        return [f"_{(profile or {}).get('missing', 'no profile')}_", ""]
    rows = ["| share of busy samples | frame |", "|---:|---|"]
    rows += [f"| {share:.1f}% | `{frame[:140]}` |" for frame, share in profile.get(kind, [])[:limit]]
    return [*rows, ""]


def _kernel_line(split: dict[str, float]) -> list[str]:
    if not split:
        return []
    user, kernel = split["user_ms_per_call"], split["system_ms_per_call"]
    return [
        f"Settlement's CPU per national call during the profile: {_ms(user)} ms in its own code (user) and",
        f"{_ms(kernel)} ms in the kernel on its behalf ({_fmt(100 * kernel / max(user + kernel, 1e-9))}%: sockets,",
        f"locks, waking threads), with {_fmt(split['context_switches_per_call'])} context switches of its threads per call.",
        "",
    ]


def findings(r: dict[str, Any]) -> list[str]:
    """What the measurements say stands in the way, derived from this run's numbers."""
    prof = r["profile_settlement"]
    per_visit = {t: c for t, c in prof.get("per_visit", {}).items() if t != "(database)"}
    statements = sum(
        c.get("idx_scan", 0) + c.get("seq_scan", 0) + c.get("inserted", 0) + c.get("updated", 0)
        for c in per_visit.values()
    )
    commits = prof.get("per_visit", {}).get("(database)", {}).get("commits", math.nan)
    # gateway_nonce is pruned to the signature window, so it does not grow with the visits.
    growing = [
        t
        for t, c in per_visit.items()
        if t != "gateway_nonce" and c.get("seq_scan", 0) and c.get("seq_tup_read", 0) / c["seq_scan"] > 1000
    ]
    shares = prof.get("cpu_share", {})
    visits = r["visits"]
    levels = {int(c): v for c, v in visits["levels"].items()}
    peak_c = max(levels, key=lambda c: levels[c]["throughput"])
    ceiling = levels[peak_c]["ceiling"]
    needed = TARGETS["visits_per_s"] * 5
    settlement_core = shares.get("settlement", math.nan)
    peak = levels[peak_c]
    out = [
        f"- **The visit target is above this machine's ceiling.** 200 visits/s is {needed:,.0f} national calls/s; the",
        f"  same server answers `GET /healthz`, which does nothing, at {ceiling:,.0f} req/s at concurrency {peak_c} with the",
        f"  same client on the same two cores. The chain reaches {_fmt(levels[peak_c]['ratio'] * 5 * 100)}% of that ceiling and",
        f"  2207 alone {_fmt(r['settle']['ratio'] * 100)}% (target 15%).",
        f"- **Settlement is bound by its own Python, one core.** During the profile it used {_fmt(settlement_core)}% of a core;",
        f"  at the peak level it spent {_ms(_cpu(peak))} ms of CPU per national call, its PostgreSQL backends {_ms(_cpu(peak, who='postgresql'))} ms",
        f"  (the same process answers `GET /healthz` for {_ms(_cpu(peak, 'ceiling_cpu'))} ms; the load generator spent {_ms(_cpu(peak, who='client'))} ms",
        f"  per call, {_fmt(_share(peak))}% of one core). One uvicorn process runs on",
        "  one core at a time (the GIL), and a call's CPU goes to the HTTP stack, the domain's own Python and",
        f"  about {statements / 5:.0f} statements ({statements:.0f} per visit by PostgreSQL's own counters, {_fmt(commits)}",
        "  commits per visit including the consumer's). The hot ones run through medshared.hotsql"
        + (
            f" ({r['statement_cost']['hotread_us']:.0f} µs of settlement's CPU each, against"
            f" {r['statement_cost']['session_us']:.0f} µs through SQLAlchemy's Session and"
            f" {r['statement_cost']['psycopg_us']:.0f} µs through psycopg alone)"
            if r.get("statement_cost", {}).get("hotread_us")
            else ""
        )
        + ": what is left is fewer round trips (the reads a settlement makes one by one as one",
        "  statement, pipeline mode) and the HTTP stack.",
    ]
    two = r.get("two_workers")
    if two:
        out += [
            "- **A second worker process is the largest single step.** With `--workers 2` settlement served",
            f"  {_fmt(two['throughput'])} visits/s at concurrency {two['concurrency']} (one process: {_fmt(two['one_process'])}),",
            f"  using {two['rss_mb']:.0f} MB for its processes together; the rest of the machine (PostgreSQL, the broker,",
            "  the load generator, the consumers of every settlement event) shares the same two cores.",
        ]
    history = r.get("history")
    if history:
        small, large = (history["levels"][k] for k in sorted(history["levels"], key=int))
        figures = (
            f"2207 p50 {_fmt(small['p50'])} ms with {small['stored']:,} settlements stored, {_fmt(large['p50'])} ms with"
            f" {large['stored']:,} ({history['p50_change'] * 100:+.1f}%; p99 {history['p99_change'] * 100:+.1f}%)"
        )
        work = _history_work(small, large)
        if max(abs(history["p50_change"]), abs(history["p99_change"])) < 0.20:
            out += [
                f"- **Stored history does not slow settling.** {figures}: every lookup goes through an index.{work}"
            ]
        elif work and abs(large["blocks_per_visit"] / small["blocks_per_visit"] - 1) < 0.20:
            out += [
                f"- **The latency moved with stored history; PostgreSQL's work did not.** {figures}.{work}",
                "  Every lookup is an index lookup, and new keys (admdvs, the time, random digits) go to the",
                "  right-hand pages of their indexes. One caller's 2207 on two cores shared with PostgreSQL, the",
                "  broker and three more services varies from run to run: p50 of each run "
                + "; ".join(
                    f"{lvl['stored']:,}: {', '.join(_fmt(x) for x in lvl.get('runs_p50', []))} ms"
                    for lvl in (small, large)
                )
                + ".",
            ]
        else:
            out += [
                f"- **Stored history slows settling.** {figures}.{work} No table is scanned sequentially"
                + (f" (except {', '.join(growing)})" if growing else ""),
                "  and the plans are index lookups, with shared buffers sized for the data (bench.system.SERVER_SETTINGS).",
            ]
    imp = r["import"]
    relay = [
        share for frame, share in imp.get("profile", {}).get("inclusive", []) if frame.startswith("OutboxRelay._run")
    ]
    end_to_end = [v.get("settleable_per_s") for v in imp["sizes"].values() if v.get("settleable_per_s")]
    if end_to_end:
        out += [
            f"- **Settlement's read model follows an import at {min(end_to_end):,}-{max(end_to_end):,} people/s.** Its consumer applies",
            "  a whole poll (up to 2,000 events) in one transaction, one upsert statement per read-model table;",
            "  e-voucher's and remote-care's consumers do the same on the same cores. A yearly collection of 5 million",
            f"  people is settleable about {5_000_000 / min(end_to_end) / 60:,.0f} minutes after its import began at that rate on this machine.",
        ]
    out += [
        "- **The import shares its process with its relay.** Each row stages two events (the person registered,",
        "  the enrollment with the person's snapshot); the relay publishes them while the import goes on"
        + (f" ({relay[0]}% of enrollment's busy samples)" if relay else "")
        + ",",
        "  and settlement's and e-voucher's consumers apply them on the same cores. Rows are validated and",
        "  written in batches of 2,000 (COPY per table on PostgreSQL); the per-row cost is Python: parsing,",
        "  the GB 11643 check, the contribution, the two event bodies.",
    ]
    decode = r["decode"]
    if "ratio" in decode:
        out += [
            "- **QR decode is a signed, single-use write.** Each decode verifies the gateway signature, spends a nonce,",
            f"  claims the code, mints an ecToken and stages an event: {_fmt(decode['ratio'] * 100)}% of the ceiling; 2,000/s is",
            "  above what one process answers for an empty endpoint here.",
        ]
    return [line for line in out if line]


def _population(pop: dict[str, float] | None) -> list[str]:
    if not pop:
        return []
    rate = pop["people"] / pop["settleable_seconds"]
    return [
        f"- **Imported people reach settlement through events.** {pop['people']:,} residents imported in {pop['import_seconds']} s",
        f"  were all in settlement's read model {pop['settleable_seconds']} s after the import began ({rate:,.0f} people/s,",
        "  through the relay, the broker and settlement's consumer, which applies each poll in one transaction).",
        "",
    ]


def _history_work(small: dict[str, Any], large: dict[str, Any]) -> str:
    if "blocks_per_visit" not in small or "blocks_per_visit" not in large:
        return ""
    change = large["blocks_per_visit"] / small["blocks_per_visit"] - 1
    return (
        f" The work per visit: {small['blocks_per_visit']} vs {large['blocks_per_visit']} shared blocks touched"
        f" ({change * 100:+.1f}%), {small['blocks_read_per_visit']} vs {large['blocks_read_per_visit']} read past the buffers."
    )


def _history_row(history: dict[str, Any] | None) -> str:
    if not history:
        return (
            "| settle latency with 10 thousand vs 10 million stored settlements | < 20% apart | not measured | | n/a |"
        )
    small, large = (history["levels"][k] for k in sorted(history["levels"], key=int))
    worst = max(abs(history["p50_change"]), abs(history["p99_change"]))
    return (
        f"| settle latency with {small['stored']:,} vs {large['stored']:,} stored settlements | < 20% apart | "
        f"2207 p50 {_fmt(small['p50'])} vs {_fmt(large['p50'])} ms ({history['p50_change'] * 100:+.1f}%), "
        f"p99 {_fmt(small['p99'])} vs {_fmt(large['p99'])} ms ({history['p99_change'] * 100:+.1f}%) | | {_met(worst < 0.20)} |"
    )


def _history_section(history: dict[str, Any] | None) -> list[str]:
    if not history:
        return []
    lines = [
        "## Settling with years of history stored",
        "Settlement's tables are topped up with copies of a real settlement from the visit load (its visit,",
        "the settlement with setlinfo and setldetail, a fee line, the stored 2207 answer) under new keys,",
        "spread over a million other people (`scripts/bench/history.py`, INSERT ... SELECT in PostgreSQL,",
        "then VACUUM ANALYZE and CHECKPOINT); then, once no autovacuum worker runs, 2207 is timed with one",
        "caller, so queueing does not blur it. The first run after a fill is reported on its own: it reads",
        "the bench people's pages back into the buffers the fill pushed them out of, which a deployment pays",
        "once after a bulk load, not on every settlement. The target compares the runs after it. Measured",
        "last: a fill this size keeps PostgreSQL busy for a while afterwards.",
        "",
        "The last two columns are the work behind the latency, which the machine's noise does not blur:",
        "PostgreSQL's shared blocks touched per visit of the measured runs (each visit opened, then settled),",
        "and of those the blocks read from outside its buffers.",
        "",
        "| settlements stored | filled in (s) | waited for autovacuum (s) | first run after the fill: 2207 p50 / p99 (ms) | 2207 p50 (ms) | 2207 p99 (ms) | errors | blocks per visit | read past the buffers per visit |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for _, level in sorted(history["levels"].items(), key=lambda kv: int(kv[0])):
        fill, first = level["fill"], (level.get("first_p50"), level.get("first_p99"))
        first_text = f"{_fmt(first[0])} / {_fmt(first[1])}" if first[0] is not None else "-"
        lines.append(
            f"| {level['stored']:,} | {fill['seconds']} | {fill.get('quiet_after_s', '-')} | {first_text} | "
            f"{_fmt(level['p50'])} | {_fmt(level['p99'])} | {level['errors']} | "
            f"{level.get('blocks_per_visit', '-')} | {level.get('blocks_read_per_visit', '-')} |"
        )
    return [*lines, ""]


def _two_workers_section(two: dict[str, Any] | None) -> list[str]:
    if not two:
        return []
    a = two["all_calls_ms"]
    return [
        "## Settlement on two workers",
        "The visit chain once more at the peak concurrency, settlement restarted with `uvicorn --workers 2`",
        "(one of the two runs the relay and the consumer: `medshared.runtime.BackgroundLease`). Every other",
        "figure in this report is of one process per service.",
        "",
        "| concurrency | visits/s | ceiling req/s | calls/s ÷ ceiling | p50 / p90 / p99 per call (ms) | RSS of settlement's processes | errors |",
        "|---:|---:|---:|---:|---|---:|---:|",
        f"| {two['concurrency']} | {_fmt(two['throughput'])} | {_fmt(two['ceiling'], 0)} | {_fmt(two['ratio'] * 5 * 100)}% | "
        f"{_fmt(a['p50'])} / {_fmt(a['p90'])} / {_fmt(a['p99'])} | {two['rss_mb']:.0f} MB | {two['errors']} |",
        "",
    ]


def _others(shares: dict[str, float]) -> str:
    if "whole machine" not in shares:
        return "n/a"
    return f"{shares['whole machine'] - sum(v for k, v in shares.items() if k != 'whole machine'):.1f}"


def _fmt(x: float, digits: int = 1) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:,.{digits}f}"


def write(r: dict[str, Any], docs: Path) -> None:
    out = docs / "bench"
    out.mkdir(parents=True, exist_ok=True)
    visits, settle, decode, clearing, imp = r["visits"], r["settle"], r["decode"], r["clearing"], r["import"]
    levels = {int(c): v for c, v in visits["levels"].items()}
    _plot_levels(levels, "outpatient visit chain", "complete visits/s", out / "visits.png")
    _plot_import(imp["sizes"], out / "import.png")
    m = r["machine"]
    at70 = levels[int(visits["at_70_percent"])]
    peak_c = max(levels, key=lambda c: levels[c]["throughput"])
    lag_p99 = max(v["lag_ms"]["p99"] for v in levels.values() if v["lag_ms"]["n"])
    import_rate = max(v["rows_per_s"] for v in imp["sizes"].values())
    ns = sorted(int(n) for n in imp["sizes"])
    per_row = (
        [imp["sizes"][n]["seconds"] / n for n in ns]
        if isinstance(next(iter(imp["sizes"])), int)
        else [imp["sizes"][str(n)]["seconds"] / n for n in ns]
    )
    rss_max = max(r["rss_mb"].values())
    decode_rate = decode.get("throughput", math.nan)
    L: list[str] = []
    L += [
        "# Benchmarks",
        "",
        "`make bench` starts the four services under uvicorn (one process each) on a throwaway PostgreSQL",
        "server (one database per service) and the embedded broker, exactly as `scripts/stack.py` starts",
        "`make run`, generates its own data through the services' APIs, and drives the load from a separate",
        "process (`scripts/bench/drive.py`: asyncio with a lean HTTP/1.1 client on raw streams,",
        "`scripts/bench/wire.py`, one keep-alive connection per concurrent caller, closed loop). Every figure is the median of the repeated runs, and each run first measures the",
        "**ceiling**: `GET /healthz` of the same service, same client, same concurrency. The ratio to it is",
        "the figure that travels between machines.",
        "",
        f"Mode: {'quick (BENCH_QUICK=1)' if r['quick'] else 'full'}, {r['plan']['repeats']} repeats, "
        f"{r['plan']['duration']} s per measured run, total {r['total_seconds']} s.",
        "",
        "## Machine",
        f"{m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB memory, Linux {m['kernel']}, Python {m['python']}.",
        "The load generator runs on the same cores as the system under test. Load average (1/5/15 min)",
        f"at the start {m['load_average']}, at the end {r.get('load_average_at_end', 'n/a')}: anything above the core count means",
        "other work shared the machine, which is what the ratios to the ceiling correct for.",
        "",
        "## Commands",
        "```",
        "make bench                 # full run, rewrites docs/benchmarks.md and docs/bench/*.png",
        "BENCH_QUICK=1 make bench   # ~5 minutes, same report with fewer and shorter runs",
        "```",
        "Raw numbers of the last run: `docs/bench/results.json`. The services run with their defaults except",
        "`*_DATABASE_URL` (one PostgreSQL database each), `KAFKA_BOOTSTRAP_SERVERS` (the embedded broker) and",
        "`EVOUCHER_QR_TTL_SECONDS=3600` (codes are minted before the decode run starts). Profiles need py-spy",
        "(in requirements-dev.txt) and permission to ptrace the services (root, or CAP_SYS_PTRACE in a container);",
        "without it the report says so and carries on. The 16 bench hospitals are written into settlement's and",
        "e-voucher's institution tables (reference data has no public API); everything else goes through the",
        "services' own APIs, except the month of clearing items, written with COPY through remote-care's",
        "own event translation. PostgreSQL runs with the settings of `bench.system.SERVER_SETTINGS`",
        f"({', '.join(f'{k}={v}' for k, v in SERVER_SETTINGS.items())}), as docs/sizing.md advises a provincial deployment.",
        "Each change made for speed, with its measurement before and after: docs/performance.md.",
        "",
        "## Targets",
        "| workload | target | measured | ratio to ceiling | |",
        "|---|---|---|---|---|",
        f"| outpatient visit chain (2201, 2203, 2204 x5 lines, 2206, 2207) | >= 200 visits/s | {_fmt(visits['peak'])} visits/s (peak; "
        f"load generator {_fmt(_share(levels[peak_c]))}% of one core, {_ms(_cpu(levels[peak_c], who='client'))} ms CPU per call, "
        f"{_fmt(_cpu(levels[peak_c], who='client') * TARGETS['visits_per_s'] * 5 / 10, 0)}% of one core at the target's "
        f"{TARGETS['visits_per_s'] * 5:,.0f} calls/s) | "
        f"{_fmt(levels[peak_c]['ratio'] * 5 * 100)}% (calls/s ÷ healthz req/s at concurrency {peak_c}) | {_met(visits['peak'] >= TARGETS['visits_per_s'])} |",
        _headline_cpu_row(levels, peak_c),
        f"| p99 per call at ~70% of peak (concurrency {visits['at_70_percent']}) | <= 50 ms | {_fmt(at70['all_calls_ms']['p99'])} ms | "
        f"ceiling p99 {_fmt(at70['ceiling_ms']['p99'])} ms | {_met(at70['all_calls_ms']['p99'] <= TARGETS['p99_ms_at_70'])} |",
        f"| 2207 alone (concurrency {settle['concurrency']}) | >= 15% of ceiling | {_fmt(settle['throughput'])}/s, "
        f"CPU {_ms(_cpu(settle, who='service+postgresql'))} ms per 2207 (healthz {_ms(_cpu(settle, 'ceiling_cpu'))}) | "
        f"{_fmt(settle['ratio'] * 100)}% | {_met(settle['ratio'] >= TARGETS['settle_share'])} |",
        pharmacy.report_row(r.get("pharmacy")),
        supervision.report_row(r.get("supervision")),
        f"| event lag, settlement commit -> independent consumer | p99 <= 500 ms | p99 {_fmt(lag_p99)} ms (worst level) | | {_met(lag_p99 <= TARGETS['lag_p99_ms'])} |",
        f"| yearly resident import (one HTTP request per file) | >= 10,000 people/s | {_fmt(import_rate, 0)} people/s | | {_met(import_rate >= TARGETS['import_per_s'])} |",
        imports.report_rows(r.get("import_settleable")),
        f"| e-voucher QR decode (ec.query, concurrency {decode.get('concurrency', '-')}) | >= 2,000/s | {_fmt(decode_rate)}/s, "
        f"CPU {_ms(_cpu(decode, who='service+postgresql'))} ms per decode (healthz {_ms(_cpu(decode, 'ceiling_cpu'))}) | "
        f"{_fmt(decode.get('ratio', math.nan) * 100)}% | {_met(None if math.isnan(decode_rate) else decode_rate >= TARGETS['decode_per_s'])} |",
        f"| monthly clearing over {clearing['rows']:,} out-of-area settlements | <= 60 s | {_fmt(clearing['seconds'], 2)} s "
        f"({clearing['statements']} statements, {clearing['setl_cnt']:,} net settlements) | | {_met(clearing['status'] == 201 and clearing['seconds'] <= TARGETS['clearing_s'])} |",
        statements.report_row(r.get("statements")),
        *catalogues.report_rows(r.get("catalogues")),
        f"| memory per service under load (peak RSS) | <= 200 MB | {', '.join(f'{k} {v:.0f} MB' for k, v in r['rss_mb'].items())} | | {_met(rss_max <= TARGETS['rss_mb'])} |",
        f"| import grows linearly with rows | linear | {', '.join(f'{n:,}: {p * 1e6:.0f} µs/row' for n, p in zip(ns, per_row, strict=True))} | | {_met(max(per_row) <= 1.3 * min(per_row))} |",
        _history_row(r.get("history")),
        "",
        *cpu_section(r),
        "## Outpatient visit chain",
        "![visit chain](bench/visits.png)",
        "",
        "CPU columns: ms per national call of settlement's process, of its PostgreSQL backends and of the load",
        "generator over the measured window; healthz: settlement's CPU per `GET /healthz` at the same concurrency.",
        "",
        "| concurrency | visits/s | ceiling req/s | calls/s ÷ ceiling | p50 / p90 / p99 per call (ms) | 2207 p99 (ms) | event lag p50 / p99 (ms) | "
        "CPU settlement / PostgreSQL / load generator (ms per call) | healthz CPU (ms per request) | errors |",
        "|---:|---:|---:|---:|---|---:|---|---|---:|---:|",
    ]
    for c in sorted(levels):
        v = levels[c]
        a = v["all_calls_ms"]
        L.append(
            f"| {c} | {_fmt(v['throughput'])} | {_fmt(v['ceiling'], 0)} | {_fmt(v['ratio'] * 5 * 100)}% | "
            f"{_fmt(a['p50'])} / {_fmt(a['p90'])} / {_fmt(a['p99'])} | {_fmt(v['per_call_ms'].get('2207', {}).get('p99', math.nan))} | "
            f"{_fmt(v['lag_ms'].get('p50', math.nan))} / {_fmt(v['lag_ms'].get('p99', math.nan))} | "
            f"{_ms(_cpu(v))} / {_ms(_cpu(v, who='postgresql'))} / {_ms(_cpu(v, who='client'))} | {_ms(_cpu(v, 'ceiling_cpu'))} | {v['errors']} |"
        )
    L += ["", "Per call at the peak level (median of p50 / p99, ms):", "", "| call | p50 | p99 |", "|---|---:|---:|"]
    for name, q in levels[peak_c]["per_call_ms"].items():
        L.append(f"| {name} | {_fmt(q['p50'])} | {_fmt(q['p99'])} |")
    L += [
        "",
        "## Where settlement's time goes (py-spy, visit load at concurrency 16)",
        f"{_fmt(r['profile_settlement'].get('visits_per_s', math.nan))} visits/s during the profile. Where the cores went (per cent of one core;",
        f"the machine has {m['cores']}; PostgreSQL counts only the backends of the four service databases):",
        "",
        "| process | CPU % of one core | CPU ms per visit |",
        "|---|---:|---:|",
        *[
            f"| {k} | {v} | {r['profile_settlement'].get('cpu_ms_per_visit', {}).get(k, '')} |"
            for k, v in r["profile_settlement"].get("cpu_share", {}).items()
        ],
        f"| everything else (py-spy, PostgreSQL's background processes, the lag probe, other work) | {_others(r['profile_settlement'].get('cpu_share', {}))} |",
        "",
        *_kernel_line(r["profile_settlement"].get("settlement_cpu", {})),
        "Top frames by **own** time, sampling only the thread that holds the GIL (where settlement's",
        "Python CPU went; C code that lets the GIL go, such as libpq waiting for PostgreSQL, is not in it):",
        "",
        *_frames_table(r["profile_settlement"], "self"),
        "Top frames by **inclusive** time (on the stack; our code and the libraries it calls):",
        "",
        *_frames_table(r["profile_settlement"], "inclusive", 20),
        "PostgreSQL's own counters for the settlement database during that run, per complete visit",
        "(five calls): a sequential scan on a table that grows with every visit is a missing index.",
        "",
        "| table | seq scans | rows read by seq scans | index scans | rows inserted | rows updated |",
        "|---|---:|---:|---:|---:|---:|",
        *[
            f"| {t} | {c.get('seq_scan', 0)} | {c.get('seq_tup_read', 0)} | {c.get('idx_scan', 0)} | {c.get('inserted', 0)} | {c.get('updated', 0)} |"
            for t, c in sorted(r["profile_settlement"].get("per_visit", {}).items())
            if t != "(database)"
        ],
        "",
        f"Transactions committed per visit: {r['profile_settlement'].get('per_visit', {}).get('(database)', {}).get('commits', 'n/a')}.",
        "",
        *statement_cost.section(r.get("statement_cost")),
        *call_count.section(r.get("call_count")),
        "## What stands in the way",
        *findings(r),
        "",
        *_population(r.get("population")),
        "## Not measured",
        "- Event lag is measured to an independent consumer of `settlement.settlements.v1` (from the event's",
        "  `occurred_at`, stamped inside the settling transaction, to its receipt), not to the row in",
        "  remote-care's clearing read model.",
        "",
        *_history_section(r.get("history")),
        *_two_workers_section(r.get("two_workers")),
        "## E-voucher decode",
        f"{_fmt(decode_rate)} decodes/s at concurrency {decode.get('concurrency', '-')}, ceiling {_fmt(decode.get('ceiling', math.nan), 0)} req/s, "
        f"p50 / p99 {_fmt(decode.get('all_calls_ms', {}).get('p50', math.nan))} / {_fmt(decode.get('all_calls_ms', {}).get('p99', math.nan))} ms, errors {decode.get('errors', '-')}.",
        "",
        *_frames_table(decode.get("profile", {}), "self"),
        "## Enrollment import",
        "![import](bench/import.png)",
        "",
        "Each import is one HTTP request; then the run waits until settlement's read model holds every",
        "imported person (enrollment's relay, the broker, settlement's consumer), so no import's events",
        "spill into the next measurement.",
        "",
        "| residents | import seconds (median) | people/s | runs | in settlement's read model after (s) | people/s end to end |",
        "|---:|---:|---:|---|---:|---:|",
    ]
    for n in ns:
        s = imp["sizes"][n] if n in imp["sizes"] else imp["sizes"][str(n)]
        L.append(
            f"| {n:,} | {s['seconds']} | {s['rows_per_s']:,} | {s['runs']} | {s.get('settleable_seconds', 'n/a')} | "
            f"{s.get('settleable_per_s', 0):,} |"
        )
    L += ["", *_frames_table(imp.get("profile", {}), "self")]
    L += imports.section(r.get("import_settleable"))
    L += [
        "## Monthly clearing",
        f"{clearing['rows']:,} clearing items of {clearing['period']} (every 50th settlement also reversed) written with COPY through",
        f"remote-care's own `settlement_item()` translation in {clearing['fill_seconds']} s, then `POST /admin/v1/clearing/runs`:",
        f"HTTP {clearing['status']} in {clearing['seconds']} s. {clearing['detail']}",
        "",
        "Where the clearing request spent its time (py-spy, samples of the request's thread, waits on",
        "PostgreSQL included; remote-care's frames and the SQL statements they executed):",
        "",
        *_frames_table(clearing.get("profile", {}), "inclusive", 8),
    ]
    (docs / "benchmarks.md").write_text("\n".join(L) + "\n", encoding="utf-8")
