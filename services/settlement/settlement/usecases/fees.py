"""Fee lines: upload (2204 outpatient, 2301 inpatient, classified line by line) and withdrawal (2205, 2302).

A line is priced with its national code (med_list_codg). Where the institution mapped the line's own
code (medins_list_codg) with 3301 on the fee day, the mapping decides it: a line may leave
med_list_codg out, and one that sends another code is refused (domain.mapping.national_code)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from settlement import outputs
from settlement.domain import inputs as inp
from settlement.domain import mapping as mp
from settlement.domain import visits as vs
from settlement.domain.errors import Refused
from settlement.policy import FeeLine, classify_line

from .common import Call, Outcome, find_visit
from .departments import check_billing_departments
from .ports import Store

WITHDRAW_ALL = "0000"


def outpatient_fees(store: Store, call: Call, lines: list[inp.FeeDetail]) -> Outcome:
    return _upload(store, call, lines, "2204")


def inpatient_fees(store: Store, call: Call, lines: list[inp.FeeDetail]) -> Outcome:
    return _upload(store, call, lines, "2301")


def _upload(store: Store, call: Call, lines: list[inp.FeeDetail], infno: str) -> Outcome:
    """All lines or none: one refused line refuses the upload, naming the line."""
    first = lines[0]
    if any(x.mdtrt_id != first.mdtrt_id or x.psn_no != first.psn_no for x in lines):
        raise Refused("all lines of one upload must carry the same mdtrt_id and psn_no", code="INPUT_INVALID")
    row = find_visit(store, call, first.mdtrt_id, first.psn_no, lock=True)
    vs.require(infno, row.kind, row.status, row.mdtrt_id)
    check_billing_departments(store, call, lines)
    existing = {r.feedetl_sn: r for r in store.fee_lines(row.mdtrt_id)}
    seen: set[str] = set()
    catalogue = store.catalogue_on(call.now.date())
    mappings = mp.by_own_code(store.item_mappings(call.req.fixmedins_code, {x.medins_list_codg for x in lines}))
    result, rows = [], []
    for line in lines:
        if line.feedetl_sn in existing or line.feedetl_sn in seen:
            raise Refused(
                f"feedetl_sn {line.feedetl_sn} was already uploaded for this visit; each line needs its own feedetl_sn",
                code="DUPLICATE_LINE",
            )
        seen.add(line.feedetl_sn)
        if infno == "2204" and not line.chrg_bchno:
            raise Refused(f"fee line {line.feedetl_sn}: chrg_bchno is required", code="INPUT_INVALID")
        line, code = _priced_as(line, mappings)
        if line.cnt < 0 or line.det_item_fee_sumamt < 0:
            _check_refund(line, existing, infno)
        classified = classify_line(
            FeeLine(line.feedetl_sn, code, line.cnt, line.pric, line.det_item_fee_sumamt, line.init_feedetl_sn),
            catalogue,
            call.inst.admdvs,
        )
        rows.append(_stored(row.mdtrt_id, line, classified))
        answered = outputs.fee_result(line, classified, catalogue.lookup(code, call.inst.admdvs))
        answered["med_list_codg"] = code  # the national code it was priced with
        result.append(answered)
    store.add_fee_lines(rows)
    return Outcome({"result": result}, psn_no=first.psn_no, ref_id=row.mdtrt_id)


def _priced_as(line: inp.FeeDetail, mappings: Mapping[str, list[mp.ItemMapping]]) -> tuple[inp.FeeDetail, str]:
    """The line carrying the national code it is priced with (its mapping's, or the code as sent), and the code."""
    own = line.medins_list_codg
    code = mp.national_code(line.feedetl_sn, own, line.med_list_codg, line.fee_ocur_time.date(), mappings.get(own, []))
    return (line if code == line.med_list_codg else line.model_copy(update={"med_list_codg": code})), code


def _stored(mdtrt_id: str, line: inp.FeeDetail, classified: Any) -> dict[str, Any]:
    return {
        "mdtrt_id": mdtrt_id,
        "feedetl_sn": line.feedetl_sn,
        "chrg_bchno": line.chrg_bchno,
        "init_feedetl_sn": line.init_feedetl_sn,
        "med_list_codg": line.med_list_codg,
        "medins_list_codg": line.medins_list_codg,
        "cnt": line.cnt,
        "pric": line.pric,
        "det_item_fee_sumamt": line.det_item_fee_sumamt,
        "fulamt_ownpay_amt": classified.fulamt_ownpay_amt,
        "overlmt_amt": classified.overlmt_amt,
        "preselfpay_amt": classified.preselfpay_amt,
        "inscp_scp_amt": classified.inscp_scp_amt,
        "chrgitm_lv": classified.chrgitm_lv,
        "selfpay_prop": classified.selfpay_prop,
        "pric_uplmt_amt": classified.pric_uplmt_amt,
        "fee_ocur_time": line.fee_ocur_time,
    }


def _check_refund(line: inp.FeeDetail, existing: Mapping[str, Any], infno: str) -> None:
    if infno != "2301":
        raise Refused(
            f"fee line {line.feedetl_sn}: outpatient lines cannot be negative; withdraw lines with 2205",
            code="INPUT_INVALID",
        )
    original = existing.get(line.init_feedetl_sn or "")
    if original is None:
        raise Refused(
            f"refund line {line.feedetl_sn} must name the uploaded line it refunds in init_feedetl_sn",
            code="INPUT_INVALID",
        )
    if original.med_list_codg != line.med_list_codg or -line.cnt > original.cnt:
        raise Refused(
            f"refund line {line.feedetl_sn} must refund the same item as line {original.feedetl_sn} "
            f"and at most its quantity {original.cnt}",
            code="INPUT_INVALID",
        )


def withdraw_outpatient_fees(store: Store, call: Call, data: inp.CancelFees2205) -> Outcome:
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    vs.require("2205", row.kind, row.status, row.mdtrt_id)
    match = {} if data.chrg_bchno == WITHDRAW_ALL else {"chrg_bchno": data.chrg_bchno}
    return _delete_lines(store, row, match, f"chrg_bchno {data.chrg_bchno}")


def withdraw_inpatient_fees(store: Store, call: Call, items: list[inp.CancelFees2302]) -> Outcome:
    """2302 names one line (or 0000 for all); some HIS software sends a list of such objects, one per line."""
    first = items[0]
    if any(x.mdtrt_id != first.mdtrt_id or x.psn_no != first.psn_no for x in items):
        raise Refused("all lines of one withdrawal must carry the same mdtrt_id and psn_no", code="INPUT_INVALID")
    row = find_visit(store, call, first.mdtrt_id, first.psn_no, lock=True)
    vs.require("2302", row.kind, row.status, row.mdtrt_id)
    outcome = Outcome(None, psn_no=row.psn_no, ref_id=row.mdtrt_id)
    for item in items:
        match = {} if item.feedetl_sn == WITHDRAW_ALL else {"feedetl_sn": item.feedetl_sn}
        outcome = _delete_lines(store, row, match, f"feedetl_sn {item.feedetl_sn}")
    return outcome


def _delete_lines(store: Store, row: Any, match: dict[str, str], what: str) -> Outcome:
    """Withdraw unsettled lines. Withdrawing all (0000) of a visit that has none is a success that
    withdraws nothing: deployed HIS software sends it before every upload. A named line must exist."""
    deleted = store.delete_fee_lines(row.mdtrt_id, unsettled_only=True, **match)
    if not deleted and match:
        raise Refused(f"no unsettled fee lines match {what} on mdtrt_id {row.mdtrt_id}", code="NOTHING_TO_DELETE")
    return Outcome(None, psn_no=row.psn_no, ref_id=row.mdtrt_id)
