"""The record queries (5201-5205, 5301-5304) and designations (2505/2506) through the door, after real chains:
an outpatient visit and an inpatient stay, each with the diagnoses its calls carried."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from support import PEOPLE, WANGQIANG, ZHAXI, His, line, settle_input

from medshared.events import Event
from settlement.messaging import consumer

POOL = "540100"
DAY = {"begntime": "2026-11-01 00:00:00", "endtime": "2026-11-30 23:59:59"}


def diagnosis(code: str, name: str, when: str, **more: Any) -> dict[str, Any]:
    return {
        "diag_type": "1",
        "diag_srt_no": "1",
        "diag_code": code,
        "diag_name": name,
        "diag_dept": "内科",
        "dise_dor_no": "DR1",
        "dise_dor_name": "医生",
        "diag_time": when,
        "vali_flag": "1",
        **more,
    }


def outpatient_visit(his: His, psn_no: str = WANGQIANG, *, med_type: str = "11", dise_codg: str = "") -> str:
    p = PEOPLE[psn_no]
    register = {
        "psn_no": psn_no, "insutype": p["insutype"], "begntime": "2026-11-24 09:00:00", "mdtrt_cert_type": "02",
        "mdtrt_cert_no": p["certno"], "ipt_otp_no": "OP1", "atddr_no": "DR1", "dr_name": "医生", "dept_code": "D01",
        "dept_name": "内科", "caty": "A03",
    }  # fmt: skip
    mdtrt_id = his.ok("2201", {"data": register}, insuplc=POOL)["data"]["mdtrt_id"]
    info = {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "med_type": med_type, "begntime": "2026-11-24 09:00:00",
            "dise_codg": dise_codg}  # fmt: skip
    sent = [diagnosis("J06.900", "急性上呼吸道感染", "2026-11-24 09:10:00")]
    his.ok("2203", {"mdtrtinfo": info, "diseinfo": sent}, insuplc=POOL)
    return str(mdtrt_id)


def settled_outpatient_visit(his: His, psn_no: str = WANGQIANG, **visit: Any) -> tuple[str, str]:
    mdtrt_id = outpatient_visit(his, psn_no, **visit)
    lines = [line("1", "001102000010000", "1", "15.00", mdtrt_id, psn_no),
             line("2", "XA10BAA059A001010100001", "2", "3.50", mdtrt_id, psn_no)]  # fmt: skip
    his.ok("2204", {"feedetail": lines}, insuplc=POOL)
    med_type = visit.get("med_type", "11")
    setl_id = his.ok("2207", settle_input(psn_no, mdtrt_id, "22.00", med_type=med_type), insuplc=POOL)["setlinfo"]
    return mdtrt_id, str(setl_id["setl_id"])


def admitted(his: His, psn_no: str = ZHAXI) -> str:
    p = PEOPLE[psn_no]
    info = {"psn_no": psn_no, "insutype": p["insutype"], "begntime": "2026-11-20 08:00:00", "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"], "med_type": "21", "ipt_no": "IP7", "atddr_no": "DR2", "chfpdr_name": "医生",
            "adm_dept_codg": "D02", "adm_dept_name": "外科"}  # fmt: skip
    sent = [diagnosis("N39.000", "泌尿道感染", "2026-11-20 08:30:00", maindiag_flag="1", adm_cond="1")]
    return str(his.ok("2401", {"mdtrtinfo": info, "diseinfo": sent}, insuplc=POOL)["result"]["mdtrt_id"])


def discharged(his: His, mdtrt_id: str, psn_no: str = ZHAXI) -> None:
    dscginfo = {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": PEOPLE[psn_no]["insutype"],
                "endtime": "2026-11-23 10:00:00"}  # fmt: skip
    sent = [diagnosis("N10.x00", "急性肾盂肾炎", "2026-11-23 09:00:00", maindiag_flag="1")]
    his.ok("2402", {"dscginfo": dscginfo, "diseinfo": sent}, insuplc=POOL)


def test_after_an_outpatient_visit_5201_5202_and_5204_answer_what_the_visit_stored(lhasa):
    mdtrt_id, setl_id = settled_outpatient_visit(lhasa)

    visits = lhasa.ok("5201", {"data": {"psn_no": WANGQIANG, **DAY, "med_type": "11"}}, insuplc=POOL)["mdtrtinfo"]
    assert [(v["mdtrt_id"], v["begntime"], v["med_type"], v["ipt_otp_no"]) for v in visits] == [
        (mdtrt_id, "2026-11-24 09:00:00", "11", "OP1")
    ]
    assert (visits[0]["psn_name"], visits[0]["psn_type"], visits[0]["age"]) == ("王强", "1101", Decimal("41.0"))

    diseinfo = lhasa.ok("5202", {"data": {"mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}}, insuplc=POOL)["diseinfo"]
    assert [(d["diag_code"], d["diag_time"], d["diag_srt_no"]) for d in diseinfo] == [
        ("J06.900", "2026-11-24 09:10:00", 1)
    ]

    lines = lhasa.ok("5204", {"data": {"psn_no": WANGQIANG, "mdtrt_id": mdtrt_id, "setl_id": setl_id}}, insuplc=POOL)
    assert [(x["feedetl_sn"], x["det_item_fee_sumamt"], x["setl_id"]) for x in lines] == [
        ("1", Decimal("15.00"), setl_id),
        ("2", Decimal("7.00"), setl_id),
    ]
    assert (lines[0]["hilist_name"], lines[0]["pric_uplmt_amt"]) == ("普通门诊诊查费", Decimal("20.00"))
    assert lines[1]["fee_ocur_time"] == "2026-11-24 09:30:00" and lines[1]["med_chrgitm_type"] == "09"


def test_an_inpatient_is_in_hospital_until_discharged_and_the_stays_diagnoses_read_back(lhasa):
    mdtrt_id = admitted(lhasa)
    in_hospital = lhasa.ok("5303", {"data": {"psn_no": "", "begntime": "", "endtime": ""}})["data"]
    assert [(p["mdtrt_id"], p["psn_no"], p["begndate"], p["ipt_otp_no"]) for p in in_hospital] == [
        (mdtrt_id, ZHAXI, "2026-11-20", "IP7")
    ]
    lhasa.ok("2301", {"feedetail": [line("1", "001101000010000", "3", "45.00", mdtrt_id, ZHAXI)]}, insuplc=POOL)
    discharged(lhasa, mdtrt_id)
    assert lhasa.ok("5303", {"data": {}})["data"] == []

    stay = lhasa.ok("5201", {"data": {"psn_no": ZHAXI, **DAY}}, insuplc=POOL)["mdtrtinfo"]
    assert [(s["mdtrt_id"], s["endtime"], s["ipt_days"], s["inhosp_stas"], s["dscg_maindiag_code"]) for s in stay] == [
        (mdtrt_id, "2026-11-23 10:00:00", 3, "0", "N10.x00")
    ]
    diseinfo = lhasa.ok("5202", {"data": {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI}}, insuplc=POOL)["diseinfo"]
    assert [(d["inout_diag_type"], d["diag_code"], d["maindiag_flag"]) for d in diseinfo] == [
        ("1", "N39.000", "1"),
        ("2", "N10.x00", "1"),
    ]
    lines = lhasa.ok("5204", {"data": {"psn_no": ZHAXI, "mdtrt_id": mdtrt_id}}, insuplc=POOL)
    assert [(x["feedetl_sn"], x["cnt"], x["setl_id"], x["med_type"]) for x in lines] == [
        ("1", Decimal("3.0000"), None, "21")
    ]


def test_a_stranger_institution_sees_nothing_of_anothers_patients(lhasa, clinic):
    mdtrt_id, _ = settled_outpatient_visit(lhasa)
    stay = admitted(lhasa)

    assert clinic.ok("5201", {"data": {"psn_no": WANGQIANG, **DAY}}, insuplc=POOL) == {"mdtrtinfo": []}
    assert clinic.ok("5303", {"data": {}}) == {"data": []}
    assert clinic.ok("5303", {"data": {"psn_no": ZHAXI}}) == {"data": []}
    for infno, data in (
        ("5202", {"mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}),
        ("5204", {"mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}),
        ("5202", {"mdtrt_id": stay, "psn_no": ZHAXI}),
    ):
        theirs = clinic.call(infno, {"data": data}, insuplc=POOL)
        nobody = clinic.call(infno, {"data": {**data, "mdtrt_id": "NO-SUCH-VISIT"}}, insuplc=POOL)
        assert theirs["infcode"] == -1 and theirs["output"] is None
        assert theirs["err_msg"] == nobody["err_msg"].replace("NO-SUCH-VISIT", data["mdtrt_id"])


def test_fee_lines_are_read_in_pages_of_the_size_asked(lhasa):
    mdtrt_id = outpatient_visit(lhasa)
    lines = [line(str(n), "001102000010000", "1", "15.00", mdtrt_id, WANGQIANG) for n in range(1, 6)]
    lhasa.ok("2204", {"feedetail": lines}, insuplc=POOL)
    pages = [
        lhasa.ok("5204", {"data": {"psn_no": WANGQIANG, "mdtrt_id": mdtrt_id, "page_num": n, "page_size": "2"}})
        for n in (1, 2, 3, 4)
    ]
    assert [[x["feedetl_sn"] for x in page] for page in pages] == [["1", "2"], ["3", "4"], ["5"], []]
    too_big = lhasa.call("5204", {"data": {"psn_no": WANGQIANG, "mdtrt_id": mdtrt_id, "page_size": 1000}})
    assert too_big["err_msg"] == "input.data.page_size: must be at most 500 (got 1000)"


def test_a_year_is_the_longest_period_one_query_reads(lhasa):
    answer = lhasa.call("5201", {"data": {"psn_no": WANGQIANG, "begntime": "2025-01-01 00:00:00",
                                          "endtime": "2026-11-30 00:00:00"}})  # fmt: skip
    assert answer["infcode"] == -1 and "more than 366 days" in answer["err_msg"]


def test_a_designation_is_filed_read_by_anyone_who_names_the_person_and_revoked_only_by_its_filer(lhasa, clinic):
    data = {"psn_no": WANGQIANG, "tel": "13800000000", "addr": "", "biz_appy_type": "03", "begndate": "2026-11-24",
            "enddate": "", "agnter_name": "", "agnter_cert_type": "", "agnter_certno": "", "agnter_tel": "",
            "agnter_addr": "", "agnter_rlts": "", "fix_srt_no": "1", "fixmedins_code": "H54010000001",
            "fixmedins_name": "拉萨市第一人民医院", "memo": ""}  # fmt: skip
    sn = lhasa.ok("2505", {"data": data}, insuplc=POOL)["result"]["trt_dcla_detl_sn"]
    again = lhasa.call("2505", {"data": data}, insuplc=POOL)
    assert again["infcode"] == -1 and sn in again["err_msg"]

    listed = clinic.ok("5302", {"data": {"psn_no": WANGQIANG, "biz_appy_type": "03"}}, insuplc=POOL)["psnfixmedin"]
    assert [(d["trt_dcla_detl_sn"], d["fixmedins_code"], d["fix_srt_no"], d["begndate"]) for d in listed] == [
        (sn, "H54010000001", "1", "2026-11-24")
    ]

    revoke = {"data": {"trt_dcla_detl_sn": sn, "psn_no": WANGQIANG, "memo": "改点"}}
    stranger = clinic.call("2506", revoke, insuplc=POOL)
    unknown = clinic.call("2506", {"data": {**revoke["data"], "trt_dcla_detl_sn": "NOPE"}}, insuplc=POOL)
    assert stranger["infcode"] == -1 and stranger["err_msg"] == unknown["err_msg"].replace("NOPE", sn)
    assert len(lhasa.ok("5302", {"data": {"psn_no": WANGQIANG}}, insuplc=POOL)["psnfixmedin"]) == 1

    assert lhasa.ok("2506", revoke, insuplc=POOL) is None
    assert lhasa.ok("5302", {"data": {"psn_no": WANGQIANG}}, insuplc=POOL) == {"psnfixmedin": []}
    assert "already revoked" in lhasa.call("2506", revoke, insuplc=POOL)["err_msg"]


def test_a_persons_chronic_filings_chronic_drugs_and_referrals_answer_whoever_names_the_person(client, lhasa, clinic):
    chronic = {"psn_no": WANGQIANG, "insutype": "310", "opsp_dise_code": "M03900", "opsp_dise_name": "高血压",
               "begndate": "2026-01-01"}  # fmt: skip
    sn = lhasa.ok("2503", {"data": chronic}, insuplc=POOL)["result"]["trt_dcla_detl_sn"]
    mdtrt_id, setl_id = settled_outpatient_visit(lhasa, med_type="14", dise_codg="M03900")

    filed = clinic.ok("5301", {"data": {"psn_no": WANGQIANG}}, insuplc=POOL)["feedetail"]
    assert [(f["opsp_dise_code"], f["begndate"], f["enddate"], f["trt_dcla_detl_sn"]) for f in filed] == [
        ("M03900", "2026-01-01", None, sn)
    ]
    drugs = clinic.ok("5205", {"data": {"psn_no": WANGQIANG, **DAY}}, insuplc=POOL)["feedetail"]
    assert [(d["mdtrt_id"], d["setl_id"], d["med_list_codg"], d["fixmedins_code"]) for d in drugs] == [
        (mdtrt_id, setl_id, "XA10BAA059A001010100001", "H54010000001")
    ]
    assert drugs[0]["fixmedins_name"] == "拉萨市第一人民医院(演示)" and drugs[0]["cnt"] == Decimal("2.0000")

    referral = {"filing_id": "F-REF-1", "psn_no": ZHAXI, "insuplc_admdvs": POOL, "filing_type": "referral",
                "target_admdvs": "110100", "begndate": "2026-11-24", "enddate": "2027-02-21", "status": "active",
                "channel": "his", "trt_dcla_detl_sn": "RC20261124000001", "insutype": "390", "version": 1}  # fmt: skip
    with client.app.state.runtime.unit_of_work() as session:
        consumer.handle(session, Event("FilingCreated", ZHAXI, {"filing": referral}, "remote_care"))
    refmedin = clinic.ok("5304", {"data": {"psn_no": ZHAXI, **DAY}}, insuplc=POOL)["refmedin"]
    assert [(r["trt_dcla_detl_sn"], r["begndate"], r["enddate"], r["out_flag"], r["insutype"]) for r in refmedin] == [
        ("RC20261124000001", "2026-11-24", "2027-02-21", "1", "390")
    ]
    assert lhasa.ok("5304", {"data": {"psn_no": WANGQIANG, **DAY}}, insuplc=POOL) == {"refmedin": []}


def test_a_person_query_without_the_person_is_refused_naming_psn_no(clinic):
    answer = clinic.call("5301", {"data": {"psn_no": ""}})
    assert answer["infcode"] == -1 and answer["err_msg"].startswith("input.data.psn_no")
