"""The benchmark's own arithmetic and payloads: wrong here means a wrong report."""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest
from bench import his, history, people, profiling, report, stats

from medshared.national import parse_request


@pytest.mark.parametrize(
    ("first17", "check"),
    [("54010219800501011", "0"), ("54010219750312022", "X"), ("43060219700707092", "3")],
)
def test_generated_id_numbers_carry_the_gb11643_check_digit_of_real_demo_numbers(first17, check):
    assert people.check_digit(first17) == check


def test_every_generated_resident_has_a_different_id_number_in_and_across_pools():
    numbers = [people.certno(pool, i) for pool in people.AREAS for i in range(5_000)]
    assert len(set(numbers)) == len(numbers)
    assert all(n[-1] == people.check_digit(n[:17]) for n in numbers)


def test_the_import_file_has_the_columns_enrollment_reads_and_one_row_per_resident():
    from enrollment.importing import COLUMNS, REQUIRED

    lines = people.csv_rows("540100", 10, 3, 2026).decode().splitlines()
    header = lines[0].split(",")
    assert set(header) <= set(COLUMNS) and set(REQUIRED) <= set(header)
    assert len(lines) == 4 and people.certno("540100", 12) in lines[3]


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [([1, 2, 3, 4], 50, 2), ([1, 2, 3, 4], 99, 4), (list(range(1, 101)), 90, 90), ([7], 99, 7)],
)
def test_percentiles_are_nearest_rank(values, p, expected):
    assert stats.percentile(values, p) == expected


def test_the_median_of_repeats_ignores_runs_that_produced_nothing():
    assert stats.median([3.0, 1.0, 2.0]) == 2.0
    assert stats.median([4.0, 1.0, math.nan]) == 2.5
    assert math.isnan(stats.median([]))


def test_msgids_are_valid_national_msgids_and_never_repeat_within_or_across_runs():
    hospital = his.Hospital("HB5401000001", "540100")
    seen = set()
    for run in (1, 2):
        ids = his.MsgIds(run)
        for _ in range(25_000):
            seen.add(ids.next(hospital.code))
    assert len(seen) == 50_000
    body = his.envelope(hospital, "2207", max(seen), {"data": {}})
    assert parse_request(body).msgid == max(seen)


def test_the_settlement_total_sent_equals_the_fee_lines_uploaded():
    p = his.Person("54010000000000000001", "540102198005010110", "540100")
    lines = his.fees_input(p, "M1")["feedetail"]
    assert len(lines) == 5
    assert (
        sum((line["det_item_fee_sumamt"] for line in lines), Decimal(0))
        == his.settle_input(p, "M1")["data"]["medfee_sumamt"]
    )
    assert all(line["det_item_fee_sumamt"] == line["cnt"] * line["pric"] for line in lines)


def test_profile_shares_count_busy_samples_only(tmp_path: Path):
    raw = tmp_path / "raw.txt"
    raw.write_text(
        "main (app.py:1);handle (settlement/handlers.py:10);execute (psycopg/cursor.py:5) 6\n"
        "main (app.py:1);handle (settlement/handlers.py:10);dumps (json.py:3) 2\n"
        "_bootstrap (threading.py:1);wait (threading.py:320) 100\n"
    )
    top = profiling.top_frames(raw, own_code=("settlement",))
    assert top["self"][0] == ("execute (psycopg/cursor.py:5)", 75.0)
    assert top["inclusive"] == [("handle (settlement/handlers.py:10)", 100.0)]


def test_history_copies_every_column_of_a_template_row_and_replaces_only_the_keys():
    from sqlalchemy import Column, Integer, MetaData, String, Table

    table = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("k", String),
        Column("a", String),
        Column("b", String),
    )
    sql = history._copy(table, "t.id = :template", {"k": "'HK' || g"})
    assert sql.startswith('INSERT INTO "t" ("k", "a", "b") SELECT ')  # the serial id numbers itself
    assert '\'HK\' || g, t."a", t."b"' in sql
    assert "generate_series(CAST(:lo AS bigint), CAST(:hi AS bigint))" in sql and sql.endswith("WHERE t.id = :template")


@pytest.mark.parametrize(
    ("p50_change", "p99_change", "verdict"), [(0.18, 0.05, "**met**"), (0.05, -0.25, "**not met**")]
)
def test_history_is_met_only_when_both_percentiles_stay_within_20_percent(p50_change, p99_change, verdict):
    level = {"stored": 10_000, "fill": {"seconds": 1.0}, "p50": 10.0, "p99": 20.0, "errors": 0}
    row = report._history_row(
        {
            "levels": {"10000": level, "10000000": level | {"stored": 10_000_000}},
            "p50_change": p50_change,
            "p99_change": p99_change,
        }
    )
    assert row.endswith(f"| {verdict} |") and "10,000,000" in row


def test_history_section_shows_the_first_run_after_a_fill_beside_the_runs_the_target_compares():
    small = {"stored": 113_774, "fill": {"seconds": 5.6, "quiet_after_s": 0.0}, "p50": 20.0, "p99": 40.0, "errors": 0}
    large = small | {
        "stored": 10_001_800,
        "fill": {"seconds": 649.6, "quiet_after_s": 30.5},
        "first_p50": 41.5,
        "first_p99": 120.25,
        "p50": 21.0,
        "p99": 44.0,
        "blocks_per_visit": 310.5,
        "blocks_read_per_visit": 0.25,
    }
    lines = report._history_section({"levels": {"10000": small, "10000000": large}})
    rows = [line for line in lines if line.startswith("| 1")]
    assert rows[0] == "| 113,774 | 5.6 | 0.0 | - | 20.0 | 40.0 | 0 | - | - |"
    assert rows[1] == "| 10,001,800 | 649.6 | 30.5 | 41.5 / 120.2 | 21.0 | 44.0 | 0 | 310.5 | 0.25 |"


def test_a_process_own_user_and_kernel_time_and_context_switches_are_read_apart():
    import os
    import time

    from bench import machine

    user0, kernel0 = machine.user_system_seconds(os.getpid())
    switches0 = machine.context_switches(os.getpid())
    assert sum(i * i for i in range(2_000_000)) > 0  # a fraction of a second of Python, no system calls
    for _ in range(5):
        time.sleep(0.001)  # each sleep gives the core up: a voluntary context switch
    user1, kernel1 = machine.user_system_seconds(os.getpid())
    assert user1 - user0 >= 0.05  # /proc counts in ticks of 10 ms
    assert kernel1 >= kernel0
    assert machine.context_switches(os.getpid()) - switches0 >= 5


def test_the_profile_section_states_the_kernel_share_of_settlement_cpu():
    lines = report._kernel_line(
        {"user_ms_per_call": 6.0, "system_ms_per_call": 2.0, "context_switches_per_call": 205.0}
    )
    text = " ".join(lines)
    assert "6.000 ms in its own code" in text and "2.000 ms in the kernel" in text
    assert "(25.0%" in text and "205.0 context switches" in text
    assert report._kernel_line({}) == []


@pytest.mark.parametrize(
    ("arrived", "chunk", "left", "lookups"),
    [
        (range(0), 4, 10, 1),  # nobody yet: one lookup of the first chunk, nothing taken
        (range(10), 4, 0, 3),  # everyone: three chunks, all taken
        (range(6), 4, 4, 2),  # the first six: the second chunk is short, the probe stops there
        ([0, 1, 3, 4, 5, 6, 7, 8, 9], 4, 7, 1),  # a straggler (2) ends the poll after its chunk
    ],
)
def test_the_arrival_probe_takes_whoever_arrived_and_keeps_looking_for_the_rest(arrived, chunk, left, lookups):
    from collections import deque

    from bench.arrival import take_arrived

    there = {f"c{i}" for i in arrived}
    queue = deque(f"c{i}" for i in range(10))
    asked: list[list[str]] = []

    def lookup(head: list[str]) -> set[str]:
        asked.append(head)
        return there & set(head)

    assert take_arrived(queue, lookup, chunk) == lookups == len(asked)
    assert len(queue) == left and {f"c{i}" for i in range(10)} - set(queue) <= there  # nobody taken who is not there
    assert all(len(h) <= chunk for h in asked)


def test_the_arrival_probe_finds_a_straggler_once_the_others_are_in():
    from collections import deque

    from bench.arrival import take_arrived

    there = {f"c{i}" for i in range(10) if i != 2}
    queue = deque(f"c{i}" for i in range(10))
    for _ in range(3):
        take_arrived(queue, lambda head: there & set(head), 4)
    assert list(queue) == ["c2"]
    there.add("c2")
    take_arrived(queue, lambda head: there & set(head), 4)
    assert not queue
