"""Inputs and outputs of the settlement arithmetic, and the versioned policy data shapes.

Every policy number lives in these dataclasses, loaded from JSON rows (`from_dict`) and
written back (`to_dict`); the engine holds none. National code tables that are not policy
(med_type -> scope, fund_pay_type names) are constants here.

Ratio tables are keyed by the person's class: a resident's contribution tier ("130",
"320") or an employee's "in_service" / "retired"; "*" means "everyone", which keeps a
region with one ratio for all tiers a one-line entry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, TypeVar

from .codec import from_jsonable, to_jsonable
from .errors import PolicyDataError, UnsupportedVisit

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

EMPLOYEE = "310"
RESIDENT = "390"

T = TypeVar("T")


def rnd(value: Decimal) -> Decimal:
    """The rules' round(): half-up to 0.01 (ties go away from zero, so refunds mirror)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class _Json:
    """from_dict / to_dict for the dataclasses stored as JSON rows."""

    @classmethod
    def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
        return from_jsonable(cls, dict(data))  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- codes


class Scope(str, Enum):
    OUTPATIENT = "outpatient"
    CHRONIC = "chronic"
    INPATIENT = "inpatient"
    PHARMACY = "pharmacy"


MED_TYPE_SCOPE: Mapping[str, Scope] = {
    "11": Scope.OUTPATIENT,
    "13": Scope.OUTPATIENT,
    "14": Scope.CHRONIC,
    "21": Scope.INPATIENT,
    "24": Scope.INPATIENT,
    "41": Scope.PHARMACY,
}
# Out of area these med_types count as a filed emergency (急诊抢救 视同已备案).
EMERGENCY_MED_TYPES = frozenset({"13", "24"})
CLR_TYPE: Mapping[Scope, str] = {
    Scope.OUTPATIENT: "11",
    Scope.CHRONIC: "11",
    Scope.INPATIENT: "21",
    Scope.PHARMACY: "41",
}


def scope_of(med_type: str) -> Scope:
    try:
        return MED_TYPE_SCOPE[med_type]
    except KeyError:
        raise UnsupportedVisit(
            f"med_type {med_type!r} is not settled here; use 11, 13, 14, 21, 24 or 41",
            code="MED_TYPE_UNSUPPORTED",
        ) from None


class LocationClass(str, Enum):
    LOCAL = "local"
    IN_PROVINCE = "in_province"
    CROSS_PROVINCE = "cross_province"


class FilingKind(str, Enum):
    RESETTLED_RETIREE = "resettled_retiree"  # 异地安置退休
    LONG_TERM_RESIDENT = "long_term_resident"  # 异地长期居住
    RESIDENT_WORKER = "resident_worker"  # 常驻异地工作
    REFERRAL = "referral"  # 异地转诊
    EMERGENCY = "emergency"  # 异地急诊抢救
    OTHER_TEMPORARY = "temporary_other"  # 其他临时外出就医 (remote-care's wire value)

    @property
    def is_long_term(self) -> bool:
        return self in _LONG_TERM


_LONG_TERM = frozenset({FilingKind.RESETTLED_RETIREE, FilingKind.LONG_TERM_RESIDENT, FilingKind.RESIDENT_WORKER})


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class CatalogueItem(_Json):
    med_list_codg: str
    name: str
    chrgitm_lv: str  # 01 甲类, 02 乙类, 03 丙类
    selfpay_prop: Decimal
    pric_uplmt_amt: Decimal | None = None
    # 医疗收费项目类别 and the item flags the national 2204/2301 answer carries ("0"/"1").
    med_chrgitm_type: str | None = None
    bas_medn_flag: str = "0"
    hi_nego_drug_flag: str = "0"
    chld_medc_flag: str = "0"
    list_sp_item_flag: str = "0"
    lmt_used_flag: str = "0"
    drt_reim_flag: str = "0"


@dataclass(frozen=True)
class Catalogue(_Json):
    """National defaults plus whole-item overrides per treating region (就医地目录)."""

    catalogue_id: str
    version: str
    effective_from: date
    items: tuple[CatalogueItem, ...]
    overrides: Mapping[str, tuple[CatalogueItem, ...]] = field(default_factory=dict)

    def lookup(self, med_list_codg: str, treating_admdvs: str) -> CatalogueItem | None:
        """The treating city's item, else its province's (xx0000), else the national one."""
        for admdvs in (treating_admdvs, treating_admdvs[:2] + "0000"):
            for item in self.overrides.get(admdvs, ()):
                if item.med_list_codg == med_list_codg:
                    return item
        for item in self.items:
            if item.med_list_codg == med_list_codg:
                return item
        return None


# --------------------------------------------------------------------------- fee lines


@dataclass(frozen=True)
class FeeLine:
    """One uploaded line of 2204 / 2301 (refunds: negative cnt, init_feedetl_sn set)."""

    feedetl_sn: str
    med_list_codg: str
    cnt: Decimal
    pric: Decimal
    det_item_fee_sumamt: Decimal
    init_feedetl_sn: str | None = None


@dataclass(frozen=True)
class LineResult:
    """The split of one line; the fields the 2204 / 2301 output `result[]` returns."""

    feedetl_sn: str
    med_list_codg: str
    det_item_fee_sumamt: Decimal
    cnt: Decimal
    pric: Decimal
    pric_uplmt_amt: Decimal | None
    selfpay_prop: Decimal
    chrgitm_lv: str
    fulamt_ownpay_amt: Decimal
    overlmt_amt: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class OutpatientPool(_Json):
    deductible: Decimal  # annual, accumulated
    ratios: Mapping[str, Decimal]
    annual_cap: Decimal


@dataclass(frozen=True)
class Inpatient(_Json):
    deductible_by_level: Mapping[str, Decimal]  # per admission
    ratio_by_level: Mapping[str, Decimal]
    retired_bonus: Decimal = ZERO  # employees: retired +0.05


@dataclass(frozen=True)
class Chronic(_Json):
    deductible: Decimal  # annual, accumulated like the outpatient one
    ratios: Mapping[str, Decimal]


@dataclass(frozen=True)
class Segment(_Json):
    """Part of the amount above the 大病 deductible: [lower, upper) paid at `rate`."""

    lower: Decimal
    upper: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class Tilt(_Json):
    """大病 tilt for people in difficulty (特困 / 低保 / 返贫致贫)."""

    identities: tuple[str, ...]
    deductible_factor: Decimal
    rate_bonus: Decimal
    capped: bool


@dataclass(frozen=True)
class CriticalIllness(_Json):
    deductible: Decimal
    segments: tuple[Segment, ...]
    annual_cap: Decimal
    tilt: Tilt


@dataclass(frozen=True)
class LargeAmount(_Json):
    ratio: Decimal
    annual_cap: Decimal


@dataclass(frozen=True)
class OutOfArea(_Json):
    """Reduction of the basic ratio (percentage points as a fraction) out of area."""

    unfiled: Decimal
    temporary_other: Decimal
    referral_emergency: Decimal = ZERO


@dataclass(frozen=True)
class Monitoring(_Json):
    total_cost_thresholds: tuple[Decimal, ...]
    self_paid_threshold: Decimal
    self_paid_threshold_identity: Decimal


@dataclass(frozen=True)
class RegionPolicy(_Json):
    """The insured region's policy for one insutype and policy year (参保地政策)."""

    policy_id: str
    version: str
    admdvs: str
    insutype: str
    year: int
    effective_from: date
    outpatient: OutpatientPool
    inpatient: Inpatient
    chronic: Chronic
    main_annual_cap: Decimal
    out_of_area: OutOfArea
    monitoring: Monitoring
    retired_psn_types: tuple[str, ...] = ()
    critical_illness: CriticalIllness | None = None  # residents
    large_amount: LargeAmount | None = None  # employees
    civil_servant_ratio: Decimal | None = None  # employees
    contribution_tiers: tuple[str, ...] = ()  # residents; enrollment reads it

    @property
    def ref(self) -> str:
        return f"{self.policy_id}:{self.version}"


@dataclass(frozen=True)
class AssistanceIdentity(_Json):
    name: str
    threshold: Decimal
    ratio: Decimal


@dataclass(frozen=True)
class AssistancePolicy(_Json):
    """Medical assistance (医疗救助) of a region: threshold and ratio per identity."""

    policy_id: str
    version: str
    admdvs: str
    year: int
    effective_from: date
    annual_cap: Decimal
    identities: Mapping[str, AssistanceIdentity]
    contribution_subsidy_ratio: Decimal = ZERO  # share of the tier assistance pays

    @property
    def ref(self) -> str:
        return f"{self.policy_id}:{self.version}"


def pick_ratio(table: Mapping[str, Decimal], key: str, what: str) -> Decimal:
    if key in table:
        return table[key]
    if "*" in table:
        return table["*"]
    raise PolicyDataError(f"{what}: no ratio for {key!r} (have {sorted(table)})")


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Accumulators(_Json):
    """Per person and policy year. The same shape is a settlement's delta."""

    outpatient_dedc: Decimal = ZERO  # outpatient-pool deductible applied
    chronic_dedc: Decimal = ZERO  # chronic deductible applied (0 in every 2026 policy)
    hifp_outpatient: Decimal = ZERO  # basic pool paid, outpatient cap group
    hifp_main: Decimal = ZERO  # basic pool paid, main cap group (chronic + inpatient)
    hifob_paid: Decimal = ZERO  # 大额
    hifmi_base: Decimal = ZERO  # 大病 base accumulated
    hifmi_paid: Decimal = ZERO
    maf_base: Decimal = ZERO  # 医疗救助 base accumulated
    maf_paid: Decimal = ZERO
    total_cost: Decimal = ZERO  # medfee_sumamt
    self_paid: Decimal = ZERO  # psn_part_amt (account + cash)

    def __add__(self, other: Accumulators) -> Accumulators:
        return self._combine(other, 1)

    def __sub__(self, other: Accumulators) -> Accumulators:
        return self._combine(other, -1)

    def _combine(self, other: Accumulators, sign: int) -> Accumulators:
        return Accumulators(
            **{f.name: getattr(self, f.name) + sign * getattr(other, f.name) for f in dataclasses.fields(self)}
        )


@dataclass(frozen=True)
class VisitContext:
    """What the engine needs to know about the person and the visit on the visit date."""

    insutype: str  # 310 | 390
    psn_type: str
    med_type: str
    hosp_lv: str  # "1" | "2" | "3" | "pharmacy"
    insuplc_admdvs: str
    treating_admdvs: str
    tier: str | None = None  # residents' contribution tier
    cvlserv_flag: bool = False
    filing: FilingKind | None = None  # out-of-area filing covering the visit
    identity: str | None = None  # psn_idet_type valid on the visit date
    acct_balance: Decimal = ZERO
    acct_used_flag: bool = False
    mdtrt_dedc_applied: Decimal = ZERO  # by earlier settlements of the same mdtrt_id
    chronic_filing_active: bool = False  # 2503 filing for dise_codg (med_type 14)


# --------------------------------------------------------------------------- output


@dataclass(frozen=True)
class SetlDetail:
    fund_pay_type: str
    fund_pay_type_name: str
    inscp_scp_amt: Decimal
    crt_payb_lmt_amt: Decimal | None
    fund_payamt: Decimal
    setl_proc_info: str


SETLINFO_AMOUNTS = (
    "medfee_sumamt",
    "fulamt_ownpay_amt",
    "overlmt_selfpay",
    "preselfpay_amt",
    "inscp_scp_amt",
    "act_pay_dedc",
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "oth_pay",
    "fund_pay_sumamt",
    "psn_part_amt",
    "acct_pay",
    "psn_cash_pay",
    "hosp_part_amt",
    "balc",
)


@dataclass(frozen=True)
class Breakdown:
    """One settlement: setlinfo amounts, setldetail rows and the accumulator delta."""

    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal
    act_pay_dedc: Decimal
    hifp_pay: Decimal
    pool_prop_selfpay: Decimal  # the basic pool's ratio r, despite the name
    cvlserv_pay: Decimal
    hifes_pay: Decimal
    hifmi_pay: Decimal
    hifob_pay: Decimal
    maf_pay: Decimal
    oth_pay: Decimal
    fund_pay_sumamt: Decimal
    psn_part_amt: Decimal
    acct_pay: Decimal
    psn_cash_pay: Decimal
    hosp_part_amt: Decimal
    balc: Decimal
    setldetail: tuple[SetlDetail, ...]
    delta: Accumulators  # reversal subtracts exactly this
    policy_refs: tuple[str, ...]  # "policy_id:version" of every policy used
    scope: Scope
    location: LocationClass
    ratio_reduction: Decimal
    clr_type: str

    def setlinfo(self) -> dict[str, Decimal]:
        """The amount fields of setlinfo, by their national names."""
        info = {name: getattr(self, name) for name in SETLINFO_AMOUNTS}
        info["pool_prop_selfpay"] = self.pool_prop_selfpay
        return info
