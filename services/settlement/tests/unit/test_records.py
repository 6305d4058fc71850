"""What a clerk reads back (5201-5205, 5301-5304) and person designations (2505/2506), on the in-memory store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from fakes import FakeStore

from medshared.national import parse_request
from settlement.domain import inputs as inp
from settlement.domain import records as rec
from settlement.domain.errors import Refused
from settlement.usecases import fees, filings, records, settling, visits
from settlement.usecases.common import Call

ZHAXI = "54010000000000000001"  # 居民 (390)
WANGQIANG = "54010000000000000004"  # 职工 (310)
HOSPITAL = SimpleNamespace(
    fixmedins_code="H54010000001", fixmedins_name="拉萨市第一人民医院(演示)", admdvs="540100", hosp_lv="3"
)
CLINIC = SimpleNamespace(
    fixmedins_code="H54010000002", fixmedins_name="拉萨市城关区社区卫生服务中心(演示)", admdvs="540100", hosp_lv="1"
)
NOW = dt.datetime(2026, 11, 24, 10, 0, 0)
DIAGNOSIS = {
    "diag_type": "1",
    "diag_srt_no": "1",
    "diag_code": "J06.900",
    "diag_name": "急性上呼吸道感染",
    "diag_dept": "内科",
    "dise_dor_no": "DR1",
    "dise_dor_name": "医生",
    "diag_time": "2026-11-24 09:10:00",
    "vali_flag": "1",
}


def call(infno: str, input_: dict[str, Any] | None = None, *, inst: Any = HOSPITAL, when: dt.datetime = NOW) -> Call:
    envelope = {
        "infno": infno,
        "msgid": f"{inst.fixmedins_code}20261124100000{infno}",
        "mdtrtarea_admvs": "540100",
        "insuplc_admdvs": "540100",
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": "2026-11-24 10:00:00",
        "fixmedins_code": inst.fixmedins_code,
        "fixmedins_name": inst.fixmedins_name,
        "input": input_ or {},
    }
    return Call(req=parse_request(envelope), inst=inst, received=when, sender=inst.fixmedins_code)


def outpatient(
    store: FakeStore,
    psn_no: str = WANGQIANG,
    *,
    inst: Any = HOSPITAL,
    med_type: str = "11",
    dise_codg: str | None = None,
    diseinfo: Any = None,
    when: dt.datetime = NOW,
) -> str:
    p = store.people[psn_no]
    insutype = store.enrollment_rows[psn_no][0].insutype
    register = inp.Register(
        psn_no=psn_no, insutype=insutype, begntime=when, mdtrt_cert_type="02", mdtrt_cert_no=p.certno,
        ipt_otp_no="OP1", atddr_no="D", dr_name="D", dept_code="D", dept_name="D", caty="A03",
    )  # fmt: skip
    mdtrt_id = str(visits.register(store, call("2201", inst=inst, when=when), register).ref_id)
    info = inp.VisitInfo(mdtrt_id=mdtrt_id, psn_no=psn_no, med_type=med_type, begntime=when, dise_codg=dise_codg)
    sent = {"mdtrtinfo": {}, "diseinfo": diseinfo} if diseinfo is not None else {}
    visits.visit_info(store, call("2203", sent, inst=inst, when=when), info)
    return mdtrt_id


def fee(sn: str, mdtrt_id: str, code: str, cnt: str, pric: str, psn_no: str = WANGQIANG) -> inp.FeeDetail:
    return inp.FeeDetail(
        feedetl_sn=sn, mdtrt_id=mdtrt_id, psn_no=psn_no, chrg_bchno="B1", med_list_codg=code,
        medins_list_codg="H-" + code, det_item_fee_sumamt=(Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01")),
        cnt=Decimal(cnt), pric=Decimal(pric), fee_ocur_time=NOW,
    )  # fmt: skip


def settle(store: FakeStore, mdtrt_id: str, total: str, psn_no: str = WANGQIANG, *, inst: Any = HOSPITAL) -> str:
    data = inp.Settle(
        psn_no=psn_no, mdtrt_cert_type="02", mdtrt_cert_no=store.people[psn_no].certno,
        medfee_sumamt=Decimal(total), psn_setlway="01", mdtrt_id=mdtrt_id,
        insutype=store.enrollment_rows[psn_no][0].insutype, acct_used_flag="0",
    )  # fmt: skip
    return str(settling.settle_visit(store, call("2207", inst=inst), data).ref_id)


def admit(store: FakeStore, diseinfo: Any = None, *, inst: Any = HOSPITAL, psn_no: str = ZHAXI) -> str:
    data = inp.Admit(
        psn_no=psn_no, insutype="390", begntime=dt.datetime(2026, 11, 20, 8), mdtrt_cert_type="02",
        mdtrt_cert_no=store.people[psn_no].certno, med_type="21", ipt_no="IP1", atddr_no="D", chfpdr_name="D",
        adm_dept_codg="D2", adm_dept_name="外科",
    )  # fmt: skip
    return str(visits.admit(store, call("2401", {"diseinfo": diseinfo}, inst=inst), data).ref_id)


def discharge(store: FakeStore, mdtrt_id: str, diseinfo: Any = None, psn_no: str = ZHAXI) -> None:
    data = inp.Discharge(mdtrt_id=mdtrt_id, psn_no=psn_no, insutype="390", endtime=dt.datetime(2026, 11, 23, 10))
    visits.discharge(store, call("2402", {"diseinfo": diseinfo}), data)


def query(model: type[Any], **fields: Any) -> Any:
    return inp.read(model, fields, "input.data")


def refusal(fn: Any, *args: Any) -> Refused:
    with pytest.raises(Refused) as caught:
        fn(*args)
    return caught.value


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


# ---------------------------------------------------------------- diagnoses (5202) and visits (5201)


def test_the_diagnoses_a_visit_upload_carried_are_what_5202_answers(store):
    mdtrt_id = outpatient(store, diseinfo=[DIAGNOSIS, {**DIAGNOSIS, "diag_srt_no": 2, "diag_code": "R50.900"}])
    answer = records.visit_diagnoses(
        store, call("5202"), query(rec.DiagnosisQuery, mdtrt_id=mdtrt_id, psn_no=WANGQIANG)
    )
    rows = answer.output["diseinfo"]
    assert [(d["diag_code"], d["diag_srt_no"]) for d in rows] == [("J06.900", 1), ("R50.900", 2)]
    assert rows[0] | {"diag_info_id": "-"} == rows[0] | {
        "diag_info_id": "-", "mdtrt_id": mdtrt_id, "psn_no": WANGQIANG, "inout_diag_type": None, "diag_type": "1",
        "diag_name": "急性上呼吸道感染", "diag_dept": "内科", "dise_dor_no": "DR1", "dise_dor_name": "医生",
        "diag_time": "2026-11-24 09:10:00", "opter_id": "001", "opter_name": "收费员", "opt_time": "2026-11-24 10:00:00",
    }  # fmt: skip


def test_visit_information_sent_again_replaces_its_diagnoses_and_one_without_diagnoses_keeps_them(store):
    mdtrt_id = outpatient(store, diseinfo=[DIAGNOSIS])
    info = inp.VisitInfo(mdtrt_id=mdtrt_id, psn_no=WANGQIANG, med_type="11", begntime=NOW)
    visits.visit_info(store, call("2203", {"diseinfo": [{**DIAGNOSIS, "diag_code": "K29.700"}]}), info)
    visits.visit_info(store, call("2203", {"diseinfo": []}), info)
    answer = records.visit_diagnoses(
        store, call("5202"), query(rec.DiagnosisQuery, mdtrt_id=mdtrt_id, psn_no=WANGQIANG)
    )
    assert [d["diag_code"] for d in answer.output["diseinfo"]] == ["K29.700"]


def test_a_placeholder_diagnosis_and_a_withdrawn_one_are_not_kept_and_one_object_counts_as_a_list(store):
    placeholder = dict.fromkeys(DIAGNOSIS)
    withdrawn = {**DIAGNOSIS, "diag_code": "Z00.000", "vali_flag": "0"}
    mdtrt_id = outpatient(store, diseinfo=[placeholder, withdrawn, DIAGNOSIS])
    other = outpatient(store, diseinfo=DIAGNOSIS)
    assert [d.diag_code for d in store.diagnoses([mdtrt_id])] == ["J06.900"]
    assert [d.diag_code for d in store.diagnoses([other])] == ["J06.900"]


def test_a_diagnosis_time_that_is_not_a_time_refuses_the_upload_naming_the_entry(store):
    mdtrt_id = outpatient(store)
    info = inp.VisitInfo(mdtrt_id=mdtrt_id, psn_no=WANGQIANG, med_type="11", begntime=NOW)
    bad = call("2203", {"diseinfo": [DIAGNOSIS, {**DIAGNOSIS, "diag_time": "yesterday"}]})
    assert "input.diseinfo[1].diag_time" in refusal(visits.visit_info, store, bad, info).message
    assert store.diagnoses([mdtrt_id]) == []


def test_a_stay_answers_its_admission_then_its_discharge_diagnoses_and_undoing_the_discharge_drops_its_own(store):
    mdtrt_id = admit(store, [{**DIAGNOSIS, "diag_code": "N39.000", "diag_name": "泌尿道感染", "maindiag_flag": "1"}])
    discharge(
        store, mdtrt_id, [{**DIAGNOSIS, "diag_code": "N10.x00", "diag_name": "急性肾盂肾炎", "maindiag_flag": "1"}]
    )
    ask = query(rec.DiagnosisQuery, mdtrt_id=mdtrt_id, psn_no=ZHAXI)
    rows = records.visit_diagnoses(store, call("5202"), ask).output["diseinfo"]
    assert [(d["inout_diag_type"], d["diag_code"]) for d in rows] == [("1", "N39.000"), ("2", "N10.x00")]
    stay = records.visits(store, call("5201"), query(rec.VisitQuery, psn_no=ZHAXI, begntime="2026-11-01"))
    info = stay.output["mdtrtinfo"][0]
    assert (info["dscg_maindiag_code"], info["inhosp_stas"], info["ipt_days"]) == ("N10.x00", "0", 3)

    visits.undo_discharge(store, call("2405"), inp.VisitRef(mdtrt_id=mdtrt_id, psn_no=ZHAXI))
    rows = records.visit_diagnoses(store, call("5202"), ask).output["diseinfo"]
    assert [d["diag_code"] for d in rows] == ["N39.000"]


def test_5201_answers_the_persons_visits_here_in_the_period_and_not_another_institutions(store):
    mine = outpatient(store)
    outpatient(store, inst=CLINIC)
    cancelled = outpatient(store)
    visits.cancel_register(
        store, call("2202"), inp.CancelRegister(psn_no=WANGQIANG, mdtrt_id=cancelled, ipt_otp_no="OP1")
    )
    earlier = outpatient(store, when=dt.datetime(2026, 3, 1, 9))

    ask = query(rec.VisitQuery, psn_no=WANGQIANG, begntime="2026-11-01 00:00:00", endtime="2026-11-30 23:59:59")
    rows = records.visits(store, call("5201"), ask).output["mdtrtinfo"]
    assert [r["mdtrt_id"] for r in rows] == [mine]
    row = rows[0]
    assert (row["psn_name"], row["insutype"], row["psn_type"], row["med_type"], row["begntime"]) == (
        "王强", "310", "1101", "11", "2026-11-24 10:00:00",
    )  # fmt: skip
    assert (row["inhosp_stas"], row["ipt_days"], row["fixmedins_code"]) == ("0", 0, "H54010000001")

    whole_year = query(rec.VisitQuery, psn_no=WANGQIANG, begntime="2026-01-01", med_type="11")
    assert {r["mdtrt_id"] for r in records.visits(store, call("5201"), whole_year).output["mdtrtinfo"]} == {
        mine,
        earlier,
    }
    from_the_clinic = records.visits(store, call("5201", inst=CLINIC), ask).output["mdtrtinfo"]
    assert mine not in {r["mdtrt_id"] for r in from_the_clinic}


def test_a_period_longer_than_a_year_or_ending_before_it_begins_is_refused(store):
    too_long = query(rec.VisitQuery, psn_no=WANGQIANG, begntime="2025-01-01", endtime="2026-11-24")
    assert refusal(records.visits, store, call("5201"), too_long).code == "PERIOD_TOO_LONG"
    backwards = query(rec.ChronicDrugQuery, psn_no=WANGQIANG, begntime="2026-11-24", endtime="2026-11-01")
    assert "endtime is before begntime" in refusal(records.chronic_drugs, store, call("5205"), backwards).message


# ---------------------------------------------------------------- fee lines (5204) and paging


def test_5204_answers_the_visits_lines_as_the_output_list_and_a_settlements_lines_by_setl_id(store):
    mdtrt_id = outpatient(store)
    fees.outpatient_fees(store, call("2204"), [fee("1", mdtrt_id, "001102000010000", "1", "15"),
                                               fee("2", mdtrt_id, "XA10BAA059A001010100001", "2", "3.5")])  # fmt: skip
    setl_id = settle(store, mdtrt_id, "22")
    lines = records.fee_lines(store, call("5204"), query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id=mdtrt_id)).output
    assert isinstance(lines, list)
    assert [(x["feedetl_sn"], x["setl_id"], x["det_item_fee_sumamt"]) for x in lines] == [
        ("1", setl_id, Decimal("15.00")),
        ("2", setl_id, Decimal("7.00")),
    ]
    assert lines[1]["hilist_name"] and lines[1]["med_chrgitm_type"] == "09"
    by_setl = query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id=mdtrt_id, setl_id=setl_id)
    assert len(records.fee_lines(store, call("5204"), by_setl).output) == 2

    other = outpatient(store)
    wrong = query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id=other, setl_id=setl_id)
    assert refusal(records.fee_lines, store, call("5204"), wrong).code == "SETTLEMENT_UNKNOWN"


def test_another_institution_asking_for_a_visit_hears_what_an_unknown_visit_answers(store):
    mdtrt_id = outpatient(store, diseinfo=[DIAGNOSIS])
    fees.outpatient_fees(store, call("2204"), [fee("1", mdtrt_id, "001102000010000", "1", "15")])
    stranger = call("5204", inst=CLINIC)
    theirs = refusal(records.fee_lines, store, stranger, query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id=mdtrt_id))
    nobody = refusal(records.fee_lines, store, stranger, query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id="X1"))
    assert (theirs.code, nobody.code) == ("VISIT_UNKNOWN", "VISIT_UNKNOWN")
    assert theirs.message == nobody.message.replace("X1", mdtrt_id)
    ask = query(rec.DiagnosisQuery, mdtrt_id=mdtrt_id, psn_no=WANGQIANG)
    assert refusal(records.visit_diagnoses, store, call("5202", inst=CLINIC), ask).code == "VISIT_UNKNOWN"


def test_more_lines_than_one_answer_carries_are_read_in_pages_never_cut_silently(store):
    mdtrt_id = outpatient(store)
    lines = [fee(str(i), mdtrt_id, "001102000010000", "1", "1") for i in range(1, rec.MAX_ROWS + 3)]
    fees.outpatient_fees(store, call("2204"), lines)
    unpaged = query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id=mdtrt_id)
    refused = refusal(records.fee_lines, store, call("5204"), unpaged)
    assert refused.code == "TOO_MANY_ROWS" and "page_num" in refused.message

    pages = [
        records.fee_lines(
            store, call("5204"), query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id=mdtrt_id, page_num=n, page_size=200)
        ).output
        for n in (1, 2, 3, 4)
    ]
    assert [len(p) for p in pages] == [200, 200, 102, 0]
    assert [x["feedetl_sn"] for p in pages for x in p] == [str(i) for i in range(1, rec.MAX_ROWS + 3)]
    with pytest.raises(Refused, match="page_size: must be at most 500"):
        query(rec.FeeLineQuery, psn_no=WANGQIANG, mdtrt_id=mdtrt_id, page_size=501)


# ---------------------------------------------------------------- patients in hospital (5303)


def test_5303_lists_the_callers_admitted_patients_not_the_discharged_nor_another_institutions(store):
    staying = admit(store)
    leaving = admit(store, psn_no="54010000000000000002")
    discharge(store, leaving, psn_no="54010000000000000002")
    elsewhere = admit(store, inst=CLINIC, psn_no="54010000000000000003")

    rows = records.inpatients(store, call("5303"), query(rec.InpatientQuery)).output["data"]
    assert [r["mdtrt_id"] for r in rows] == [staying]
    assert (rows[0]["psn_name"], rows[0]["begndate"], rows[0]["med_type"], rows[0]["out_flag"]) == (
        "扎西",
        "2026-11-20",
        "21",
        "0",
    )
    from_the_clinic = records.inpatients(store, call("5303", inst=CLINIC), query(rec.InpatientQuery)).output["data"]
    assert [r["mdtrt_id"] for r in from_the_clinic] == [elsewhere]
    by_person = query(rec.InpatientQuery, psn_no="54010000000000000003")
    assert records.inpatients(store, call("5303"), by_person).output["data"] == []


# ---------------------------------------------------------------- a person's records (5205, 5301, 5304)


def _chronic_filing(store: FakeStore, psn_no: str = WANGQIANG, code: str = "M03900") -> str:
    data = inp.ChronicFiling(psn_no=psn_no, insutype="310", opsp_dise_code=code, opsp_dise_name="高血压",
                             begndate=dt.date(2026, 1, 1))  # fmt: skip
    return str(filings.file_chronic(store, call("2503"), data).ref_id)


def test_5205_answers_the_persons_settled_chronic_drug_lines_at_every_institution(store):
    _chronic_filing(store)
    here = outpatient(store, med_type="14", dise_codg="M03900")
    fees.outpatient_fees(store, call("2204"), [fee("1", here, "XA10BAA059A001010100001", "2", "3.5"),
                                               fee("2", here, "001102000010000", "1", "15")])  # fmt: skip
    settle(store, here, "22")
    there = outpatient(store, inst=CLINIC, med_type="14", dise_codg="M03900")
    fees.outpatient_fees(store, call("2204", inst=CLINIC), [fee("1", there, "XA10BAA059A001010100001", "1", "3.5")])
    settle(store, there, "3.5", inst=CLINIC)
    unsettled = outpatient(store, med_type="14", dise_codg="M03900")
    fees.outpatient_fees(store, call("2204"), [fee("1", unsettled, "XA10BAA059A001010100001", "1", "3.5")])
    ordinary = outpatient(store)
    fees.outpatient_fees(store, call("2204"), [fee("1", ordinary, "XA10BAA059A001010100001", "1", "3.5")])
    settle(store, ordinary, "3.5")

    ask = query(rec.ChronicDrugQuery, psn_no=WANGQIANG, begntime="2026-11-01 00:00:00")
    rows = records.chronic_drugs(store, call("5205"), ask).output["feedetail"]
    assert [(r["mdtrt_id"], r["fixmedins_code"], r["fixmedins_name"], r["cnt"]) for r in rows] == [
        (here, "H54010000001", "拉萨市第一人民医院(演示)", Decimal("2")),
        (there, "H54010000002", "拉萨市城关区社区卫生服务中心(演示)", Decimal("1")),
    ]
    assert all(r["med_type"] == "14" and r["psn_no"] == WANGQIANG for r in rows)


def test_5301_answers_the_persons_chronic_filings_that_are_not_revoked(store):
    kept = _chronic_filing(store)
    gone = _chronic_filing(store, code="E11.900")
    filings.revoke_chronic(store, call("2504"), inp.CancelFiling(trt_dcla_detl_sn=gone, psn_no=WANGQIANG))
    rows = records.chronic_filings(store, call("5301", inst=CLINIC), query(rec.PersonQuery, psn_no=WANGQIANG))
    assert rows.output["feedetail"] == [
        {"opsp_dise_code": "M03900", "opsp_dise_name": "高血压", "begndate": "2026-01-01", "enddate": None,
         "insutype": "310", "trt_dcla_detl_sn": kept},
    ]  # fmt: skip


def test_5304_answers_the_persons_referrals_in_force_during_the_period_from_remote_cares_filings(store):
    def referral(filing_id: str, begndate: dt.date, status: str = "active", kind: str = "referral") -> None:
        store.referrals.append(
            SimpleNamespace(
                filing_id=filing_id,
                psn_no=ZHAXI,
                filing_type=kind,
                status=status,
                begndate=begndate,
                enddate=begndate + dt.timedelta(days=90),
                insuplc_admdvs="540100",
                target_admdvs="110100",
                trt_dcla_detl_sn="RC" + filing_id,
            )
        )

    referral("1", dt.date(2026, 11, 1))
    referral("2", dt.date(2026, 11, 2), status="revoked")
    referral("3", dt.date(2026, 1, 1))
    referral("4", dt.date(2026, 11, 3), kind="emergency")
    ask = query(rec.ReferralQuery, psn_no=ZHAXI, begntime="2026-11-20 00:00:00", endtime="2026-11-24 23:59:59")
    rows = records.referrals(store, call("5304"), ask).output["refmedin"]
    assert [r["trt_dcla_detl_sn"] for r in rows] == ["RC1"]
    assert (rows[0]["insutype"], rows[0]["out_flag"], rows[0]["begndate"], rows[0]["reflin_medins_no"]) == (
        "390",
        "1",
        "2026-11-01",
        None,
    )


# ---------------------------------------------------------------- designations (2505 / 2506, 5302)


def designation(**more: Any) -> rec.Designation:
    fields = {"psn_no": WANGQIANG, "biz_appy_type": "03", "begndate": "2026-11-24", "fix_srt_no": "1",
              "fixmedins_code": "H54010000001", "fixmedins_name": "随便写的名字", "tel": "13800000000"}  # fmt: skip
    return query(rec.Designation, **{**fields, **more})


def test_a_designation_is_filed_listed_by_5302_and_revoked_by_its_filer(store):
    sn = records.designate(store, call("2505"), designation()).output["result"]["trt_dcla_detl_sn"]
    listed = records.designations(store, call("5302", inst=CLINIC), query(rec.DesignationQuery, psn_no=WANGQIANG))
    assert listed.output["psnfixmedin"] == [
        {"psn_no": WANGQIANG, "insutype": "310", "biz_appy_type": "03", "fix_srt_no": "1",
         "fixmedins_code": "H54010000001", "fixmedins_name": "拉萨市第一人民医院(演示)", "begndate": "2026-11-24",
         "enddate": None, "memo": None, "trt_dcla_detl_sn": sn},
    ]  # fmt: skip
    of_another_kind = query(rec.DesignationQuery, psn_no=WANGQIANG, biz_appy_type="01")
    assert records.designations(store, call("5302"), of_another_kind).output["psnfixmedin"] == []

    records.revoke_designation(
        store, call("2506"), inp.CancelFiling(trt_dcla_detl_sn=sn, psn_no=WANGQIANG, memo="改点")
    )
    assert records.designations(store, call("5302"), query(rec.DesignationQuery, psn_no=WANGQIANG)).output == {
        "psnfixmedin": []
    }
    again = inp.CancelFiling(trt_dcla_detl_sn=sn, psn_no=WANGQIANG)
    assert refusal(records.revoke_designation, store, call("2506"), again).code == "ALREADY_REVOKED"


def test_a_stranger_revoking_a_designation_hears_it_is_unknown_and_nothing_changes(store):
    sn = records.designate(store, call("2505"), designation()).ref_id
    theirs = refusal(records.revoke_designation, store, call("2506", inst=CLINIC),
                     inp.CancelFiling(trt_dcla_detl_sn=sn, psn_no=WANGQIANG))  # fmt: skip
    nobody = refusal(records.revoke_designation, store, call("2506", inst=CLINIC),
                     inp.CancelFiling(trt_dcla_detl_sn="NOPE", psn_no=WANGQIANG))  # fmt: skip
    assert (theirs.code, theirs.message.replace(str(sn), "NOPE")) == (nobody.code, nobody.message)
    assert not store.designations[sn].revoked


def test_a_designation_is_refused_twice_for_one_period_for_another_institution_and_for_relocation(store):
    records.designate(store, call("2505"), designation(enddate="2026-12-31"))
    twice = refusal(records.designate, store, call("2505"), designation(begndate="2026-12-01"))
    assert twice.code == "ALREADY_DESIGNATED"
    assert records.designate(store, call("2505"), designation(begndate="2027-01-01")).ref_id
    assert records.designate(store, call("2505", inst=CLINIC), designation(fixmedins_code=None)).ref_id
    on_behalf = refusal(records.designate, store, call("2505", inst=CLINIC), designation())
    assert "is not the calling institution" in on_behalf.message
    assert refusal(records.designate, store, call("2505"), designation(biz_appy_type="08")).code == (
        "BIZ_APPY_TYPE_UNSUPPORTED"
    )
    assert refusal(records.designate, store, call("2505"), designation(psn_no="34130000000000000001")).code == (
        "WRONG_POOL"
    )


def test_a_designation_changes_no_settlement(store):
    def settled_at_the_clinic() -> dict[str, Any]:
        mdtrt_id = outpatient(store, inst=CLINIC)
        fees.outpatient_fees(store, call("2204", inst=CLINIC), [fee("1", mdtrt_id, "002501010010000", "1", "30")])
        data = inp.Settle(psn_no=WANGQIANG, mdtrt_cert_type="02", mdtrt_cert_no=store.people[WANGQIANG].certno,
                          medfee_sumamt=Decimal("30"), psn_setlway="01", mdtrt_id=mdtrt_id, insutype="310",
                          acct_used_flag="0")  # fmt: skip
        return dict(settling.settle_visit(store, call("2206", inst=CLINIC), data).output["setlinfo"])

    before = settled_at_the_clinic()
    records.designate(store, call("2505"), designation())
    after = settled_at_the_clinic()
    amounts = ("medfee_sumamt", "fund_pay_sumamt", "hifp_pay", "psn_cash_pay", "act_pay_dedc")
    assert [after[k] for k in amounts] == [before[k] for k in amounts]


def test_an_endtime_past_now_reads_as_now_and_java_epoch_milliseconds_read_as_local_time(store):
    mine = outpatient(store)
    forever = query(rec.VisitQuery, psn_no=WANGQIANG, begntime="2026-11-01", endtime="9999-12-31")
    assert [r["mdtrt_id"] for r in records.visits(store, call("5201"), forever).output["mdtrtinfo"]] == [mine]
    midnight = int(dt.datetime(2026, 11, 24).timestamp() * 1000)
    fastjson = query(rec.VisitQuery, psn_no=WANGQIANG, begntime=midnight, endtime=None)
    assert fastjson.begntime == dt.datetime(2026, 11, 24)
    assert [r["mdtrt_id"] for r in records.visits(store, call("5201"), fastjson).output["mdtrtinfo"]] == [mine]
    from_now_on = query(rec.ChronicDrugQuery, psn_no=WANGQIANG, begntime="2026-11-24 10:00:01", endtime="")
    assert records.chronic_drugs(store, call("5205"), from_now_on).output == {"feedetail": []}


def test_patients_in_hospital_and_referrals_take_a_window_of_any_length(store):
    staying = admit(store)
    years = query(rec.InpatientQuery, begntime="2020-01-01", endtime="9999-12-31")
    assert [r["mdtrt_id"] for r in records.inpatients(store, call("5303"), years).output["data"]] == [staying]
    backwards = query(rec.InpatientQuery, begntime="2026-11-24", endtime="2026-11-01")
    assert refusal(records.inpatients, store, call("5303"), backwards).code == "INPUT_INVALID"


def test_2505_answers_its_serial_under_result_and_straight_under_output(store):
    output = records.designate(store, call("2505"), designation()).output
    assert output["result"]["trt_dcla_detl_sn"] == output["trt_dcla_detl_sn"]
