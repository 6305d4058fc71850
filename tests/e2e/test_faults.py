"""The short fault run: hospitals settle without pause while the broker, settlement,
remote-care and PostgreSQL are killed and brought back (`make chaos` runs the long one)."""

from __future__ import annotations

import pytest
from chaos.run import SHORT, run


@pytest.fixture(scope="module")
def chaos(tmp_path_factory):
    return run(tmp_path_factory.mktemp("chaos"), SHORT, say=lambda _m: None)


def test_every_settlement_a_hospital_saw_succeed_is_stored_exactly_once(chaos):
    f = chaos.findings
    assert f.acknowledged > 0 and len(chaos.faults) == 3
    assert f.lost == []
    assert f.doubled == []
    assert f.stored == f.acknowledged + f.unacknowledged


def test_hospitals_retrying_with_the_same_msgid_got_the_original_answer_and_no_second_settlement(chaos):
    assert chaos.tally.dropped_answers > 0 and chaos.findings.retried_settlements >= chaos.tally.dropped_answers
    assert chaos.tally.replay_mismatches == []
    assert chaos.tally.gave_up == 0
    assert chaos.findings.doubled == []


def test_every_stored_out_of_area_settlement_reached_clearing_exactly_once(chaos):
    f = chaos.findings
    assert f.out_of_area > 0
    assert f.clearing_missing == []
    assert f.clearing_doubled == []


def test_callers_met_only_clean_refusals_while_things_were_down(chaos):
    outcomes = chaos.tally.outcomes
    assert outcomes["connection"] + outcomes["503"] + outcomes["timeout"] > 0
    assert 503 in chaos.probes
    assert chaos.tally.unclean == []


def test_outboxes_drained_and_consumers_caught_up_by_themselves(chaos):
    f = chaos.findings
    assert sum(f.outbox_backlog.values()) == 0, f.outbox_backlog
    assert sum(f.consumer_gaps.values()) == 0, f.consumer_gaps
