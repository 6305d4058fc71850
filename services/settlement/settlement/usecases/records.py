"""What a hospital's clerks read back from the platform's record, and person designations.

Institution records (5201 visits, 5202 diagnoses, 5204 fee lines, 5303 patients in hospital) are
the caller's own: another institution's visit answers as unknown, never as someone else's. Person
records (5205 chronic-disease drug lines, 5301 chronic filings, 5302 designations, 5304 referrals)
are answered for the one person the caller names by psn_no, whoever made them: the national answers
name the institution of each line. 2505/2506 file and revoke a person's designated institution;
a designation is recorded and answered by 5302 only: settlement does not read it.

Every list is bounded (settlement.domain.records): 5201 and 5205 read at most a year, no answer
carries more than 500 rows, more come in pages (page_num / page_size).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from medshared.money import money
from settlement import outputs
from settlement.domain import eligibility
from settlement.domain import inputs as inp
from settlement.domain import records as rec
from settlement.domain import visits as vs
from settlement.domain.errors import Refused

from .common import Call, Outcome, new_id
from .ports import Store

_NARROW = "a shorter begntime .. endtime"
# 目录类别 by the national code's first letter: X 西药 / Z 中成药 101, T 中药饮片 102, C 医用材料 301; digits 201.
_LIST_TYPE_BY_PREFIX = {"X": "101", "Z": "101", "T": "102", "C": "301"}
_STAGE_ORDER = {rec.OUTPATIENT: 0, rec.ADMISSION: 1, rec.DISCHARGE: 2}


# ---------------------------------------------------------------- diagnoses sent with the visit calls


def sent_diagnoses(call: Call) -> list[rec.Diagnosis]:
    """The diagnoses a 2203 / 2401 / 2402 / 2403 carries in input.diseinfo (checked before anything moves)."""
    return rec.diagnoses(call.req.input.get("diseinfo"))


def keep_diagnoses(store: Store, call: Call, mdtrt_id: str, stage: str, sent: list[rec.Diagnosis]) -> None:
    """A call that carries diagnoses replaces the visit's diagnoses of its stage; one without leaves them."""
    if not sent:
        return
    rows = [
        {
            "mdtrt_id": mdtrt_id,
            "stage": stage,
            "infno": call.req.infno,
            "diag_type": d.diag_type,
            "maindiag_flag": d.maindiag_flag,
            "diag_srt_no": d.diag_srt_no if d.diag_srt_no is not None else i + 1,
            "diag_code": d.diag_code,
            "diag_name": d.diag_name,
            "adm_cond": d.adm_cond,
            "diag_dept": d.diag_dept,
            "dise_dor_no": d.dise_dor_no,
            "dise_dor_name": d.dise_dor_name,
            "diag_time": d.diag_time,
            "opter_id": call.req.opter[:64],
            "opter_name": call.req.opter_name[:100],
            "recorded_at": call.now,
        }
        for i, d in enumerate(sent)
    ]
    store.replace_diagnoses(mdtrt_id, stage, rows)


def drop_diagnoses(store: Store, mdtrt_id: str, stage: str) -> None:
    store.replace_diagnoses(mdtrt_id, stage, [])


# ---------------------------------------------------------------- the institution's own records


def own_visit(store: Store, call: Call, mdtrt_id: str, psn_no: str) -> Any:
    """The caller's visit of this person; an unknown visit and another institution's answer alike."""
    row = store.visit(mdtrt_id)
    if row is None or row.fixmedins_code != call.req.fixmedins_code or row.psn_no != psn_no:
        raise Refused(
            f"mdtrt_id {mdtrt_id} is not a visit of psn_no {psn_no} at {call.req.fixmedins_code}",
            code="VISIT_UNKNOWN",
        )
    return row


def visits(store: Store, call: Call, data: rec.VisitQuery) -> Outcome:
    """5201: the person's visits at the calling institution that began in begntime .. endtime."""
    begin, end = rec.period(data.begntime, data.endtime, call.now)
    psn = store.person(data.psn_no)
    page = rec.page_of(data)
    found = store.visits_of(call.req.fixmedins_code, psn.psn_no, begin, end, data.med_type, data.mdtrt_id, page)
    rows = rec.answered(page, found, "visits", _NARROW)
    enrollments = store.enrollments(psn.psn_no)
    by_visit = _by_visit(store.diagnoses([v.mdtrt_id for v in rows]))
    mdtrtinfo = [_mdtrtinfo(v, psn, enrollments, by_visit.get(v.mdtrt_id, []), call.now) for v in rows]
    return Outcome({"mdtrtinfo": mdtrtinfo}, psn_no=psn.psn_no)


def visit_diagnoses(store: Store, call: Call, data: rec.DiagnosisQuery) -> Outcome:
    """5202: the diagnoses the caller sent for its visit: outpatient, then admission, then discharge."""
    row = own_visit(store, call, data.mdtrt_id, data.psn_no)
    page = rec.page_of(data)
    ordered = sorted(store.diagnoses([row.mdtrt_id]), key=lambda d: (_STAGE_ORDER[d.stage], d.diag_srt_no, d.id))
    rows = rec.answered(page, ordered[page.offset : page.offset + page.limit], "diagnoses")
    return Outcome({"diseinfo": [_diseinfo(d, row.psn_no) for d in rows]}, psn_no=row.psn_no, ref_id=row.mdtrt_id)


def fee_lines(store: Store, call: Call, data: rec.FeeLineQuery) -> Outcome:
    """5204: the fee lines of the caller's visit (of one of its settlements when setl_id is sent).

    The answer's output is the list itself, as the national platform answers it."""
    row = own_visit(store, call, data.mdtrt_id, data.psn_no)
    if data.setl_id:
        setl = store.settlement(data.setl_id)
        if setl is None or setl.mdtrt_id != row.mdtrt_id or setl.fixmedins_code != call.req.fixmedins_code:
            raise Refused(
                f"setl_id {data.setl_id} is not a settlement of mdtrt_id {row.mdtrt_id}; send the setl_id "
                "2207 / 2304 answered, or leave it empty for every line of the visit",
                code="SETTLEMENT_UNKNOWN",
            )
    page = rec.page_of(data)
    lines = rec.answered(page, store.fee_lines_of(row.mdtrt_id, data.setl_id, page), "fee lines")
    catalogue = store.catalogue_on(call.now.date())
    output = [_fee_line(x, row.med_type, catalogue.lookup(x.med_list_codg, row.mdtrtarea_admvs)) for x in lines]
    return Outcome(output, psn_no=row.psn_no, ref_id=row.mdtrt_id)


def inpatients(store: Store, call: Call, data: rec.InpatientQuery) -> Outcome:
    """5303: the caller's patients in hospital (admitted, not discharged); of one person, or admitted in
    begntime .. endtime, when those are sent."""
    rec.window(data.begntime, data.endtime)
    page = rec.page_of(data)
    found = store.inpatients(call.req.fixmedins_code, data.psn_no, data.begntime, data.endtime, page)
    rows = rec.answered(page, found, "patients in hospital", "psn_no or begntime .. endtime")
    return Outcome({"data": [_inpatient(v, call.now) for v in rows]}, psn_no=data.psn_no)


# ---------------------------------------------------------------- a person's records


def chronic_drugs(store: Store, call: Call, data: rec.ChronicDrugQuery) -> Outcome:
    """5205: the person's settled drug lines of chronic-disease visits (med_type 14), at any institution."""
    begin, end = rec.period(data.begntime, data.endtime, call.now)
    psn = store.person(data.psn_no)
    page = rec.page_of(data)
    lines = rec.answered(page, store.chronic_drug_lines(psn.psn_no, begin, end, page), "drug lines", _NARROW)
    names = store.institution_names({x.fixmedins_code for x in lines})
    catalogue = store.catalogue_on(call.now.date())
    feedetail = [
        _drug_line(x, names.get(x.fixmedins_code), catalogue.lookup(x.med_list_codg, x.mdtrtarea_admvs)) for x in lines
    ]
    return Outcome({"feedetail": feedetail}, psn_no=psn.psn_no)


def chronic_filings(store: Store, call: Call, data: rec.PersonQuery) -> Outcome:
    """5301: the person's chronic-disease filings (2503) that are not revoked."""
    psn = store.person(data.psn_no)
    page = rec.page_of(data)
    rows = rec.answered(page, store.chronic_filings_of(psn.psn_no, page), "chronic-disease filings")
    feedetail = [
        {
            "opsp_dise_code": f.opsp_dise_code,
            "opsp_dise_name": f.opsp_dise_name,
            "begndate": _day(f.begndate),
            "enddate": _day(f.enddate),
            "insutype": f.insutype,
            "trt_dcla_detl_sn": f.trt_dcla_detl_sn,
        }
        for f in rows
    ]
    return Outcome({"feedetail": feedetail}, psn_no=psn.psn_no)


def designations(store: Store, call: Call, data: rec.DesignationQuery) -> Outcome:
    """5302: the person's designations (2505) in force today or later, of one biz_appy_type when sent."""
    psn = store.person(data.psn_no)
    page = rec.page_of(data)
    found = store.designations_of(psn.psn_no, data.biz_appy_type, call.now.date(), page)
    rows = rec.answered(page, found, "designations")
    return Outcome({"psnfixmedin": [_psnfixmedin(d) for d in rows]}, psn_no=psn.psn_no)


def referrals(store: Store, call: Call, data: rec.ReferralQuery) -> Outcome:
    """5304: the person's referral filings in force at some time from begntime to endtime (or later, when empty).

    Referrals are filed with remote-care (2501); settlement answers from the filings remote-care
    publishes (their period, pool, target area and serial). The referral's own details (diagnosis,
    target institution, reason) stay with remote-care and answer null here."""
    rec.window(data.begntime, data.endtime)
    psn = store.person(data.psn_no)
    page = rec.page_of(data)
    end = data.endtime.date() if data.endtime else None
    rows = rec.answered(page, store.referral_filings(psn.psn_no, data.begntime.date(), end, page), "referrals")
    enrollments = store.enrollments(psn.psn_no)
    refmedin = [_refmedin(f, psn, _enrollment_in(enrollments, f.insuplc_admdvs)) for f in rows]
    return Outcome({"refmedin": refmedin}, psn_no=psn.psn_no)


# ---------------------------------------------------------------- designations (2505 / 2506)


def designate(store: Store, call: Call, data: rec.Designation) -> Outcome:
    """2505: the person designates the calling institution (for biz_appy_type); answers the serial."""
    code = call.req.fixmedins_code
    if data.fixmedins_code and data.fixmedins_code != code:
        raise Refused(
            f"fixmedins_code {data.fixmedins_code} is not the calling institution {code}; a person is designated "
            "at an institution by that institution",
            code="INPUT_INVALID",
        )
    if data.biz_appy_type == rec.RELOCATION:
        raise Refused(
            "biz_appy_type 08 (异地安置登记) is filed with the insurance agency (its desk, the national app or "
            "mini-program), not by an institution; settlement reads those filings",
            code="BIZ_APPY_TYPE_UNSUPPORTED",
        )
    if data.enddate is not None and data.enddate < data.begndate:
        raise Refused("enddate is before begndate", code="INPUT_INVALID")
    psn = store.person(data.psn_no)
    enrollments = store.enrollments(psn.psn_no)
    insutype = data.insutype or _insutype_in_pool(psn.psn_no, enrollments, call.req.insuplc_admdvs)
    eligibility.insured_on(psn, enrollments, insutype, call.req.insuplc_admdvs, data.begndate)
    held = store.designations_of(
        psn.psn_no, data.biz_appy_type, data.begndate, rec.Page(0, rec.MAX_ROWS, rec.MAX_ROWS, paged=True)
    )
    for d in held:
        if d.fixmedins_code == code and rec.overlaps(data.begndate, data.enddate, d.begndate, d.enddate):
            raise Refused(
                f"psn_no {psn.psn_no} is already designated here for biz_appy_type {data.biz_appy_type} from "
                f"{d.begndate} (trt_dcla_detl_sn {d.trt_dcla_detl_sn}); revoke it with 2506 first, or file "
                "a period that does not overlap it",
                code="ALREADY_DESIGNATED",
            )
    serial = new_id(call.inst.admdvs, call.now)
    agent = ("agnter_name", "agnter_cert_type", "agnter_certno", "agnter_tel", "agnter_addr", "agnter_rlts")
    store.add_designation(
        {
            "trt_dcla_detl_sn": serial,
            "psn_no": psn.psn_no,
            "insutype": insutype,
            "biz_appy_type": data.biz_appy_type,
            "fix_srt_no": data.fix_srt_no,
            "fixmedins_code": code,
            "fixmedins_name": call.inst.fixmedins_name,
            "begndate": data.begndate,
            "enddate": data.enddate,
            "tel": data.tel,
            "addr": data.addr,
            **{name: getattr(data, name) for name in agent},
            "memo": data.memo,
            "filed_by": code,
            "filed_at": call.now,
            "revoked": False,
            "revoked_at": None,
            "revoke_memo": None,
        }
    )
    # The spec's node is result; one deployed client reads the serial straight under output: both carry it.
    output = {"result": {"trt_dcla_detl_sn": serial}, "trt_dcla_detl_sn": serial}
    return Outcome(output, psn_no=psn.psn_no, ref_id=serial)


def revoke_designation(store: Store, call: Call, data: inp.CancelFiling) -> Outcome:
    """2506: the institution that filed a designation revokes it; to anyone else it is unknown."""
    row = store.designation(data.trt_dcla_detl_sn)
    if row is None or row.psn_no != data.psn_no or row.filed_by != call.req.fixmedins_code:
        raise Refused(
            f"trt_dcla_detl_sn {data.trt_dcla_detl_sn} is not a designation of psn_no {data.psn_no} filed by "
            f"{call.req.fixmedins_code}",
            code="FILING_UNKNOWN",
        )
    if row.revoked:
        raise Refused(f"designation {data.trt_dcla_detl_sn} was already revoked", code="ALREADY_REVOKED")
    store.revoke_designation(data.trt_dcla_detl_sn, data.memo, call.now)
    return Outcome(None, psn_no=data.psn_no, ref_id=data.trt_dcla_detl_sn)


# ---------------------------------------------------------------- shapes


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _by_visit(rows: Iterable[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for d in rows:
        out.setdefault(d.mdtrt_id, []).append(d)
    return out


def _enrollment_in(enrollments: list[Any], insuplc_admdvs: str, insutype: str | None = None) -> Any | None:
    matching = [
        e for e in enrollments if e.insuplc_admdvs == insuplc_admdvs and (insutype is None or e.insutype == insutype)
    ]
    return matching[-1] if matching else None


def _insutype_in_pool(psn_no: str, enrollments: list[Any], insuplc_admdvs: str) -> str:
    row = _enrollment_in(enrollments, insuplc_admdvs)
    if row is None:
        pools = sorted({e.insuplc_admdvs for e in enrollments})
        raise Refused(
            f"insuplc_admdvs {insuplc_admdvs or '(empty)'} is not psn_no {psn_no}'s pool; send "
            f"{' or '.join(pools) or 'the insuplc_admdvs 1101 answered'}",
            code="WRONG_POOL",
        )
    return str(row.insutype)


def _main_diagnosis(diagnoses: list[Any]) -> Any | None:
    """The stay's main diagnosis: of the discharge when it was sent, else of the admission."""
    for stage in (rec.DISCHARGE, rec.ADMISSION):
        of_stage = sorted(
            (d for d in diagnoses if d.stage == stage), key=lambda d: (d.maindiag_flag != "1", d.diag_srt_no)
        )
        if of_stage:
            return of_stage[0]
    return None


def _mdtrtinfo(v: Any, psn: Any, enrollments: list[Any], diagnoses: list[Any], now: dt.datetime) -> dict[str, Any]:
    inpatient = v.kind == vs.INPATIENT
    enrollment = _enrollment_in(enrollments, v.insuplc_admdvs, v.insutype)
    main = _main_diagnosis(diagnoses) if inpatient else None
    until = v.endtime or now
    return {
        "mdtrt_id": v.mdtrt_id,
        "psn_no": psn.psn_no,
        "psn_cert_type": psn.psn_cert_type,
        "certno": psn.certno,
        "psn_name": psn.psn_name,
        "gend": psn.gend,
        "naty": psn.naty,
        "brdy": _day(psn.brdy),
        "age": outputs.age_on(psn.brdy, v.begntime.date()),
        "insutype": v.insutype,
        "psn_type": enrollment.psn_type if enrollment else None,
        "cvlserv_flag": enrollment.cvlserv_flag if enrollment else None,
        "emp_name": enrollment.emp_name if enrollment else None,
        "insu_optins": v.insuplc_admdvs,
        "begntime": outputs.when(v.begntime),
        "endtime": outputs.when(v.endtime),
        "mdtrt_cert_type": v.mdtrt_cert_type,
        "med_type": v.med_type,
        "ars_year_ipt_flag": "1" if inpatient and until.year != v.begntime.year else "0",
        "ipt_otp_no": v.ipt_otp_no,
        "dise_codg": v.dise_codg,
        "dscg_maindiag_code": main.diag_code if main else None,
        "dscg_maindiag_name": main.diag_name if main else None,
        "inhosp_stas": "1" if inpatient and v.status == vs.ADMITTED else "0",
        "ipt_days": max((until.date() - v.begntime.date()).days, 1) if inpatient else 0,
        "fixmedins_code": v.fixmedins_code,
        "die_date": _day(psn.death_date),
        "vali_flag": "1",
        "memo": None,
        # Sent with 2201 / 2401 / 2402 but not kept by the platform, or not held by it: answered null.
        # (The maternity counts geso_val, fetts, fetus_cnt are numbers, never null: they are left out.)
        **dict.fromkeys(_VISIT_NOT_KEPT),
    }


_VISIT_NOT_KEPT = (
    "coner_name", "tel", "maf_psn_flag", "flxempe_flag", "nwb_flag", "pre_pay_flag", "medrcdno", "atddr_no",
    "chfpdr_name", "adm_dept_codg", "adm_dept_name", "adm_bed", "dscg_dept_codg", "dscg_dept_name", "dscg_bed",
    "dscg_way", "main_cond_dscr", "dise_name", "oprn_oprt_code", "oprn_oprt_name", "otp_diag_info", "fpsc_no",
    "matn_type", "birctrl_type", "latechb_flag", "pret_flag", "birctrl_matn_date", "cop_flag", "opter_id",
    "opter_name", "opt_time",
)  # fmt: skip


def _diseinfo(d: Any, psn_no: str) -> dict[str, Any]:
    return {
        "diag_info_id": str(d.id),
        "mdtrt_id": d.mdtrt_id,
        "psn_no": psn_no,
        "inout_diag_type": rec.INOUT_DIAG_TYPE[d.stage],
        "diag_type": d.diag_type,
        "maindiag_flag": d.maindiag_flag,
        "diag_srt_no": d.diag_srt_no,
        "diag_code": d.diag_code,
        "diag_name": d.diag_name,
        "adm_cond": d.adm_cond,
        "diag_dept": d.diag_dept,
        "dise_dor_no": d.dise_dor_no,
        "dise_dor_name": d.dise_dor_name,
        "diag_time": outputs.when(d.diag_time),
        "vali_flag": "1",
        "opter_id": d.opter_id,
        "opter_name": d.opter_name,
        "opt_time": outputs.when(d.recorded_at),
    }


# Prescription, dosage and ordering details of 2204 / 2301 the platform does not keep: answered null.
_ITEM_NOT_KEPT = (
    "rx_drord_no", "spec", "prodname", "dosform_name", "hosp_prep_flag", "hosp_appr_flag", "tcmdrug_used_way",
    "prodplac_type", "etip_flag", "etip_hosp_code", "dscg_tkdrug_flag", "matn_fee_flag",
)  # fmt: skip
# Who ordered and received a fee line, and how it is taken: not kept by the platform, answered null.
_LINE_NOT_KEPT = (
    "sin_dos_dscr", "used_frqu_dscr", "medc_way_dscr", "bilg_dept_codg", "bilg_dept_name", "bilg_dr_codg",
    "bilg_dr_name", "acord_dept_codg", "acord_dept_name", "orders_dr_code", "orders_dr_name", "opter_id",
    "opter_name", "opt_time",
)  # fmt: skip
# Held by remote-care with the referral, not published with the filing: answered null.
_REFERRAL_NOT_HERE = (
    "dcla_souc", "tel", "addr", "diag_code", "diag_name", "dise_cond_dscr", "reflin_medins_no",
    "reflin_medins_name", "refl_rea", "hosp_agre_refl_flag", "opter_id", "opter_name", "opt_time",
)  # fmt: skip


def _item(x: Any, item: Any) -> dict[str, Any]:
    """What a fee line and a drug line share: the item, its amounts and its catalogue flags."""
    return {
        "feedetl_sn": x.feedetl_sn,
        "mdtrt_id": x.mdtrt_id,
        "setl_id": x.setl_id,
        "fee_ocur_time": outputs.when(x.fee_ocur_time),
        "cnt": x.cnt,
        "pric": x.pric,
        "det_item_fee_sumamt": money(x.det_item_fee_sumamt),
        "chrgitm_lv": x.chrgitm_lv,
        "hilist_code": x.med_list_codg,
        "hilist_name": item.name if item is not None else None,
        "list_type": _LIST_TYPE_BY_PREFIX.get(x.med_list_codg[:1].upper(), "201"),
        "med_list_codg": x.med_list_codg,
        "medins_list_codg": x.medins_list_codg,
        "medins_list_name": None,  # the institution's own item name is not sent with 2204 / 2301
        "med_chrgitm_type": outputs.chrgitm_type(x.med_list_codg, item),
        **{flag: getattr(item, flag) if item is not None else "0" for flag in outputs.ITEM_FLAGS},
        **dict.fromkeys(_ITEM_NOT_KEPT),
    }


def _fee_line(x: Any, med_type: str | None, item: Any) -> dict[str, Any]:
    return {
        **_item(x, item),
        "init_feedetl_sn": x.init_feedetl_sn,
        "chrg_bchno": x.chrg_bchno,
        "med_type": med_type,
        "pric_uplmt_amt": outputs.NO_PRICE_CAP if x.pric_uplmt_amt is None else x.pric_uplmt_amt,
        "selfpay_prop": x.selfpay_prop,
        "fulamt_ownpay_amt": money(x.fulamt_ownpay_amt),
        "overlmt_amt": money(x.overlmt_amt),
        "preselfpay_amt": money(x.preselfpay_amt),
        "inscp_scp_amt": money(x.inscp_scp_amt),
        "memo": None,
        **dict.fromkeys(_LINE_NOT_KEPT),
    }


def _drug_line(x: Any, fixmedins_name: str | None, item: Any) -> dict[str, Any]:
    return {
        **_item(x, item),
        "fixmedins_code": x.fixmedins_code,
        "fixmedins_name": fixmedins_name,
        "psn_no": x.psn_no,
        "med_type": x.med_type,
    }


def _inpatient(v: Any, now: dt.datetime) -> dict[str, Any]:
    return {
        "mdtrt_id": v.mdtrt_id,
        "psn_no": v.psn_no,
        "psn_cert_type": v.psn_cert_type,
        "certno": v.certno,
        "psn_name": v.psn_name,
        "gend": v.gend,
        "brdy": _day(v.brdy),
        "age": outputs.age_on(v.brdy, now.date()),
        "insutype": v.insutype,
        "begndate": v.begntime.date().isoformat(),
        "begntime": outputs.when(v.begntime),
        "med_type": v.med_type,
        "ipt_otp_no": v.ipt_otp_no,
        "out_flag": "0" if v.insuplc_admdvs == v.mdtrtarea_admvs else "1",
    }


def _psnfixmedin(d: Any) -> dict[str, Any]:
    return {
        "psn_no": d.psn_no,
        "insutype": d.insutype,
        "biz_appy_type": d.biz_appy_type,
        "fix_srt_no": d.fix_srt_no,
        "fixmedins_code": d.fixmedins_code,
        "fixmedins_name": d.fixmedins_name,
        "begndate": _day(d.begndate),
        "enddate": _day(d.enddate),
        "memo": d.memo,
        "trt_dcla_detl_sn": d.trt_dcla_detl_sn,
    }


def _refmedin(f: Any, psn: Any, enrollment: Any | None) -> dict[str, Any]:
    return {
        "trt_dcla_detl_sn": f.trt_dcla_detl_sn,
        "insutype": enrollment.insutype if enrollment else None,
        "psn_no": psn.psn_no,
        "psn_cert_type": psn.psn_cert_type,
        "certno": psn.certno,
        "psn_name": psn.psn_name,
        "gend": psn.gend,
        "brdy": _day(psn.brdy),
        "insu_optins": f.insuplc_admdvs,
        "emp_name": enrollment.emp_name if enrollment else None,
        "mdtrtarea_admdvs": f.target_admdvs,
        "out_flag": "0" if f.target_admdvs == f.insuplc_admdvs else "1",
        "refl_date": _day(f.begndate),  # the filing's first day; remote-care keeps the referral's own date
        "begndate": _day(f.begndate),
        "enddate": _day(f.enddate),
        **dict.fromkeys(_REFERRAL_NOT_HERE),
    }
