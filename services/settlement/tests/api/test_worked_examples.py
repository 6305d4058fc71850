"""Worked examples of docs/settlement-rules.md (section 14), to the cent, through the national door."""

from __future__ import annotations

from decimal import Decimal

from support import WANGQIANG, ZHUOMA, line, open_outpatient, settle_input


def test_zhuoma_pays_her_first_65_as_deductible_then_the_pool_pays_60_percent_of_the_rest(clinic):
    mdtrt_id = open_outpatient(clinic, ZHUOMA)
    clinic.ok(
        "2204",
        {
            "feedetail": [
                line("1", "001102000010000", "1", "15", mdtrt_id, ZHUOMA),
                line("2", "002501010010000", "1", "30", mdtrt_id, ZHUOMA),
                line("3", "XA10BAA059A001010100001", "1", "20", mdtrt_id, ZHUOMA),
            ]
        },
        insuplc="540100",
    )
    first = clinic.ok("2207", settle_input(ZHUOMA, mdtrt_id, "65"), insuplc="540100")["setlinfo"]
    assert (first["inscp_scp_amt"], first["act_pay_dedc"], first["hifp_pay"]) == (
        Decimal("65.00"),
        Decimal("65.00"),
        Decimal("0.00"),
    )

    second_visit = open_outpatient(clinic, ZHUOMA)
    clinic.ok("2204", {"feedetail": [line("1", "002501010010000", "1", "200", second_visit, ZHUOMA)]}, insuplc="540100")
    second = clinic.ok("2207", settle_input(ZHUOMA, second_visit, "200"), insuplc="540100")["setlinfo"]
    assert (second["act_pay_dedc"], second["hifp_pay"], second["psn_cash_pay"]) == (
        Decimal("35.00"),
        Decimal("66.00"),
        Decimal("134.00"),
    )


def test_wangqiang_inpatient_stay_splits_across_price_caps_pool_and_account(lhasa):
    admitted = lhasa.ok(
        "2401",
        {
            "mdtrtinfo": {
                "psn_no": WANGQIANG,
                "insutype": "310",
                "begntime": "2026-11-20 08:00:00",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": "540102198501150411",
                "med_type": "21",
                "ipt_no": "IP0001",
                "atddr_no": "DR1",
                "chfpdr_name": "医生",
                "adm_dept_codg": "D02",
                "adm_dept_name": "外科",
                "dise_codg": "K35.800",
                "dise_name": "阑尾炎",
            },
            "diseinfo": [],
        },
        insuplc="540100",
    )
    mdtrt_id = admitted["result"]["mdtrt_id"]
    lhasa.ok(
        "2301",
        {
            "feedetail": [
                line("1", "003301000010000", "1", "10000", mdtrt_id, WANGQIANG),
                line("2", "XJ01DCC041B002010100002", "20", "15", mdtrt_id, WANGQIANG),
                line("3", "001101000010000", "5", "45", mdtrt_id, WANGQIANG),
                line("4", "C01010100001000", "10", "8", mdtrt_id, WANGQIANG),
            ]
        },
        insuplc="540100",
    )
    lhasa.ok(
        "2402",
        {
            "dscginfo": {
                "mdtrt_id": mdtrt_id,
                "psn_no": WANGQIANG,
                "insutype": "310",
                "endtime": "2026-11-24 08:00:00",
                "dscg_way": "1",
            },
            "diseinfo": [],
        },
        insuplc="540100",
    )
    out = lhasa.ok("2304", settle_input(WANGQIANG, mdtrt_id, "10605", med_type="21", acct="1"), insuplc="540100")
    info = out["setlinfo"]
    assert {
        k: info[k]
        for k in ("overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "act_pay_dedc", "hifp_pay", "acct_pay", "balc")
    } == {
        "overlmt_selfpay": Decimal("60.00"),
        "preselfpay_amt": Decimal("48.00"),
        "inscp_scp_amt": Decimal("10497.00"),
        "act_pay_dedc": Decimal("900.00"),
        "hifp_pay": Decimal("7677.60"),
        "acct_pay": Decimal("2927.40"),
        "balc": Decimal("2072.60"),
    }
    assert [d["fund_pay_type"] for d in out["setldetail"]] == ["310100", "310200"]
