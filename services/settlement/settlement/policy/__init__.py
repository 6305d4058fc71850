"""Pure settlement arithmetic (docs/settlement-rules.md): no I/O, stdlib only.

classify_line() splits each fee line by the treating region's catalogue; settle() turns
the classified lines, the visit context, the insured region's policies and the person's
yearly accumulators into a Breakdown (setlinfo, setldetail, accumulator delta).
"""

from .classify import classify_line
from .engine import settle
from .errors import (
    ChronicFilingRequired,
    FeeLineAmountMismatch,
    PolicyDataError,
    PolicyMismatch,
    SettlementRuleError,
    UnsupportedVisit,
)
from .model import (
    Accumulators,
    AssistancePolicy,
    Breakdown,
    Catalogue,
    CatalogueItem,
    FeeLine,
    FilingKind,
    LineResult,
    LocationClass,
    RegionPolicy,
    Scope,
    SetlDetail,
    VisitContext,
    rnd,
    scope_of,
)
from .monitoring import ThresholdCrossed, crossed_thresholds
from .out_of_area import FilingRecord, covering_filing, location_class, ratio_reduction

__all__ = [
    "Accumulators",
    "AssistancePolicy",
    "Breakdown",
    "Catalogue",
    "CatalogueItem",
    "ChronicFilingRequired",
    "FeeLine",
    "FeeLineAmountMismatch",
    "FilingKind",
    "FilingRecord",
    "LineResult",
    "LocationClass",
    "PolicyDataError",
    "PolicyMismatch",
    "RegionPolicy",
    "Scope",
    "SetlDetail",
    "SettlementRuleError",
    "ThresholdCrossed",
    "UnsupportedVisit",
    "VisitContext",
    "classify_line",
    "covering_filing",
    "crossed_thresholds",
    "location_class",
    "ratio_reduction",
    "rnd",
    "scope_of",
    "settle",
]
