"""The hand-worked demo settlements the policy tests check: one case per row, with the arithmetic
a reviewer can redo in its comment (docs/settlement-rules.md, section 14)."""

from __future__ import annotations

from typing import Any

import pytest
from policy_demo import d

from settlement.policy import FilingKind

EXAM = "001102000010000"  # 普通门诊诊查费, cap 20
CBC = "002501010010000"  # 血细胞分析
METFORMIN = "XA10BAA059A001010100001"
CEFUROXIME = "XJ01DCC041B002010100002"  # 乙类 0.10, cap 12 (Beijing: 0.05, cap 10)
APPENDECTOMY = "003301000010000"
BED = "001101000010000"  # 乙类 0, cap 50
INFUSION_SET = "C01010100001000"  # 乙类 0.30
COSMETIC = "ZZ9999999999000"  # 丙类

LHASA_3 = "H54010000001"
LHASA_1 = "H54010000002"
LHASA_PHARMACY = "P54010000001"
SUZHOU_3 = "H34130000001"
BEIJING_3 = "H11010000001"

WANG_QIANG_LINES = [(APPENDECTOMY, 1, 10000), (CEFUROXIME, 20, 15), (BED, 5, 45), (INFUSION_SET, 10, 8)]
ZHOU_MIN_LINES = [(APPENDECTOMY, 1, 10000), (CEFUROXIME, 20, 15)]


def case(
    id: str,
    name: str,
    fixmedins: str,
    med_type: str,
    lines: list[Any],
    expected: dict[str, Any],
    before: dict[str, Any] | None = None,
    **ctx: Any,
) -> Any:
    return pytest.param(name, fixmedins, med_type, lines, before or {}, ctx, expected, id=id)


CASES = [
    # ---- worked examples of the brief
    case(
        "zhuoma's first outpatient visit goes entirely to the deductible",
        "卓玛",
        LHASA_1,
        "11",
        [(EXAM, 1, 15), (CBC, 1, 30), (METFORMIN, 1, 20)],
        dict(
            inscp_scp_amt="65.00", act_pay_dedc="65.00", hifp_pay="0.00", psn_cash_pay="65.00", pool_prop_selfpay="0.40"
        ),
    ),
    case(
        # D_rem 35; (200 - 35) x 0.40 = 66
        "zhuoma's second visit pays 40 percent above the rest of her deductible",
        "卓玛",
        LHASA_1,
        "11",
        [(CBC, 1, 200)],
        dict(act_pay_dedc="35.00", hifp_pay="66.00", psn_cash_pay="134.00"),
        before=dict(outpatient_dedc=65),
    ),
    case(
        # cefuroxime: over cap (15-12)x20 = 60, pre-self-pay 240 x 0.10 = 24; infusion set 80 x 0.3 = 24
        # (10497 - 900) x 0.80 = 7677.60; account pays the rest 2927.40
        "wang qiang's appendectomy stay is paid by the pool and his account",
        "王强",
        LHASA_3,
        "21",
        WANG_QIANG_LINES,
        dict(
            medfee_sumamt="10605.00",
            overlmt_selfpay="60.00",
            preselfpay_amt="48.00",
            inscp_scp_amt="10497.00",
            act_pay_dedc="900.00",
            hifp_pay="7677.60",
            fund_pay_sumamt="7677.60",
            psn_part_amt="2927.40",
            acct_pay="2927.40",
            psn_cash_pay="0.00",
            balc="2072.60",
        ),
        acct_used_flag=True,
    ),
    # ---- outpatient cap
    case(
        # (700 - 100) x 0.60 = 360 > cap 300
        "an outpatient bill crossing the annual cap is paid only up to the cap",
        "扎西",
        LHASA_1,
        "11",
        [(CBC, 1, 700)],
        dict(act_pay_dedc="100.00", hifp_pay="300.00", psn_part_amt="400.00"),
    ),
    case(
        "an outpatient bill near the cap is paid only what is left of it",
        "扎西",
        LHASA_1,
        "11",
        [(CBC, 1, 200)],
        dict(act_pay_dedc="0.00", hifp_pay="50.00", psn_cash_pay="150.00"),
        before=dict(outpatient_dedc=100, hifp_outpatient=250),
    ),
    case(
        "an outpatient bill after the cap is exhausted is all self-paid",
        "扎西",
        LHASA_1,
        "11",
        [(CBC, 1, 200)],
        dict(hifp_pay="0.00", fund_pay_sumamt="0.00", psn_cash_pay="200.00"),
        before=dict(outpatient_dedc=100, hifp_outpatient=300),
    ),
    case(
        # (5000 - 200) x 0.50 = 2400 > cap 2000; 大额 is for chronic and inpatient only
        "an employee's outpatient overflow is not taken over by the large-amount fund",
        "王强",
        LHASA_1,
        "11",
        [(CBC, 1, 5000)],
        dict(act_pay_dedc="200.00", hifp_pay="2000.00", hifob_pay="0.00", psn_cash_pay="3000.00", balc="5000.00"),
    ),
    case(
        "items outside the catalogue and class C items are fully self-paid",
        "扎西",
        LHASA_1,
        "11",
        [(COSMETIC, 1, 1000), ("X-NOT-IN-CATALOGUE", 1, 50), (CBC, 1, 200)],
        dict(
            medfee_sumamt="1250.00",
            fulamt_ownpay_amt="1050.00",
            inscp_scp_amt="200.00",
            act_pay_dedc="100.00",
            hifp_pay="60.00",
            psn_part_amt="1190.00",
        ),
    ),
    # ---- main cap, 大额, civil servant, retired
    case(
        # raw 7677.60 > 5000 left; covered 5000/0.8 = 6250; over (9597-6250) x 0.9 = 3012.30
        "the large-amount fund takes over when a bill crosses the employee's main cap",
        "王强",
        LHASA_3,
        "21",
        WANG_QIANG_LINES,
        dict(
            hifp_pay="5000.00",
            hifob_pay="3012.30",
            fund_pay_sumamt="8012.30",
            psn_part_amt="2592.70",
            acct_pay="2592.70",
            balc="2407.30",
        ),
        before=dict(hifp_main=195000),
        acct_used_flag=True,
    ),
    case(
        "the large-amount fund stops at its own annual cap",
        "王强",
        LHASA_3,
        "21",
        WANG_QIANG_LINES,
        dict(hifp_pay="5000.00", hifob_pay="1000.00", psn_part_amt="4605.00", acct_pay="4605.00", balc="395.00"),
        before=dict(hifp_main=195000, hifob_paid=299000),
        acct_used_flag=True,
    ),
    case(
        # (900 + 9100 - 7280) x 0.50 = 1360
        "a civil servant's deductible and co-payment are half covered by the subsidy",
        "李娜",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 10000)],
        dict(
            act_pay_dedc="900.00",
            hifp_pay="7280.00",
            cvlserv_pay="1360.00",
            fund_pay_sumamt="8640.00",
            psn_part_amt="1360.00",
            acct_pay="1360.00",
            balc="1640.00",
        ),
        acct_used_flag=True,
    ),
    case(
        # covered 6250, 大额 2850 x 0.9 = 2565, subsidy (900 + 6250 - 5000) x 0.5 = 1075
        "a civil servant crossing the main cap gets the subsidy only on the part within it",
        "李娜",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 10000)],
        dict(
            hifp_pay="5000.00",
            hifob_pay="2565.00",
            cvlserv_pay="1075.00",
            fund_pay_sumamt="8640.00",
            psn_part_amt="1360.00",
        ),
        before=dict(hifp_main=195000),
    ),
    case(
        "a civil servant's outpatient visit gets no subsidy",
        "李娜",
        LHASA_1,
        "11",
        [(CBC, 1, 1000)],
        dict(act_pay_dedc="200.00", hifp_pay="400.00", cvlserv_pay="0.00", psn_part_amt="600.00"),
    ),
    case(
        # (10000 - 900) x (0.80 + 0.05)
        "a retired employee's inpatient ratio is five points higher",
        "张建国",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 10000)],
        dict(
            pool_prop_selfpay="0.85",
            hifp_pay="7735.00",
            psn_part_amt="2265.00",
            acct_pay="0.00",
            psn_cash_pay="2265.00",
            balc="8000.00",
        ),
    ),
    case(
        "a retired employee's outpatient ratio is the retired one",
        "张建国",
        LHASA_1,
        "11",
        [(CBC, 1, 500)],
        dict(act_pay_dedc="200.00", pool_prop_selfpay="0.60", hifp_pay="180.00"),
    ),
    case(
        "a retired employee's chronic visit has no deductible and the retired ratio",
        "张建国",
        LHASA_3,
        "14",
        [(METFORMIN, 100, 2)],
        dict(act_pay_dedc="0.00", pool_prop_selfpay="0.90", hifp_pay="180.00", hifob_pay="0.00", psn_part_amt="20.00"),
        chronic_filing_active=True,
    ),
    # ---- 大病
    case(
        # (100000 - 800) x 0.70 = 69440; base 30560, above 15000: 15560 x 0.60 = 9336
        "critical illness pays on what the pool left above its deductible",
        "扎西",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 100000)],
        dict(
            act_pay_dedc="800.00",
            hifp_pay="69440.00",
            hifmi_pay="9336.00",
            fund_pay_sumamt="78776.00",
            psn_part_amt="21224.00",
        ),
    ),
    case(
        # window [45000, 75560): 5000 x 0.60 + 25560 x 0.70 = 20892
        "a critical-illness window spanning two segments pays each at its rate",
        "扎西",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 100000)],
        dict(hifp_pay="69440.00", hifmi_pay="20892.00", psn_part_amt="9668.00"),
        before=dict(hifmi_base=60000),
    ),
    case(
        # pool: 60000 left; base 40000 in the 0.80 segment = 32000, only 5000 of 大病 cap left
        "a resident crossing both the main cap and the critical-illness cap",
        "扎西",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 100000)],
        dict(
            hifp_pay="60000.00",
            hifob_pay="0.00",
            hifmi_pay="5000.00",
            fund_pay_sumamt="65000.00",
            psn_part_amt="35000.00",
        ),
        before=dict(hifp_main=40000, hifmi_base=700000, hifmi_paid=395000),
    ),
    case(
        # 19000 x 0.65 = 12350; base 7650 above 7500 (halved): 150 x 0.65 = 97.50;
        # assistance (20000 - 12350 - 97.50) x 0.90 = 6797.25
        "liu fang's tilt halves the critical-illness deductible and adds five points",
        "刘芳",
        SUZHOU_3,
        "21",
        [(APPENDECTOMY, 1, 20000)],
        dict(
            act_pay_dedc="1000.00",
            hifp_pay="12350.00",
            hifmi_pay="97.50",
            maf_pay="6797.25",
            fund_pay_sumamt="19244.75",
            psn_part_amt="755.25",
        ),
    ),
    case(
        # 149000 x 0.65 = 96850; window [150, 53300): 49850 x 0.65 + 3300 x 0.75 = 34877.50;
        # assistance 18272.50 x 0.90 = 16445.25
        "liu fang's second stay crosses a critical-illness segment and keeps assistance going",
        "刘芳",
        SUZHOU_3,
        "21",
        [(APPENDECTOMY, 1, 150000)],
        dict(
            hifp_pay="96850.00",
            hifmi_pay="34877.50",
            maf_pay="16445.25",
            fund_pay_sumamt="148172.75",
            psn_part_amt="1827.25",
        ),
        before=dict(hifp_main=12350, hifmi_base=7650, hifmi_paid="97.50", maf_base="7552.50", maf_paid="6797.25"),
    ),
    case(
        # 7650 x 0.85, no cap for the tilted; assistance already at its 50000 cap
        "a tilted person's critical illness has no annual cap but assistance does",
        "刘芳",
        SUZHOU_3,
        "21",
        [(APPENDECTOMY, 1, 20000)],
        dict(hifp_pay="12350.00", hifmi_pay="6502.50", maf_pay="0.00", psn_part_amt="1147.50"),
        before=dict(hifmi_base=1000000, hifmi_paid=400000, maf_base=200000, maf_paid=50000),
    ),
    # ---- medical assistance windows
    case(
        # base 160 stays under the 300 threshold of 低保
        "ciren's small outpatient bill stays under the assistance threshold",
        "次仁",
        LHASA_1,
        "11",
        [(CBC, 1, 250)],
        dict(act_pay_dedc="100.00", hifp_pay="90.00", maf_pay="0.00", psn_part_amt="160.00"),
    ),
    case(
        # pool 210 (cap); base 190 takes M from 160 to 350: 50 above 300 x 0.70 = 35
        "ciren's next outpatient bill crosses the assistance threshold part way",
        "次仁",
        LHASA_1,
        "11",
        [(CBC, 1, 400)],
        dict(hifp_pay="210.00", maf_pay="35.00", psn_part_amt="155.00"),
        before=dict(outpatient_dedc=100, hifp_outpatient=90, maf_base=160),
    ),
    case(
        # 29200 x 0.70 = 20440; 大病 (9560 - 7500) x 0.65 = 1339; assistance (8381 - 300) x 0.70
        "ciren's stay after an outpatient visit gets the tilt and assistance above 300",
        "次仁",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 30000)],
        dict(
            act_pay_dedc="800.00",
            hifp_pay="20440.00",
            hifmi_pay="1339.00",
            maf_pay="5656.70",
            fund_pay_sumamt="27435.70",
            psn_part_amt="2564.30",
        ),
        before=dict(outpatient_dedc=100, hifp_outpatient=90, maf_base=160),
    ),
    # ---- out of area (周敏 from 岳阳 in 北京; Beijing's cefuroxime cap 10, self-pay 0.05)
    case(
        # over (15-10) x 20 = 100, pre 200 x 0.05 = 10; (10190 - 900) x (0.65 - 0.15)
        "unfiled cross-province care loses fifteen points under the beijing catalogue",
        "周敏",
        BEIJING_3,
        "21",
        ZHOU_MIN_LINES,
        dict(
            medfee_sumamt="10300.00",
            overlmt_selfpay="100.00",
            preselfpay_amt="10.00",
            inscp_scp_amt="10190.00",
            act_pay_dedc="900.00",
            pool_prop_selfpay="0.50",
            hifp_pay="4645.00",
            hifmi_pay="0.00",
            psn_part_amt="5655.00",
        ),
    ),
    case(
        "an other-temporary filing loses ten points",
        "周敏",
        BEIJING_3,
        "21",
        ZHOU_MIN_LINES,
        dict(pool_prop_selfpay="0.55", hifp_pay="5109.50", psn_part_amt="5190.50"),
        filing=FilingKind.OTHER_TEMPORARY,
    ),
    case(
        "a referral filing keeps the full ratio",
        "周敏",
        BEIJING_3,
        "21",
        ZHOU_MIN_LINES,
        dict(pool_prop_selfpay="0.65", hifp_pay="6038.50", psn_part_amt="4261.50"),
        filing=FilingKind.REFERRAL,
    ),
    case(
        "an emergency admission out of area counts as filed",
        "周敏",
        BEIJING_3,
        "24",
        ZHOU_MIN_LINES,
        dict(pool_prop_selfpay="0.65", hifp_pay="6038.50"),
    ),
    case(
        # 430600 residents' outpatient: deductible 50, ratio 0.50
        "an emergency outpatient visit out of area counts as filed",
        "周敏",
        BEIJING_3,
        "13",
        [(CBC, 1, 250)],
        dict(act_pay_dedc="50.00", pool_prop_selfpay="0.50", hifp_pay="100.00"),
    ),
    case(
        # (10000 - 1000) x (0.80 + 0.05)
        "wu gang's resettled-retiree filing keeps his full ratio in beijing",
        "吴刚",
        BEIJING_3,
        "21",
        [(APPENDECTOMY, 1, 10000)],
        dict(
            act_pay_dedc="1000.00",
            pool_prop_selfpay="0.85",
            hifp_pay="7650.00",
            psn_part_amt="2350.00",
            acct_pay="2350.00",
            balc="3650.00",
        ),
        acct_used_flag=True,
    ),
    # ---- mid-stay settlement
    case(
        "a first mid-stay settlement uses up part of the admission deductible",
        "扎西",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 500)],
        dict(act_pay_dedc="500.00", hifp_pay="0.00"),
    ),
    case(
        "a second mid-stay settlement applies only what is left of the deductible",
        "扎西",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 1000)],
        dict(act_pay_dedc="300.00", hifp_pay="490.00"),
        mdtrt_dedc_applied=d(500),
    ),
    case(
        "a third mid-stay settlement applies no deductible at all",
        "扎西",
        LHASA_3,
        "21",
        [(APPENDECTOMY, 1, 1000)],
        dict(act_pay_dedc="0.00", hifp_pay="700.00"),
        mdtrt_dedc_applied=d(800),
    ),
    # ---- refunds, chronic, pharmacy
    case(
        # the cefuroxime line and its refund vanish: (10281 - 900) x 0.80 = 7504.80
        "a refunded line settled with its original leaves no trace",
        "王强",
        LHASA_3,
        "21",
        [*WANG_QIANG_LINES, (CEFUROXIME, -20, 15)],
        dict(
            medfee_sumamt="10305.00",
            overlmt_selfpay="0.00",
            preselfpay_amt="24.00",
            inscp_scp_amt="10281.00",
            hifp_pay="7504.80",
            psn_part_amt="2800.20",
        ),
    ),
    case(
        "a resident's chronic visit has no deductible and the chronic ratio",
        "扎西",
        LHASA_3,
        "14",
        [(METFORMIN, 100, 2)],
        dict(act_pay_dedc="0.00", pool_prop_selfpay="0.80", hifp_pay="160.00", hifmi_pay="0.00", psn_part_amt="40.00"),
        chronic_filing_active=True,
    ),
    case(
        "an employee's pharmacy purchase is paid from the account only",
        "王强",
        LHASA_PHARMACY,
        "41",
        [(METFORMIN, 10, 2)],
        dict(pool_prop_selfpay="0", fund_pay_sumamt="0.00", acct_pay="20.00", psn_cash_pay="0.00", balc="4980.00"),
        acct_used_flag=True,
    ),
    case(
        "a resident's pharmacy purchase is paid in cash",
        "扎西",
        LHASA_PHARMACY,
        "41",
        [(METFORMIN, 10, 2)],
        dict(fund_pay_sumamt="0.00", acct_pay="0.00", psn_cash_pay="20.00"),
    ),
    case(
        "medical assistance does not pay at a pharmacy",
        "次仁",
        LHASA_PHARMACY,
        "41",
        [(METFORMIN, 10, 2)],
        dict(maf_pay="0.00", psn_cash_pay="20.00"),
        before=dict(maf_base=5000),
    ),
]
