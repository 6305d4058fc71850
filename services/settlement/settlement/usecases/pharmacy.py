"""2101 药店预结算, 2102 药店结算, 2103 药店结算撤销: a purchase at a designated retail pharmacy.

The purchase is priced by the same engine and shaped by the same answers as an outpatient visit
(settling.price, outputs.setlinfo / setldetail / fee_result), and settled by the same
record_settlement: the settlement row, the accumulators, the account payment and the
settlement.settlements.v1 event (clr_type 41, med_type 41). 2102 stores the purchase as a visit of
kind "pharmacy" with the drug lines as its fee lines, so 5203, 5204, 2601 and 3201 read it as they
read any settlement. 2103 reverses it through settling's reversal, once.

Passwords: 2102 is one of the password-checked settlements of the national spec; the platform runs
in the spec's MOCK mode (docs/his-integration.md), so the credential is checked, the password is not.
"""

from __future__ import annotations

from typing import Any

from settlement import outputs
from settlement.domain import eligibility
from settlement.domain import pharmacy as ph
from settlement.domain.errors import Refused
from settlement.policy import FeeLine

from . import settling, supervising
from .common import Call, Outcome, check_cert, find_visit, new_id
from .ports import Store


def presettle(store: Store, call: Call, info: ph.DrugInfo) -> Outcome:
    """2101: what 2102 would settle for these drugs, moving nothing (no visit, no setl_id)."""
    return _purchase(store, call, info, final=False)


def settle(store: Store, call: Call, info: ph.DrugInfo) -> Outcome:
    """2102: open the purchase, settle it and answer its mdtrt_id and setl_id."""
    return _purchase(store, call, info, final=True)


def _purchase(store: Store, call: Call, info: ph.DrugInfo, *, final: bool) -> Outcome:
    ph.require_pharmacy(call.req.fixmedins_code, call.inst.hosp_lv, call.req.infno)
    lines = ph.read_drug_lines(call.req.input)
    ph.check_purchase(info, lines)
    psn = store.person(info.psn_no)
    # No earlier call of a purchase presented the credential, so the trial checks it too.
    check_cert(call, psn, info.mdtrt_cert_type, info.mdtrt_cert_no)
    enrollment = eligibility.insured_on(
        psn, store.enrollments(psn.psn_no), info.insutype, call.req.insuplc_admdvs, info.begntime.date()
    )
    purchase = ph.Purchase(
        # 2101 opens nothing: its mdtrt_id is empty text (point-of-sale software copies it as text).
        mdtrt_id=new_id(call.inst.admdvs, call.now) if final else "",
        psn_no=psn.psn_no,
        insutype=info.insutype,
        fixmedins_code=call.req.fixmedins_code,
        mdtrtarea_admvs=call.inst.admdvs,
        insuplc_admdvs=call.req.insuplc_admdvs,
        mdtrt_cert_type=info.mdtrt_cert_type,
        begntime=info.begntime,
        dise_codg=info.dise_codg,
    )
    fee_lines = [FeeLine(x.feedetl_sn, x.med_list_codg, x.cnt, x.pric, x.det_item_fee_sumamt) for x in lines]
    priced = settling.price(
        store,
        call,
        psn,
        enrollment,
        purchase,
        fee_lines,
        acct_used=info.acct_used_flag == "1",
        final=final,
        checked=lines,
    )
    setl_id = new_id(call.inst.admdvs, call.now) if final else None
    setlinfo = outputs.setlinfo(
        psn,
        enrollment,
        purchase,
        priced.breakdown,
        cert_type=info.mdtrt_cert_type,
        now=call.now,
        setl_id=setl_id,
        msgid=call.req.msgid,
        clr_optins=call.inst.admdvs,
    )
    details = supervising.annotate(
        [outputs.setldetail(part) for part in priced.breakdown.setldetail], priced.supervised
    )
    cut = [
        outputs.fee_result(line, classified, priced.catalogue.lookup(line.med_list_codg, call.inst.admdvs))
        for line, classified in zip(lines, priced.classified, strict=True)
    ]
    answer: dict[str, Any] = {"setlinfo": setlinfo, "setldetail": details, "detlcutinfo": cut}
    if setl_id is None:
        return Outcome(answer, psn_no=psn.psn_no)

    store.add_visit(purchase.visit_row(ph.invoice_no(info)))
    settling.record_settlement(store, call, purchase, priced, setlinfo, details, line_ids=[], status=None)
    store.add_purchase_lines(
        [
            ph.line_row(purchase.mdtrt_id, setl_id, line, classified)
            for line, classified in zip(lines, priced.classified, strict=True)
        ]
    )
    return Outcome(answer, psn_no=psn.psn_no, ref_id=setl_id)


def reverse(store: Store, call: Call, data: ph.PurchaseReversal) -> Outcome:
    """2103: give back what purchase `setl_id` took (accumulators, account), once; answered as 2208 is."""
    ph.require_pharmacy(call.req.fixmedins_code, call.inst.hosp_lv, call.req.infno)
    mdtrt_id = data.mdtrt_id
    if mdtrt_id is None:
        orig = store.settlement(data.setl_id)
        if orig is None or orig.fixmedins_code != call.req.fixmedins_code:
            raise Refused(
                f"setl_id {data.setl_id} is not a settlement of {call.req.fixmedins_code}", code="SETTLEMENT_UNKNOWN"
            )
        mdtrt_id = orig.mdtrt_id
    row = find_visit(store, call, mdtrt_id, data.psn_no, lock=True)
    if row.kind != ph.PHARMACY_KIND:
        raise Refused(
            f"mdtrt_id {row.mdtrt_id} is an {row.kind} visit, not a pharmacy purchase; reverse it with "
            f"{settling.REVERSED_WITH.get(row.kind, '2208')}",
            code="WRONG_VISIT_KIND",
        )
    outcome = settling.reverse_settlement_of(store, call, row, data.setl_id)
    # Pharmacy software reads the person's share of a 2103 answer as psn_pay and cash_payamt (the names of the
    # platform's settlement columns): the same amounts as psn_part_amt and psn_cash_pay.
    info = outcome.output["setlinfo"]
    info.update(psn_pay=info["psn_part_amt"], cash_payamt=info["psn_cash_pay"])
    return outcome
