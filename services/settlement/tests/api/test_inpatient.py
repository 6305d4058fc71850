"""An inpatient stay: mid-stay settlement, refund lines, discharge, final settlement."""

from __future__ import annotations

from decimal import Decimal

from support import ZHAXI, line, settle_input


def admit(his, psn_no=ZHAXI):
    return his.ok(
        "2401",
        {
            "mdtrtinfo": {
                "psn_no": psn_no,
                "insutype": "390",
                "begntime": "2026-11-01 08:00:00",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": "540102198005010110",
                "med_type": "21",
                "ipt_no": "IP1",
                "atddr_no": "D",
                "chfpdr_name": "D",
                "adm_dept_codg": "D2",
                "adm_dept_name": "外科",
            },
            "diseinfo": [],
        },
        insuplc="540100",
    )["result"]["mdtrt_id"]


def test_the_admission_deductible_is_taken_once_across_a_mid_stay_and_the_final_settlement(lhasa):
    mdtrt_id = admit(lhasa)
    lhasa.ok("2301", {"feedetail": [line("1", "003301000010000", "1", "1000", mdtrt_id, ZHAXI)]}, insuplc="540100")
    mid = lhasa.ok("2304", settle_input(ZHAXI, mdtrt_id, "1000", med_type="21", mid_setl_flag="1"), insuplc="540100")
    assert (mid["setlinfo"]["act_pay_dedc"], mid["setlinfo"]["hifp_pay"]) == (Decimal("800.00"), Decimal("140.00"))

    early = lhasa.call("2304", settle_input(ZHAXI, mdtrt_id, "0", med_type="21"), insuplc="540100")
    assert "register the discharge (2402)" in early["err_msg"]

    lhasa.ok("2301", {"feedetail": [line("2", "003301000010000", "1", "1000", mdtrt_id, ZHAXI)]}, insuplc="540100")
    lhasa.ok(
        "2402",
        {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI, "insutype": "390", "endtime": "2026-11-05 08:00:00"}},
        insuplc="540100",
    )
    final = lhasa.ok("2304", settle_input(ZHAXI, mdtrt_id, "1000", med_type="21"), insuplc="540100")["setlinfo"]
    assert (final["act_pay_dedc"], final["hifp_pay"]) == (Decimal("0.00"), Decimal("700.00"))


def test_a_refund_line_nets_against_its_original_before_settlement(lhasa):
    mdtrt_id = admit(lhasa)
    lhasa.ok(
        "2301",
        {"feedetail": [line("1", "XJ01DCC041B002010100002", "20", "15", mdtrt_id, ZHAXI)]},
        insuplc="540100",
    )
    result = lhasa.ok(
        "2301",
        {"feedetail": [line("2", "XJ01DCC041B002010100002", "-5", "15", mdtrt_id, ZHAXI, init_feedetl_sn="1")]},
        insuplc="540100",
    )["result"][0]
    assert (result["overlmt_amt"], result["preselfpay_amt"], result["inscp_scp_amt"]) == (
        Decimal("-15.00"),
        Decimal("-6.00"),
        Decimal("-54.00"),
    )
    too_much = lhasa.call(
        "2301",
        {"feedetail": [line("3", "XJ01DCC041B002010100002", "-30", "15", mdtrt_id, ZHAXI, init_feedetl_sn="1")]},
        insuplc="540100",
    )
    assert "at most its quantity" in too_much["err_msg"]
    lhasa.ok(
        "2402",
        {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": ZHAXI, "insutype": "390", "endtime": "2026-11-05 08:00:00"}},
        insuplc="540100",
    )
    info = lhasa.ok("2304", settle_input(ZHAXI, mdtrt_id, "225", med_type="21"), insuplc="540100")["setlinfo"]
    assert (info["medfee_sumamt"], info["inscp_scp_amt"], info["act_pay_dedc"]) == (
        Decimal("225.00"),
        Decimal("162.00"),
        Decimal("162.00"),
    )
