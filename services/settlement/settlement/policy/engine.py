"""Rules sections 2-8: one settlement, from classified lines to setlinfo / setldetail.

settle() is pure: the caller passes the accumulators as they stand and applies the
returned `delta` when it commits (pre-settlement simply ignores it); a reversal subtracts
the same delta, so it gives back exactly what the settlement took.

Choices where the rules leave room, and why:
- A settlement whose net fee parts are negative (refund lines of lines settled earlier)
  is refused: the funds' windows and caps cannot run backwards safely, and a bureau
  expects the earlier settlement to be reversed and the stay settled again.
- A person with an assistance identity but no assistance policy (or an identity that
  policy does not know) is refused rather than settled without 医疗救助: silently denying
  a 低保 patient their layer is worse than a clear data error at the counter.
- `covered` (rules 3.6) is clamped to `eligible`: rounding cap_rem / r can otherwise come
  out one cent above eligible and make over_cap -0.01.
- A chronic deductible, if a region ever sets one, accumulates per year like the
  outpatient one (every 2026 policy has 0).
- Yearly self-paid (monitoring) is psn_part_amt: account money is the person's money too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

from .errors import (
    ChronicFilingRequired,
    PolicyDataError,
    PolicyMismatch,
    SettlementRuleError,
    UnsupportedVisit,
)
from .model import (
    CENT,
    CLR_TYPE,
    EMPLOYEE,
    RESIDENT,
    SETLINFO_AMOUNTS,
    ZERO,
    Accumulators,
    AssistancePolicy,
    Breakdown,
    LineResult,
    RegionPolicy,
    Scope,
    SetlDetail,
    VisitContext,
    pick_ratio,
    rnd,
    scope_of,
)
from .out_of_area import location_class, ratio_reduction

PHARMACY_LEVEL = "pharmacy"

FUND_NAMES = {
    "310100": "职工基本医疗保险统筹基金",
    "390100": "城乡居民基本医疗保险基金",
    "320100": "公务员医疗补助基金",
    "330100": "职工大额医疗费用补助基金",
    "390200": "城乡居民大病医疗保险基金",
    "610100": "医疗救助基金",
    "310200": "职工基本医疗保险个人账户基金",
}
BASIC_FUND = {EMPLOYEE: "310100", RESIDENT: "390100"}


class _Ledger:
    """Collects setldetail rows and the accumulator delta while the layers run."""

    def __init__(self, inscp: Decimal) -> None:
        self.inscp = inscp
        self.details: list[SetlDetail] = []
        self.delta: dict[str, Decimal] = {}

    def pay(self, fund: str, amount: Decimal, limit: Decimal | None, info: str) -> None:
        if amount != 0:
            self.details.append(SetlDetail(fund, FUND_NAMES[fund], self.inscp, limit, amount, info))


@dataclass(frozen=True)
class _Basic:
    act_pay_dedc: Decimal
    ratio: Decimal
    hifp_pay: Decimal
    covered: Decimal
    over_cap: Decimal


def settle(
    lines: Sequence[LineResult],
    ctx: VisitContext,
    policy: RegionPolicy,
    assistance: AssistancePolicy | None,
    accum: Accumulators,
) -> Breakdown:
    scope = scope_of(ctx.med_type)
    _check_visit(ctx, policy, scope, lines)
    refs = [policy.ref]

    fulamt = sum((x.fulamt_ownpay_amt for x in lines), ZERO)
    overlmt = sum((x.overlmt_amt for x in lines), ZERO)
    preselfpay = sum((x.preselfpay_amt for x in lines), ZERO)
    inscp = sum((x.inscp_scp_amt for x in lines), ZERO)
    if min(fulamt, overlmt, preselfpay, inscp) < 0:
        raise SettlementRuleError(
            "the refund lines outweigh the lines being settled; reverse the earlier "
            "settlement and settle the stay again",
            code="NEGATIVE_SETTLEMENT",
        )
    medfee = fulamt + overlmt + preselfpay + inscp

    location = location_class(ctx.insuplc_admdvs, ctx.treating_admdvs)
    reduction = ratio_reduction(policy.out_of_area, location, ctx.filing, ctx.med_type)
    ledger = _Ledger(inscp)

    # Layer 1: basic pooled fund.
    if scope is Scope.PHARMACY:
        basic = _Basic(ZERO, ZERO, ZERO, ZERO, ZERO)
    else:
        basic = _basic_pool(ctx, policy, scope, accum, reduction, ledger)

    # Layer 2a: employees' 大额 and civil-servant subsidy.
    hifob = cvlserv = ZERO
    if ctx.insutype == EMPLOYEE and scope in (Scope.CHRONIC, Scope.INPATIENT):
        hifob = _large_amount(policy, accum, basic, ledger)
        if ctx.cvlserv_flag:
            cvlserv = _civil_servant(policy, basic, ledger)

    # Layer 2b: residents' 大病.
    hifmi = ZERO
    if ctx.insutype == RESIDENT and scope in (Scope.CHRONIC, Scope.INPATIENT):
        hifmi = _critical_illness(ctx, policy, accum, inscp - basic.hifp_pay, ledger)

    # Layer 3: medical assistance.
    maf = ZERO
    if ctx.identity is not None and scope is not Scope.PHARMACY:
        assist = _assistance_for(ctx, assistance)
        refs.append(assist.ref)
        base = inscp - basic.hifp_pay - hifob - cvlserv - hifmi
        maf = _medical_assistance(ctx.identity, assist, accum, base, ledger)

    # Totals (section 8).
    hifes = oth = ZERO
    fund_sum = basic.hifp_pay + cvlserv + hifes + hifmi + hifob + maf + oth
    psn_part = medfee - fund_sum
    acct_pay = ZERO
    if ctx.insutype == EMPLOYEE and ctx.acct_used_flag:
        acct_pay = max(ZERO, min(ctx.acct_balance, psn_part))
    balc = ctx.acct_balance - acct_pay
    ledger.pay(
        "310200",
        acct_pay,
        ctx.acct_balance,
        f"个人账户 余额 {_m(ctx.acct_balance)} 支付 {_m(acct_pay)} 余 {_m(balc)}",
    )
    ledger.delta.update(total_cost=medfee, self_paid=psn_part)

    breakdown = Breakdown(
        medfee_sumamt=medfee,
        fulamt_ownpay_amt=fulamt,
        overlmt_selfpay=overlmt,
        preselfpay_amt=preselfpay,
        inscp_scp_amt=inscp,
        act_pay_dedc=basic.act_pay_dedc,
        hifp_pay=basic.hifp_pay,
        pool_prop_selfpay=basic.ratio,
        cvlserv_pay=cvlserv,
        hifes_pay=hifes,
        hifmi_pay=hifmi,
        hifob_pay=hifob,
        maf_pay=maf,
        oth_pay=oth,
        fund_pay_sumamt=fund_sum,
        psn_part_amt=psn_part,
        acct_pay=acct_pay,
        psn_cash_pay=psn_part - acct_pay,
        hosp_part_amt=ZERO,
        balc=balc,
        setldetail=tuple(ledger.details),
        delta=Accumulators(**ledger.delta),
        policy_refs=tuple(refs),
        scope=scope,
        location=location,
        ratio_reduction=reduction,
        clr_type=CLR_TYPE[scope],
    )
    return _cents(breakdown)


def _cents(breakdown: Breakdown) -> Breakdown:
    """Every amount with exactly two decimals, as the interface prints them.

    Amounts are exact cents already; this only fixes the exponent of values that came
    straight from inputs written without decimals (a balance of "5000").
    """
    info = breakdown.setlinfo()
    amounts = {name: info[name].quantize(CENT) for name in SETLINFO_AMOUNTS}
    details = tuple(
        replace(
            part,
            fund_payamt=part.fund_payamt.quantize(CENT),
            inscp_scp_amt=part.inscp_scp_amt.quantize(CENT),
            crt_payb_lmt_amt=None if part.crt_payb_lmt_amt is None else part.crt_payb_lmt_amt.quantize(CENT),
        )
        for part in breakdown.setldetail
    )
    return replace(breakdown, setldetail=details, **cast("dict[str, Any]", amounts))


def _check_visit(ctx: VisitContext, policy: RegionPolicy, scope: Scope, lines: Sequence[LineResult]) -> None:
    if ctx.insutype not in (EMPLOYEE, RESIDENT):
        raise UnsupportedVisit(f"insutype {ctx.insutype!r} is not settled here; use 310 or 390")
    if (policy.admdvs, policy.insutype) != (ctx.insuplc_admdvs, ctx.insutype):
        raise PolicyMismatch(
            f"policy {policy.ref} is for {policy.admdvs}/{policy.insutype}, "
            f"the person is insured in {ctx.insuplc_admdvs}/{ctx.insutype}"
        )
    if (scope is Scope.PHARMACY) != (ctx.hosp_lv == PHARMACY_LEVEL):
        raise UnsupportedVisit(
            "med_type 41 is for designated pharmacies only, and pharmacies settle only 41",
            code="MED_TYPE_UNSUPPORTED",
        )
    if scope is Scope.CHRONIC and not ctx.chronic_filing_active:
        raise ChronicFilingRequired(
            "门诊慢特病 (med_type 14) needs an active chronic-disease filing (2503) for "
            "this disease; file it first or settle as med_type 11"
        )
    if not lines:
        raise UnsupportedVisit("there are no fee lines to settle", code="NOTHING_TO_SETTLE")


def _basic_pool(
    ctx: VisitContext,
    policy: RegionPolicy,
    scope: Scope,
    accum: Accumulators,
    reduction: Decimal,
    ledger: _Ledger,
) -> _Basic:
    retired = ctx.insutype == EMPLOYEE and ctx.psn_type in policy.retired_psn_types
    if ctx.insutype == EMPLOYEE:
        person = "retired" if retired else "in_service"
    elif ctx.tier is None:
        raise UnsupportedVisit("the resident has no contribution tier for this year")
    else:
        person = ctx.tier

    dedc_field: str | None  # the yearly deductible accumulator, if the scope has one
    if scope is Scope.OUTPATIENT:
        pool = policy.outpatient
        deductible, used = pool.deductible, accum.outpatient_dedc
        base_ratio = pick_ratio(pool.ratios, person, f"{policy.ref} outpatient")
        cap, paid, cap_field, dedc_field = (
            pool.annual_cap,
            accum.hifp_outpatient,
            "hifp_outpatient",
            "outpatient_dedc",
        )
    else:
        if scope is Scope.INPATIENT:
            inp = policy.inpatient
            if ctx.hosp_lv not in inp.deductible_by_level or ctx.hosp_lv not in inp.ratio_by_level:
                raise UnsupportedVisit(f"{policy.ref} has no inpatient terms for hospital level {ctx.hosp_lv!r}")
            deductible, used = inp.deductible_by_level[ctx.hosp_lv], ctx.mdtrt_dedc_applied
            base_ratio = inp.ratio_by_level[ctx.hosp_lv] + (inp.retired_bonus if retired else ZERO)
            dedc_field = None  # per admission: the caller sums act_pay_dedc per mdtrt_id
        else:
            deductible, used = policy.chronic.deductible, accum.chronic_dedc
            base_ratio = pick_ratio(policy.chronic.ratios, person, f"{policy.ref} chronic")
            dedc_field = "chronic_dedc"
        cap, paid, cap_field = policy.main_annual_cap, accum.hifp_main, "hifp_main"

    act = min(ledger.inscp, max(ZERO, deductible - used))
    eligible = ledger.inscp - act
    ratio = max(ZERO, base_ratio - reduction)
    raw = rnd(eligible * ratio)
    cap_rem = max(ZERO, cap - paid)
    hifp = min(raw, cap_rem)
    if raw > cap_rem:
        covered = min(eligible, rnd(cap_rem / ratio)) if ratio > 0 else ZERO
    else:
        covered = eligible

    if dedc_field:
        ledger.delta[dedc_field] = act
    ledger.delta[cap_field] = hifp
    ratio_text = _r(ratio)
    if reduction:
        ratio_text += f" (基础 {_r(base_ratio)} 异地降低 {_r(reduction)})"
    ledger.pay(
        BASIC_FUND[ctx.insutype],
        hifp,
        cap_rem,
        f"起付线 {_m(deductible)} 已用 {_m(used)} 本次 {_m(act)}; 比例 {ratio_text}; "
        f"年度限额 {_m(cap)} 已付 {_m(paid)}",
    )
    return _Basic(act, ratio, hifp, covered, eligible - covered)


def _large_amount(policy: RegionPolicy, accum: Accumulators, basic: _Basic, ledger: _Ledger) -> Decimal:
    ob = policy.large_amount
    if ob is None:
        raise PolicyDataError(f"{policy.ref} has no 大额 (large_amount) terms")
    cap_rem = max(ZERO, ob.annual_cap - accum.hifob_paid)
    hifob = min(rnd(basic.over_cap * ob.ratio), cap_rem)
    ledger.delta["hifob_paid"] = hifob
    ledger.pay(
        "330100",
        hifob,
        cap_rem,
        f"统筹限额以上 {_m(basic.over_cap)}; 比例 {_r(ob.ratio)}; "
        f"年度限额 {_m(ob.annual_cap)} 已付 {_m(accum.hifob_paid)}",
    )
    return hifob


def _civil_servant(policy: RegionPolicy, basic: _Basic, ledger: _Ledger) -> Decimal:
    if policy.civil_servant_ratio is None:
        raise PolicyDataError(f"{policy.ref} has no civil-servant subsidy ratio")
    base = basic.act_pay_dedc + basic.covered - basic.hifp_pay
    cvlserv = rnd(base * policy.civil_servant_ratio)
    ledger.pay(
        "320100",
        cvlserv,
        None,
        f"起付线 {_m(basic.act_pay_dedc)} + 限额内 {_m(basic.covered)} - 统筹 "
        f"{_m(basic.hifp_pay)} = {_m(base)}; 比例 {_r(policy.civil_servant_ratio)}; 不设限额",
    )
    return cvlserv


def _critical_illness(
    ctx: VisitContext, policy: RegionPolicy, accum: Accumulators, base: Decimal, ledger: _Ledger
) -> Decimal:
    ci = policy.critical_illness
    if ci is None:
        raise PolicyDataError(f"{policy.ref} has no 大病 (critical_illness) terms")
    tilted = ctx.identity is not None and ctx.identity in ci.tilt.identities
    deductible = rnd(ci.deductible * ci.tilt.deductible_factor) if tilted else ci.deductible
    bonus = ci.tilt.rate_bonus if tilted else ZERO
    before, after = accum.hifmi_base, accum.hifmi_base + base
    low, high = max(ZERO, before - deductible), max(ZERO, after - deductible)
    raw = rnd(
        sum(
            (_overlap(low, high, segment.lower, segment.upper) * (segment.rate + bonus) for segment in ci.segments),
            ZERO,
        )
    )
    capped = not tilted or ci.tilt.capped
    cap_rem = max(ZERO, ci.annual_cap - accum.hifmi_paid) if capped else None
    hifmi = raw if cap_rem is None else min(raw, cap_rem)
    ledger.delta.update(hifmi_base=base, hifmi_paid=hifmi)
    segments = ", ".join(
        f"[{_m(seg.lower)}, {'∞' if seg.upper is None else _m(seg.upper)}) {_r(seg.rate + bonus)}"
        for seg in ci.segments
    )
    cap_text = f"年度限额 {_m(ci.annual_cap)} 已付 {_m(accum.hifmi_paid)}" if capped else "倾斜 不设限额"
    ledger.pay(
        "390200",
        hifmi,
        cap_rem,
        f"本次基数 {_m(base)}; 年度累计 {_m(before)} -> {_m(after)}; "
        f"起付线 {_m(deductible)}{' (倾斜减半)' if tilted else ''}; 分段 {segments}; {cap_text}",
    )
    return hifmi


def _assistance_for(ctx: VisitContext, assistance: AssistancePolicy | None) -> AssistancePolicy:
    if assistance is None or assistance.admdvs != ctx.insuplc_admdvs:
        raise PolicyDataError(f"no medical-assistance policy of {ctx.insuplc_admdvs} for identity {ctx.identity}")
    if ctx.identity not in assistance.identities:
        raise PolicyDataError(f"{assistance.ref} does not know identity {ctx.identity!r}")
    return assistance


def _medical_assistance(
    identity: str, assist: AssistancePolicy, accum: Accumulators, base: Decimal, ledger: _Ledger
) -> Decimal:
    terms = assist.identities[identity]
    before, after = accum.maf_base, accum.maf_base + base
    window = max(ZERO, after - terms.threshold) - max(ZERO, before - terms.threshold)
    cap_rem = max(ZERO, assist.annual_cap - accum.maf_paid)
    maf = min(rnd(window * terms.ratio), cap_rem)
    ledger.delta.update(maf_base=base, maf_paid=maf)
    ledger.pay(
        "610100",
        maf,
        cap_rem,
        f"救助身份 {identity} {terms.name}; 本次基数 {_m(base)}; 年度累计 {_m(before)} -> "
        f"{_m(after)}; 起付线 {_m(terms.threshold)}; 比例 {_r(terms.ratio)}; "
        f"年度限额 {_m(assist.annual_cap)} 已付 {_m(accum.maf_paid)}",
    )
    return maf


def _overlap(low: Decimal, high: Decimal, lower: Decimal, upper: Decimal | None) -> Decimal:
    top = high if upper is None else min(high, upper)
    return max(ZERO, top - max(low, lower))


def _m(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _r(ratio: Decimal) -> str:
    return f"{ratio:.2f}" if ratio == ratio.quantize(Decimal("0.01")) else str(ratio)
