"""3101 (明细审核事前分析服务) and 3102 (明细审核事中分析服务): the national input and output shapes.

Deployed HIS send input.data = {patient_dtos: [{patn_id, gend, brdy, curr_mdtrt_id,
fsi_encounter_dtos: [{mdtrt_id, medins_id, medins_lv, adm_date, dscg_date, med_type,
med_mdtrt_type, insutype, dscg_main_dise_codg, fsi_diagnose_dtos: [{dise_codg}],
fsi_order_dtos: [{rx_id, hilist_code, hilist_name, cnt, pric, sumamt, drord_begn_date}]}]}],
trig_scen, rule_ids, task_id}; some send patient_dtos or fsi_encounter_dtos as one object (read
as a list of one). The answer is result[], one row per violation (jr_id, rule_id, rule_name,
vola_cont, patn_id, mdtrt_id, vola_amt, vola_amt_stas, sev_deg, vola_evid, vola_bhvr_type,
task_id, judge_result_detail_dtos[]). They advise and never settle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from pydantic import Field

from medshared.money import money

from . import supervision as sv
from .inputs import Amount, Date, DateTime, Price, Quantity, _Required, read_list

MED_MDTRT_KIND = {"1": "outpatient", "2": "inpatient", "3": "pharmacy"}


class Order(_Required):
    """One fsi_order_dtos[] row: an order or charge to check."""

    rx_id: str
    hilist_code: str
    hilist_name: str | None = None
    cnt: Quantity
    pric: Price
    sumamt: Amount | None = None
    drord_begn_date: DateTime | None = None


class Diagnose(_Required):
    dise_codg: str | None = None
    maindiag_flag: str | None = None


class EncounterDto(_Required):
    mdtrt_id: str
    medins_id: str | None = None
    medins_lv: str | None = None
    adm_date: DateTime | None = None
    dscg_date: DateTime | None = None
    med_type: str | None = None
    med_mdtrt_type: str | None = None
    insutype: str | None = None
    dscg_main_dise_codg: str | None = None
    fsi_diagnose_dtos: Any = None
    fsi_order_dtos: Any = None


class PatientDto(_Required):
    patn_id: str
    gend: str | None = None
    brdy: Date | None = None
    curr_mdtrt_id: str | None = None
    fsi_encounter_dtos: Any = None


class Analysis(_Required):
    """input.data of 3101 / 3102."""

    patient_dtos: Any
    trig_scen: str | None = None
    rule_ids: list[str] | str | None = None
    task_id: str | None = Field(default=None, max_length=64)


def rule_ids(data: Analysis) -> list[str] | None:
    """rule_ids as a list (some clients send "a,b"); None or empty: every rule."""
    ids = data.rule_ids.split(",") if isinstance(data.rule_ids, str) else data.rule_ids
    ids = [i.strip() for i in ids or [] if i and i.strip()]
    return ids or None


def scene(data: Analysis, infno: str) -> sv.Scene:
    try:
        return sv.Scene(data.trig_scen or ("2" if infno == "3101" else "6"))
    except ValueError:
        raise ValueError(f"trig_scen {data.trig_scen} is not a scene 1-10 (1 门诊挂号 ... 10 药店购药)") from None


def checks(data: Analysis, *, medins_id: str, hosp_lv: str | None, now: dt.datetime, infno: str) -> list[sv.Check]:
    """One check per encounter of every patient."""
    out = []
    trig = scene(data, infno)
    for patient in read_list(PatientDto, data.patient_dtos, "patient_dtos"):
        for enc in read_list(EncounterDto, patient.fsi_encounter_dtos, "patient_dtos[].fsi_encounter_dtos"):
            diagnoses = [enc.dscg_main_dise_codg] if enc.dscg_main_dise_codg else []
            if enc.fsi_diagnose_dtos:
                where = "fsi_diagnose_dtos"
                diagnoses += [d.dise_codg for d in read_list(Diagnose, enc.fsi_diagnose_dtos, where) if d.dise_codg]
            orders = read_list(Order, enc.fsi_order_dtos, "fsi_order_dtos") if enc.fsi_order_dtos else []
            begin = enc.adm_date or now
            kind = MED_MDTRT_KIND.get(enc.med_mdtrt_type or "", "inpatient" if trig.value in "34589" else "outpatient")
            out.append(
                sv.Check(
                    patient=sv.Patient(patient.patn_id, patient.gend, patient.brdy, enc.insutype),
                    encounter=sv.Encounter(
                        mdtrt_id=enc.mdtrt_id,
                        kind=kind,
                        med_type=enc.med_type,
                        medins_id=medins_id,
                        hosp_lv=hosp_lv,
                        begin=begin,
                        end=enc.dscg_date,
                        diagnoses=tuple(dict.fromkeys(diagnoses)),
                    ),
                    lines=[
                        sv.Line(
                            key=o.rx_id,
                            code=o.hilist_code,
                            name=o.hilist_name,
                            cnt=o.cnt,
                            pric=o.pric,
                            amount=o.sumamt if o.sumamt is not None else money(o.cnt * o.pric),
                            when=o.drord_begn_date or begin,
                        )
                        for o in orders
                    ],
                    scene=trig,
                )
            )
    return out


def result_row(v: sv.Violation, check: sv.Check, task_id: str | None) -> dict[str, Any]:
    """One result[] row of the answer."""
    jr_id = "JR" + hashlib.sha256(f"{check.encounter.mdtrt_id}|{v.rule_id}|{v.line_keys}".encode()).hexdigest()[:30]
    amounts = dict(v.line_amounts) or dict.fromkeys(v.line_keys, Decimal(0))
    return {
        "jr_id": jr_id,
        "rule_id": v.rule_id,
        "rule_name": v.rule_name,
        "vola_cont": v.text,
        "patn_id": check.patient.patn_id,
        "mdtrt_id": check.encounter.mdtrt_id,
        "vola_amt": money(v.amount),
        "vola_amt_stas": "1" if v.amount else "0",
        "sev_deg": str(v.severity),
        "vola_evid": v.evidence,
        "vola_bhvr_type": v.vola_bhvr_type,
        "task_id": task_id or "",
        "action": str(v.action),
        "judge_result_detail_dtos": [
            {
                "jrd_id": f"{jr_id}-{n}",
                "jr_id": jr_id,
                "patn_id": check.patient.patn_id,
                "mdtrt_id": check.encounter.mdtrt_id,
                "rx_id": key,
                "vola_item_type": "1",  # 1 违规项 (the offending line), 2 涉及项
                "vola_amt": money(amount),
            }
            for n, (key, amount) in enumerate(amounts.items(), start=1)
        ],
    }
