"""Opening, changing and closing visits: outpatient 2201-2203, inpatient 2401-2405."""

from __future__ import annotations

from typing import Any

from settlement.domain import inputs as inp
from settlement.domain import records as rec
from settlement.domain import visits as vs
from settlement.domain.errors import Refused

from . import records
from .common import Call, NewVisit, Outcome, check_cert, find_visit, open_visit, refuse_if_settled, set_status
from .ports import Store

OUTPATIENT_MED_TYPES = ("11", "13", "14", "41")
INPATIENT_MED_TYPES = ("21", "24")


def register(store: Store, call: Call, data: inp.Register) -> Outcome:
    psn = store.person(data.psn_no)
    check_cert(call, psn, data.mdtrt_cert_type, data.mdtrt_cert_no)
    new = NewVisit(
        vs.OUTPATIENT, vs.REGISTERED, data.psn_no, data.insutype, data.begntime, data.ipt_otp_no, data.mdtrt_cert_type
    )
    mdtrt_id = open_visit(store, call, new, psn)
    output = {"data": {"mdtrt_id": mdtrt_id, "psn_no": data.psn_no, "ipt_otp_no": data.ipt_otp_no}}
    return Outcome(output, psn_no=data.psn_no, ref_id=mdtrt_id)


def cancel_register(store: Store, call: Call, data: inp.CancelRegister) -> Outcome:
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    return cancel_visit(store, row, "2202")


def cancel_visit(store: Store, row: Any, action: str) -> Outcome:
    vs.require(action, row.kind, row.status, row.mdtrt_id)
    store.delete_fee_lines(row.mdtrt_id, unsettled_only=False)
    set_status(store, row.mdtrt_id, vs.CANCELLED)
    return Outcome(None, psn_no=row.psn_no, ref_id=row.mdtrt_id)


def visit_info(store: Store, call: Call, data: inp.VisitInfo) -> Outcome:
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    vs.require("2203", row.kind, row.status, row.mdtrt_id)
    if data.med_type not in OUTPATIENT_MED_TYPES:
        raise Refused(
            f"med_type {data.med_type} is not an outpatient type; use 11, 13, 14 or 41 "
            "(inpatient stays are opened with 2401)",
            code="MED_TYPE_UNSUPPORTED",
        )
    if data.med_type == "14" and not store.chronic_filing_active(data.psn_no, data.dise_codg, data.begntime.date()):
        raise Refused(
            "门诊慢特病 (med_type 14) needs an active chronic-disease filing (2503) for dise_codg "
            f"{data.dise_codg or '(empty)'}; file it first or use med_type 11",
            code="CHRONIC_FILING_REQUIRED",
        )
    diagnoses = records.sent_diagnoses(call)
    set_status(store, row.mdtrt_id, vs.INFO_UPLOADED, med_type=data.med_type, dise_codg=data.dise_codg)
    records.keep_diagnoses(store, call, row.mdtrt_id, rec.OUTPATIENT, diagnoses)
    return Outcome(None, psn_no=data.psn_no, ref_id=row.mdtrt_id)


def _inpatient_med_type(med_type: str | None) -> None:
    if med_type is not None and med_type not in INPATIENT_MED_TYPES:
        raise Refused(f"med_type {med_type} is not an inpatient type; use 21 or 24", code="MED_TYPE_UNSUPPORTED")


def admit(store: Store, call: Call, data: inp.Admit) -> Outcome:
    _inpatient_med_type(data.med_type)
    diagnoses = records.sent_diagnoses(call)
    psn = store.person(data.psn_no)
    check_cert(call, psn, data.mdtrt_cert_type, data.mdtrt_cert_no)
    new = NewVisit(
        vs.INPATIENT,
        vs.ADMITTED,
        data.psn_no,
        data.insutype,
        data.begntime,
        data.ipt_no,
        data.mdtrt_cert_type,
        data.med_type,
        data.dise_codg,
    )
    mdtrt_id = open_visit(store, call, new, psn)
    records.keep_diagnoses(store, call, mdtrt_id, rec.ADMISSION, diagnoses)
    return Outcome({"result": {"mdtrt_id": mdtrt_id}}, psn_no=data.psn_no, ref_id=mdtrt_id)


def discharge(store: Store, call: Call, data: inp.Discharge) -> Outcome:
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    vs.require("2402", row.kind, row.status, row.mdtrt_id)
    if data.endtime < row.begntime:
        raise Refused(f"endtime {data.endtime:%Y-%m-%d %H:%M:%S} is before the admission", code="INPUT_INVALID")
    diagnoses = records.sent_diagnoses(call)
    set_status(store, row.mdtrt_id, vs.DISCHARGED, endtime=data.endtime)
    records.keep_diagnoses(store, call, row.mdtrt_id, rec.DISCHARGE, diagnoses)
    return Outcome(None, psn_no=data.psn_no, ref_id=row.mdtrt_id)


def change_admission(store: Store, call: Call, data: inp.AdmissionChange) -> Outcome:
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    vs.require("2403", row.kind, row.status, row.mdtrt_id)
    _inpatient_med_type(data.med_type)
    changes = {k: getattr(data, k) for k in ("med_type", "begntime", "dise_codg") if getattr(data, k) is not None}
    diagnoses = records.sent_diagnoses(call)
    set_status(store, row.mdtrt_id, row.status, **changes)
    records.keep_diagnoses(store, call, row.mdtrt_id, rec.ADMISSION, diagnoses)
    return Outcome(None, psn_no=data.psn_no, ref_id=row.mdtrt_id)


def cancel_admission(store: Store, call: Call, data: inp.VisitRef) -> Outcome:
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    refuse_if_settled(store, row)
    return cancel_visit(store, row, "2404")


def undo_discharge(store: Store, call: Call, data: inp.VisitRef) -> Outcome:
    row = find_visit(store, call, data.mdtrt_id, data.psn_no, lock=True)
    vs.require("2405", row.kind, row.status, row.mdtrt_id)
    set_status(store, row.mdtrt_id, vs.ADMITTED, endtime=None)
    records.drop_diagnoses(store, row.mdtrt_id, rec.DISCHARGE)
    return Outcome(None, psn_no=data.psn_no, ref_id=row.mdtrt_id)
