"""Fund supervision in the national calls: 3101/3102 advise; 2206/2207 apply the rule's action.

The demo rule set (settlement/demo_data/supervision_rules.json, published by the demo) is in force:
SUP-GEN-001 refuses trastuzumab for a man, SUP-PRC-001 takes an infusion set's price above 10.00
out of fund payment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from support import TRASTUZUMAB, WANGQIANG, ZHAXI, His, line, make_client, open_outpatient, seed, settle_input
from support import supervision_analysis as analysis

from settlement.demo import load_demo

INFUSION_SET = "C01010100001000"  # 一次性使用输液器; SUP-PRC-001 caps its price at 10.00
OPERATOR = {"x-operator-token": "test-clearing"}  # a reviewer (tests/support.py)


def test_3101_and_3102_name_the_rule_its_lines_and_the_amount(lhasa: Any) -> None:
    for infno, scene in (("3101", "2"), ("3102", "7")):
        result = lhasa.ok(infno, analysis(scene))["result"]
        gender = [r for r in result if r["rule_id"] == "SUP-GEN-001"]
        assert len(gender) == 1, result
        row = gender[0]
        assert (row["patn_id"], row["mdtrt_id"], row["vola_amt"]) == (ZHAXI, "HIS-MZ-0001", Decimal("2400.00"))
        assert row["sev_deg"] and row["vola_cont"] and row["task_id"] == "T0001" and row["action"] == "refuse"
        assert [d["rx_id"] for d in row["judge_result_detail_dtos"]] == ["RX1"]


def test_3101_ignores_rule_ids_it_does_not_have_and_filters_by_known_ones(lhasa: Any) -> None:
    body = analysis("2")
    # A Java EMR client sends the infno as its rule_ids: ignored, every rule runs.
    body["data"]["rule_ids"] = ["3101"]
    assert "SUP-GEN-001" in [r["rule_id"] for r in lhasa.ok("3101", body)["result"]]
    body["data"]["rule_ids"] = "SUP-PRC-001,NO-SUCH-RULE"
    assert lhasa.ok("3101", body)["result"] == []


def test_a_refusing_rule_refuses_presettlement_and_settlement_naming_rule_and_line(lhasa: Any) -> None:
    mdtrt_id = open_outpatient(lhasa, ZHAXI)
    lhasa.ok("2204", {"feedetail": [line("7", TRASTUZUMAB, "1", "2400.00", mdtrt_id, ZHAXI)]}, insuplc="540100")
    for infno in ("2206", "2207"):
        answer = lhasa.call(infno, settle_input(ZHAXI, mdtrt_id, "2400.00"), insuplc="540100")
        assert answer["infcode"] == -1
        assert "SUP-GEN-001" in answer["err_msg"] and "7" in answer["err_msg"]


def test_an_excluding_rule_moves_the_amount_to_the_person_to_the_cent_and_is_stored(lhasa: Any, client: Any) -> None:
    mdtrt_id = open_outpatient(lhasa, WANGQIANG)
    lines = [line("1", INFUSION_SET, "100", "12.00", mdtrt_id, WANGQIANG)]
    lhasa.ok("2204", {"feedetail": lines}, insuplc="540100")
    trial = lhasa.ok("2206", settle_input(WANGQIANG, mdtrt_id, "1200.00"), insuplc="540100")
    final = lhasa.ok("2207", settle_input(WANGQIANG, mdtrt_id, "1200.00"), insuplc="540100")
    info = final["setlinfo"]
    amounts = ("fulamt_ownpay_amt", "inscp_scp_amt", "fund_pay_sumamt", "acct_pay", "psn_cash_pay")
    assert [trial["setlinfo"][k] for k in amounts] == [info[k] for k in amounts]
    # (12.00 - 10.00) x 100 = 200.00 leaves fund payment; the other 1000.00 is split as a 1000.00
    # line of this 乙类 item would be: 30% pre-self-pay (300.00), 700.00 in scope.
    assert (info["fulamt_ownpay_amt"], info["preselfpay_amt"]) == (Decimal("200.00"), Decimal("300.00"))
    assert info["inscp_scp_amt"] == Decimal("700.00")
    assert info["fund_pay_sumamt"] + info["acct_pay"] + info["psn_cash_pay"] == Decimal("1200.00")
    assert final["setldetail"] and all("SUP-PRC-001" in d["setl_proc_info"] for d in final["setldetail"])

    found = client.get("/admin/v1/supervision/violations", params={"fixmedins_code": "H54010000001"}, headers=OPERATOR)
    assert found.status_code == 200, found.text
    rows = [v for v in found.json()["violations"] if v["setl_id"] == info["setl_id"]]
    assert [(v["rule_id"], Decimal(str(v["vola_amt"])), v["status"]) for v in rows] == [
        ("SUP-PRC-001", Decimal("200.00"), "open")
    ]

    reverse = {"data": {"setl_id": info["setl_id"], "mdtrt_id": mdtrt_id, "psn_no": WANGQIANG}}
    lhasa.ok("2208", reverse, insuplc="540100")
    after = client.get(f"/admin/v1/supervision/violations/{rows[0]['jr_id']}", headers=OPERATOR).json()
    assert after["status"] == "withdrawn"


EXAM = "001102000010000"  # SUP-DUP-001: not charged twice for one person within a day


def test_a_duplicate_charge_split_across_two_uploads_is_excluded_once(lhasa: Any, client: Any) -> None:
    mdtrt_id = open_outpatient(lhasa, WANGQIANG)
    lhasa.ok("2204", {"feedetail": [line("1", EXAM, "1", "15.00", mdtrt_id, WANGQIANG)]}, insuplc="540100")
    lhasa.ok("2204", {"feedetail": [line("2", EXAM, "1", "15.00", mdtrt_id, WANGQIANG)]}, insuplc="540100")
    final = lhasa.ok("2207", settle_input(WANGQIANG, mdtrt_id, "30.00"), insuplc="540100")["setlinfo"]
    # The later line leaves fund payment in full; the first stays as it was.
    assert final["fulamt_ownpay_amt"] == Decimal("15.00")
    found = client.get("/admin/v1/supervision/violations", params={"rule_id": "SUP-DUP-001"}, headers=OPERATOR).json()[
        "violations"
    ]
    mine = [v for v in found if v["setl_id"] == final["setl_id"]]
    assert [(v["line_keys"], Decimal(str(v["vola_amt"]))) for v in mine] == [(["2"], Decimal("15.00"))]


def _stay(his: Any, begin: str, end: str | None) -> str:
    info = {"psn_no": ZHAXI, "insutype": "390", "begntime": begin, "mdtrt_cert_type": "02",
            "mdtrt_cert_no": "540102198005010110", "med_type": "21", "ipt_no": "IP" + begin[5:10],
            "atddr_no": "D", "chfpdr_name": "D", "adm_dept_codg": "D2", "adm_dept_name": "外科"}  # fmt: skip
    mdtrt_id: str = his.ok("2401", {"mdtrtinfo": info, "diseinfo": []}, insuplc="540100")["result"]["mdtrt_id"]
    if end is not None:
        dscg = {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI, "insutype": "390", "endtime": end}
        his.ok("2402", {"dscginfo": dscg}, insuplc="540100")
    return mdtrt_id


def test_a_readmission_within_the_window_is_flagged_and_a_later_one_is_not(lhasa: Any) -> None:
    first = _stay(lhasa, "2026-10-01 08:00:00", "2026-10-10 08:00:00")
    body = supervision_readmission("2026-10-20 09:00:00")
    flagged = [r for r in lhasa.ok("3101", body)["result"] if r["rule_id"] == "SUP-READM-001"]
    assert len(flagged) == 1 and first in flagged[0]["vola_evid"]
    later = supervision_readmission("2026-11-20 09:00:00")
    assert not [r for r in lhasa.ok("3101", later)["result"] if r["rule_id"] == "SUP-READM-001"]


def supervision_readmission(adm_date: str) -> dict[str, Any]:
    """3101 at admission (trig_scen 3) of 扎西 with no orders yet."""
    encounter = {"mdtrt_id": "HIS-ZY-" + adm_date[:10], "adm_date": adm_date, "med_mdtrt_type": "2",
                 "med_type": "21", "insutype": "390"}  # fmt: skip
    patient = {"patn_id": ZHAXI, "gend": "1", "brdy": "1980-05-01", "fsi_encounter_dtos": [encounter]}
    return {"data": {"patient_dtos": [patient], "trig_scen": "3"}}


def test_with_the_engine_switched_off_settlement_runs_no_rule_and_3101_still_answers(migrated_url, partners) -> None:
    with make_client(migrated_url, partners, supervision=False) as c:
        load_demo(c.app.state.runtime)
        seed(c.app, ZHAXI)
        his = His(c, "H54010000001", "540100")
        his.sign_in()
        mdtrt_id = open_outpatient(his, ZHAXI)
        his.ok("2204", {"feedetail": [line("7", TRASTUZUMAB, "1", "2400.00", mdtrt_id, ZHAXI)]}, insuplc="540100")
        settled = his.ok("2207", settle_input(ZHAXI, mdtrt_id, "2400.00"), insuplc="540100")["setlinfo"]
        assert settled["medfee_sumamt"] == Decimal("2400.00")
        assert [r["rule_id"] for r in his.ok("3101", analysis("2"))["result"]].count("SUP-GEN-001") == 1


def test_a_recording_rule_settles_the_readmission_as_before_and_stores_the_violation(lhasa: Any, client: Any) -> None:
    _stay(lhasa, "2026-10-01 08:00:00", "2026-10-10 08:00:00")
    again = _stay(lhasa, "2026-10-20 08:00:00", None)
    surgery = line("1", "003301000010000", "1", "1000", again, ZHAXI)
    lhasa.ok("2301", {"feedetail": [surgery]}, insuplc="540100")
    dscg = {"mdtrt_id": again, "psn_no": ZHAXI, "insutype": "390", "endtime": "2026-10-25 08:00:00"}
    lhasa.ok("2402", {"dscginfo": dscg}, insuplc="540100")
    answer = lhasa.ok("2304", settle_input(ZHAXI, again, "1000", med_type="21"), insuplc="540100")
    info = answer["setlinfo"]
    # As tests/api/test_inpatient.py settles the same 1000.00 stay with no rule: nothing leaves the fund.
    assert (info["fulamt_ownpay_amt"], info["act_pay_dedc"], info["hifp_pay"]) == (
        Decimal("0.00"),
        Decimal("800.00"),
        Decimal("140.00"),
    )
    assert not any("SUP-" in d["setl_proc_info"] for d in answer["setldetail"])
    found = client.get(
        "/admin/v1/supervision/violations", params={"rule_id": "SUP-READM-001"}, headers=OPERATOR
    ).json()["violations"]
    assert [(v["setl_id"], v["action"], Decimal(str(v["vola_amt"]))) for v in found] == [
        (info["setl_id"], "record", Decimal("1000.00"))
    ]
