"""Settling a visit (2206/2207 outpatient, 2303/2304 inpatient) and giving it back (2208, 2305, 2601).

price() and record_settlement() are the two halves of every settlement, pharmacy purchases
(usecases/pharmacy.py) included; a pharmacy purchase is reversed here too (2103, 2601).

A settlement and everything it moves commit in one unit of work: the settlement row, its fee
lines marked, the person's yearly accumulators, the personal-account entry, the visit's state
and the outbox events. A reversal gives back exactly what the settlement took (its stored
accumulator delta and account payment), once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from medshared import jsonutil
from medshared.money import ZERO, money
from settlement import outputs
from settlement.domain import eligibility
from settlement.domain import inputs as inp
from settlement.domain import visits as vs
from settlement.domain.errors import Refused
from settlement.domain.pharmacy import PHARMACY_KIND
from settlement.messaging import contracts
from settlement.policy import (
    Accumulators,
    Breakdown,
    Catalogue,
    FeeLine,
    LineResult,
    VisitContext,
    classify_line,
    covering_filing,
    crossed_thresholds,
    settle,
)

from . import supervising
from .common import (
    MOBILE_PAY,
    Call,
    Outcome,
    check_cert,
    find_visit,
    new_id,
    refuse_if_settled,
    set_status,
)
from .ports import Store

FINAL = ("2207", "2304")
INPATIENT = ("2303", "2304")
PHARMACY_FINAL = "2102"
# The infno that reverses a settlement of each visit kind by setl_id.
REVERSED_WITH = {vs.OUTPATIENT: "2208", vs.INPATIENT: "2305", PHARMACY_KIND: "2103"}


def settle_visit(store: Store, call: Call, data: inp.Settle) -> Outcome:
    """2206 / 2303 answer what 2207 / 2304 would settle, without moving anything."""
    infno = call.req.infno
    final, inpatient = infno in FINAL, infno in INPATIENT
    mid = inpatient and data.mid_setl_flag == "1"
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=final)
    vs.require(infno + ("-mid" if mid else ""), row.kind, row.status, row.mdtrt_id)
    psn = store.person(data.psn_no)
    if final:
        # A trial moves nothing and the visit's credential was checked when it was opened; deployed
        # software sends placeholders there (the certificate type for its number). The final
        # settlement checks the credential again.
        check_cert(call, psn, data.mdtrt_cert_type, data.mdtrt_cert_no)
    if data.insutype != row.insutype:
        raise Refused(f"insutype {data.insutype} differs from the visit's {row.insutype}", code="INPUT_INVALID")
    enrollment = eligibility.insured_on(
        psn, store.enrollments(psn.psn_no), row.insutype, call.req.insuplc_admdvs, row.begntime.date()
    )
    if data.med_type and data.med_type != row.med_type:
        raise Refused(
            f"med_type {data.med_type} differs from the visit's {row.med_type} (2203 / 2401); "
            "correct the visit or the settlement request",
            code="INPUT_INVALID",
        )
    lines = _unsettled_lines(store, row, data, inpatient)
    fee_lines = [
        FeeLine(r.feedetl_sn, r.med_list_codg, r.cnt, r.pric, r.det_item_fee_sumamt, r.init_feedetl_sn) for r in lines
    ]
    priced = price(
        store, call, psn, enrollment, row, fee_lines, acct_used=data.acct_used_flag == "1", final=final, checked=lines
    )
    setl_id = new_id(call.inst.admdvs, call.now) if final else None
    info = outputs.setlinfo(
        psn,
        enrollment,
        row,
        priced.breakdown,
        cert_type=data.mdtrt_cert_type,
        now=call.now,
        setl_id=setl_id,
        msgid=call.req.msgid,
        clr_optins=call.inst.admdvs,
    )
    details = supervising.annotate(
        [outputs.setldetail(part) for part in priced.breakdown.setldetail], priced.supervised
    )
    if setl_id is None:
        return Outcome({"setlinfo": info, "setldetail": details}, psn_no=psn.psn_no)
    record_settlement(
        store,
        call,
        row,
        priced,
        info,
        details,
        line_ids=[r.id for r in lines],
        status=vs.after_settlement(row.kind, mid, row.status),
        per_admission=inpatient,
        mid=mid,
    )
    return Outcome({"setlinfo": info, "setldetail": details}, psn_no=psn.psn_no, ref_id=setl_id)


@dataclass(frozen=True)
class Priced:
    """One settlement as the engine computed it, with what it read: the year's accumulators before it,
    the classified lines, the catalogue and the policies used."""

    breakdown: Breakdown
    accum: Accumulators
    classified: list[LineResult]
    catalogue: Catalogue
    identity: str | None
    monitoring: Any
    versions: dict[str, str]
    supervised: supervising.Supervised = supervising.NOTHING


def price(
    store: Store,
    call: Call,
    psn: Any,
    enrollment: Any,
    row: Any,
    lines: list[FeeLine],
    *,
    acct_used: bool,
    final: bool,
    checked: Sequence[Any] = (),
) -> Priced:
    """Classify the lines by the treating region's catalogue and run the insured region's policy over
    them (docs/settlement-rules.md). `row` is the visit, or a pharmacy purchase shaped like one; with
    `final` the person's yearly accumulators are row-locked until the unit of work ends. The fund
    supervision rules in force run over `checked` (the lines as uploaded, with their times) first."""
    day = call.now.date()
    in_force = store.in_force(enrollment.insuplc_admdvs, row.insutype, day)
    catalogue, policy, assistance = in_force.catalogue, in_force.policy, in_force.assistance
    supervised = (
        supervising.supervise(store, call, psn, row, checked, in_force.rules)
        if checked and call.supervise
        else supervising.NOTHING
    )
    classified = [classify_line(line, catalogue, call.inst.admdvs) for line in lines]
    classified = supervising.exclude(classified, supervised.excluded)
    identity = eligibility.assistance_identity(store.identities_on(psn.psn_no, row.begntime))
    accum = store.lock_accumulators(psn.psn_no, day.year) if final else store.read_accumulators(psn.psn_no, day.year)
    deductible_applied = store.deductible_applied(row.mdtrt_id) if row.mdtrt_id else ZERO
    ctx = VisitContext(
        insutype=row.insutype,
        psn_type=enrollment.psn_type,
        med_type=row.med_type,
        hosp_lv=call.inst.hosp_lv,
        insuplc_admdvs=enrollment.insuplc_admdvs,
        treating_admdvs=call.inst.admdvs,
        tier=enrollment.tier,
        cvlserv_flag=enrollment.cvlserv_flag == "1",
        filing=covering_filing(store.filings(psn.psn_no), call.inst.admdvs, row.begntime.date()),
        identity=identity,
        acct_balance=store.balance(psn.psn_no, "310") if row.insutype == "310" else ZERO,
        acct_used_flag=acct_used,
        mdtrt_dedc_applied=deductible_applied,
        chronic_filing_active=store.chronic_filing_active(psn.psn_no, row.dise_codg, row.begntime.date()),
    )
    breakdown = settle(classified, ctx, policy, assistance, accum)
    versions = {"catalogue": f"{catalogue.catalogue_id}:{catalogue.version}", "policy": policy.ref}
    if len(breakdown.policy_refs) > 1:
        versions["assistance"] = breakdown.policy_refs[1]
    if supervised.version is not None:
        versions["supervision"] = supervised.version
    return Priced(breakdown, accum, classified, catalogue, identity, policy.monitoring, versions, supervised)


def record_settlement(
    store: Store,
    call: Call,
    row: Any,
    priced: Priced,
    info: dict[str, Any],
    details: list[dict[str, Any]],
    *,
    line_ids: list[int],
    status: str | None,
    per_admission: bool = False,
    mid: bool = False,
) -> None:
    """Apply a final settlement in the call's unit of work: the settlement row, its fee lines marked,
    the accumulators, the account payment, the visit's `status` (None: unchanged) and the events."""
    breakdown, setl_id, day = priced.breakdown, info["setl_id"], call.now.date()
    pay_loc = outputs.PAY_LOC[breakdown.location.value]
    store.add_settlement(
        {
            "setl_id": setl_id,
            "mdtrt_id": row.mdtrt_id,
            "psn_no": row.psn_no,
            "infno": call.req.infno,
            "medins_setl_id": call.req.msgid,
            "fixmedins_code": call.req.fixmedins_code,
            "insutype": row.insutype,
            "med_type": row.med_type,
            "clr_type": breakdown.clr_type,
            "clr_optins": call.inst.admdvs,
            "pay_loc": pay_loc,
            "setl_time": call.now,
            "year": day.year,
            "medfee_sumamt": breakdown.medfee_sumamt,
            "fund_pay_sumamt": breakdown.fund_pay_sumamt,
            "acct_pay": breakdown.acct_pay,
            "psn_cash_pay": breakdown.psn_cash_pay,
            "act_pay_dedc": breakdown.act_pay_dedc if per_admission else ZERO,
            "mid_setl_flag": "1" if mid else "0",
            "setlinfo": jsonutil.dumps(info),
            "setldetail": jsonutil.dumps(details),
            "delta": jsonutil.dumps(breakdown.delta.to_dict()),
            "policy_versions": jsonutil.dumps(priced.versions),
            "channel": call.channel,
        },
    )
    if line_ids:
        store.settle_fee_lines(line_ids, setl_id)
    after = priced.accum + breakdown.delta
    store.store_accumulators(row.psn_no, day.year, after)
    if breakdown.acct_pay:
        store.post_account(f"pay:{setl_id}", row.psn_no, -breakdown.acct_pay, "payment", f"setl_id {setl_id}")
    if status is not None:
        set_status(store, row.mdtrt_id, status)
    supervising.store_found(store, call, row, priced.supervised, setl_id)
    record = outputs.settlement_event(
        info,
        details,
        row,
        msgid=call.req.msgid,
        infno=call.req.infno,
        pay_loc=pay_loc,
        versions=priced.versions,
        reversed_=False,
    )
    store.stage(contracts.SETTLEMENTS_TOPIC, contracts.visit_settled(record))
    for crossed in crossed_thresholds(priced.accum, after, priced.identity is not None, priced.monitoring):
        event = contracts.cost_threshold_passed(row.psn_no, day.year, crossed.measure, crossed.threshold, crossed.value)
        store.stage(contracts.SETTLEMENTS_TOPIC, event)


def _unsettled_lines(store: Store, row: Any, data: inp.Settle, inpatient: bool) -> list[Any]:
    """The visit's unsettled lines, which medfee_sumamt must equal to the cent."""
    lines = store.unsettled_lines(row.mdtrt_id)
    if not lines:
        earlier = store.open_settlement_of(row.mdtrt_id)
        if earlier is not None:
            raise Refused(
                f"mdtrt_id {row.mdtrt_id} is already settled (setl_id {earlier.setl_id}) and has no new "
                "fee lines; reverse that settlement before settling again",
                code="ALREADY_SETTLED",
            )
        raise Refused(
            f"mdtrt_id {row.mdtrt_id} has no unsettled fee lines; upload them ({'2301' if inpatient else '2204'}) first",
            code="NOTHING_TO_SETTLE",
        )
    uploaded = sum((r.det_item_fee_sumamt for r in lines), ZERO)
    if money(uploaded) != money(data.medfee_sumamt):
        raise Refused(
            f"medfee_sumamt {money(data.medfee_sumamt)} does not match the {len(lines)} unsettled fee lines "
            f"uploaded for this visit, which total {money(uploaded)}",
            code="MEDFEE_MISMATCH",
        )
    return lines


def reverse_settlement(store: Store, call: Call, data: inp.Reverse) -> Outcome:
    """2208 (outpatient) / 2305 (inpatient) by setl_id."""
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    expected = vs.OUTPATIENT if call.req.infno == "2208" else vs.INPATIENT
    if row.kind != expected:
        raise Refused(
            f"mdtrt_id {row.mdtrt_id} is an {row.kind} visit; reverse it with {REVERSED_WITH.get(row.kind, '2208')}",
            code="WRONG_VISIT_KIND",
        )
    return reverse_settlement_of(store, call, row, data.setl_id)


def reverse_settlement_of(store: Store, call: Call, row: Any, setl_id: str) -> Outcome:
    """Give back what settlement `setl_id` of visit `row` (the caller's, row-locked) took, once."""
    orig = store.settlement(setl_id)
    if orig is None or orig.mdtrt_id != row.mdtrt_id:
        raise Refused(f"setl_id {setl_id} is not a settlement of mdtrt_id {row.mdtrt_id}", code="SETTLEMENT_UNKNOWN")
    if orig.init_setl_id is not None:
        raise Refused(f"setl_id {setl_id} is itself a reversal and cannot be reversed", code="ALREADY_REVERSED")
    if orig.reversed_by is not None:
        raise Refused(
            f"setl_id {setl_id} was already reversed (reversal setl_id {orig.reversed_by})", code="ALREADY_REVERSED"
        )
    if orig.channel == MOBILE_PAY and call.channel != MOBILE_PAY:
        # The person paid their share online: only the mobile-payment refund (6203) gives it back,
        # together with the fund share, so no money is left stranded.
        raise Refused(
            f"setl_id {setl_id} was paid by mobile payment; refund it with 6203 (医保退费) through the "
            "mobile-payment centre, which reverses the settlement and returns the person's payment",
            code="MOBILE_PAY_REFUND_REQUIRED",
        )
    accum = store.lock_accumulators(orig.psn_no, orig.year)
    delta = Accumulators.from_dict(jsonutil.loads(orig.delta))
    store.store_accumulators(orig.psn_no, orig.year, accum - delta)
    if orig.acct_pay:
        store.post_account(f"reverse:{setl_id}", orig.psn_no, orig.acct_pay, "reversal", f"setl_id {setl_id} reversed")
    new_setl_id = new_id(call.inst.admdvs, call.now)
    info, details = outputs.negated(jsonutil.loads(orig.setlinfo), jsonutil.loads(orig.setldetail), setl_id)
    info.update(
        setl_id=new_setl_id,
        setl_time=outputs.when(call.now),
        medins_setl_id=call.req.msgid,
        balc=store.balance(orig.psn_no, "310") if orig.insutype == "310" else money(ZERO),
    )
    info = outputs.complete_setlinfo(info)
    store.add_settlement(
        {
            "setl_id": new_setl_id,
            "mdtrt_id": orig.mdtrt_id,
            "psn_no": orig.psn_no,
            "infno": call.req.infno,
            "medins_setl_id": call.req.msgid,
            "fixmedins_code": orig.fixmedins_code,
            "insutype": orig.insutype,
            "med_type": orig.med_type,
            "clr_type": orig.clr_type,
            "clr_optins": orig.clr_optins,
            "pay_loc": orig.pay_loc,
            "setl_time": call.now,
            "year": orig.year,
            "medfee_sumamt": -orig.medfee_sumamt,
            "fund_pay_sumamt": -orig.fund_pay_sumamt,
            "acct_pay": -orig.acct_pay,
            "psn_cash_pay": -orig.psn_cash_pay,
            "act_pay_dedc": -orig.act_pay_dedc,
            "mid_setl_flag": orig.mid_setl_flag,
            "setlinfo": jsonutil.dumps(info),
            "setldetail": jsonutil.dumps(details),
            "delta": orig.delta,
            "policy_versions": orig.policy_versions,
            "init_setl_id": setl_id,
            "channel": call.channel,
        },
    )
    store.mark_reversed(setl_id, new_setl_id)
    store.release_fee_lines(setl_id)
    store.withdraw_violations(setl_id, by_setl_id=new_setl_id, at=call.now)
    # A reversed pharmacy purchase is over: a new purchase is a new 2102.
    after = (
        vs.CANCELLED
        if row.kind == PHARMACY_KIND
        else vs.after_reversal(row.kind, orig.mid_setl_flag == "1", row.status)
    )
    set_status(store, row.mdtrt_id, after)
    record = outputs.settlement_event(
        info,
        details,
        row,
        msgid=call.req.msgid,
        infno=call.req.infno,
        pay_loc=orig.pay_loc,
        versions=jsonutil.loads(orig.policy_versions),
        reversed_=True,
    )
    store.stage(contracts.SETTLEMENTS_TOPIC, contracts.settlement_reversed(record, setl_id))
    return Outcome({"setlinfo": info, "setldetail": details}, psn_no=orig.psn_no, ref_id=new_setl_id)


def reverse_by_msgid(store: Store, call: Call, data: inp.Reversal) -> Outcome:
    """2601 冲正: undo a registration, an admission or a settlement named by its original msgid."""
    logged = store.logged_call(call.sender, data.omsgid)
    if logged is None or logged.fixmedins_code != call.req.fixmedins_code:
        raise Refused(
            f"no successful call of {call.req.fixmedins_code} has msgid {data.omsgid}; nothing to reverse",
            code="ORIGINAL_UNKNOWN",
        )
    if logged.infno != data.oinfno:
        raise Refused(f"msgid {data.omsgid} was infno {logged.infno}, not {data.oinfno}", code="INPUT_INVALID")
    if logged.psn_no != data.psn_no:
        raise Refused(f"msgid {data.omsgid} was not a call for psn_no {data.psn_no}", code="INPUT_INVALID")
    if data.oinfno in FINAL or data.oinfno == PHARMACY_FINAL:
        orig = store.settlement(logged.ref_id)
        if orig is None:
            raise Refused(f"msgid {data.omsgid} settled nothing that can be reversed", code="ORIGINAL_UNKNOWN")
        row = find_visit(store, call, orig.mdtrt_id, data.psn_no, lock=True)
        return reverse_settlement_of(store, call, row, orig.setl_id)
    if data.oinfno in ("2201", "2401"):
        row = find_visit(store, call, logged.ref_id, data.psn_no, lock=True)
        refuse_if_settled(store, row)
        if row.status == vs.CANCELLED:
            raise Refused(f"the visit of msgid {data.omsgid} was already cancelled", code="ALREADY_REVERSED")
        store.delete_fee_lines(row.mdtrt_id, unsettled_only=False)
        set_status(store, row.mdtrt_id, vs.CANCELLED)
        return Outcome(None, psn_no=data.psn_no, ref_id=row.mdtrt_id)
    raise Refused(
        "2601 reverses a registration (2201), an admission (2401) or a settlement (2207 / 2304 / 2102)",
        code="INPUT_INVALID",
    )
