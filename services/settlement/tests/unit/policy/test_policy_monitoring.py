"""Monitoring thresholds: yearly total cost and yearly self-paid amounts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from policy_demo import Demo, accum

from settlement.policy import crossed_thresholds


@pytest.mark.parametrize(
    "before, after, has_identity, expected",
    [
        pytest.param(
            {"total_cost": 99000},
            {"total_cost": 100500},
            False,
            [("total_cost", "100000")],
            id="passing 100k total cost is flagged",
        ),
        pytest.param(
            {"total_cost": 99000},
            {"total_cost": 100000},
            False,
            [("total_cost", "100000")],
            id="landing exactly on 100k is flagged",
        ),
        pytest.param(
            {"total_cost": 150000},
            {"total_cost": 320000},
            False,
            [("total_cost", "200000"), ("total_cost", "300000")],
            id="one big bill passing two lines flags both",
        ),
        pytest.param(
            {"total_cost": 100000}, {"total_cost": 150000}, False, [], id="a line already passed is not flagged again"
        ),
        pytest.param(
            {"self_paid": 6000},
            {"self_paid": 8000},
            True,
            [("self_paid", "7000")],
            id="an assistance identity holder is flagged at 7k self-paid",
        ),
        pytest.param(
            {"self_paid": 6000}, {"self_paid": 8000}, False, [], id="everyone else is not flagged at 7k self-paid"
        ),
        pytest.param(
            {"self_paid": 19000},
            {"self_paid": 21000},
            False,
            [("self_paid", "20000")],
            id="everyone else is flagged at 20k self-paid",
        ),
        pytest.param(
            {"total_cost": 120000},
            {"total_cost": 90000},
            False,
            [],
            id="a reversal going back below a line flags nothing",
        ),
    ],
)
def test_crossing_a_monitoring_threshold_raises_an_event(
    demo: Demo,
    before: dict[str, Any],
    after: dict[str, Any],
    has_identity: bool,
    expected: list[tuple[str, str]],
) -> None:
    events = crossed_thresholds(accum(**before), accum(**after), has_identity, demo.policy("扎西").monitoring)

    assert [(e.measure, e.threshold) for e in events] == [(m, Decimal(t)) for m, t in expected]
