"""Anti-relapse-into-poverty monitoring: yearly totals passing the policy's thresholds.

Why "before < threshold <= after": reaching the line exactly counts as passing it, so a
person whose costs land on 100,000.00 is not missed; a reversal that goes back below a
line raises nothing (the civil-affairs push is monthly and keeps the earlier flag).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .model import Accumulators, Monitoring


@dataclass(frozen=True)
class ThresholdCrossed:
    measure: str  # "total_cost" | "self_paid"
    threshold: Decimal
    value: Decimal  # the yearly total after the settlement


def crossed_thresholds(
    before: Accumulators, after: Accumulators, has_identity: bool, monitoring: Monitoring
) -> list[ThresholdCrossed]:
    self_paid_line = monitoring.self_paid_threshold_identity if has_identity else monitoring.self_paid_threshold
    checks = [("total_cost", t) for t in monitoring.total_cost_thresholds]
    checks.append(("self_paid", self_paid_line))
    events = []
    for measure, threshold in checks:
        old, new = getattr(before, measure), getattr(after, measure)
        if old < threshold <= new:
            events.append(ThresholdCrossed(measure, threshold, new))
    return events
