"""settle(): every layer of rules sections 3-8 against hand-worked demo settlements.

Each expected amount below was worked out by hand from docs/settlement-rules.md; the comment
on a case shows the arithmetic a reviewer can redo.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from policy_demo import Demo, accum, assert_invariants
from settlement_cases import (
    APPENDECTOMY,
    BEIJING_3,
    CASES,
    CBC,
    CEFUROXIME,
    EXAM,
    LHASA_1,
    LHASA_3,
    LHASA_PHARMACY,
    METFORMIN,
    SUZHOU_3,
    WANG_QIANG_LINES,
    ZHOU_MIN_LINES,
)

from settlement.policy import (
    Accumulators,
    ChronicFilingRequired,
    LocationClass,
    PolicyDataError,
    PolicyMismatch,
    SettlementRuleError,
    UnsupportedVisit,
    settle,
)


@pytest.mark.parametrize("name, fixmedins, med_type, lines, before, ctx, expected", CASES)
def test_settlement_pays_to_the_cent(
    demo: Demo,
    name: str,
    fixmedins: str,
    med_type: str,
    lines: list[Any],
    before: dict[str, Any],
    ctx: dict[str, Any],
    expected: dict[str, str],
) -> None:
    b = demo.settle(name, fixmedins, med_type, lines, accum(**before), **ctx)

    assert {k: b.setlinfo()[k] for k in expected} == {k: Decimal(v) for k, v in expected.items()}
    assert_invariants(b)


@pytest.mark.parametrize("name, fixmedins, med_type, lines, before, ctx, expected", CASES)
def test_the_delta_a_reversal_subtracts_is_exactly_what_the_settlement_paid(
    demo: Demo,
    name: str,
    fixmedins: str,
    med_type: str,
    lines: list[Any],
    before: dict[str, Any],
    ctx: dict[str, Any],
    expected: dict[str, str],
) -> None:
    """A reversal subtracts the stored delta (tests/unit/test_use_cases.py runs it); here: that
    delta records each paid amount of the breakdown, so subtracting it gives back exactly that."""
    b = demo.settle(name, fixmedins, med_type, lines, accum(**before), **ctx)
    delta = b.delta

    assert delta.total_cost == b.medfee_sumamt
    assert delta.self_paid == b.psn_part_amt
    assert delta.hifp_outpatient + delta.hifp_main == b.hifp_pay
    assert (delta.hifob_paid, delta.hifmi_paid, delta.maf_paid) == (b.hifob_pay, b.hifmi_pay, b.maf_pay)


def test_zhuomas_second_visit_sees_the_first_visits_deductible(demo: Demo) -> None:
    first = demo.settle("卓玛", LHASA_1, "11", [(EXAM, 1, 15), (CBC, 1, 30), (METFORMIN, 1, 20)])
    second = demo.settle("卓玛", LHASA_1, "11", [(CBC, 1, 200)], first.delta)

    assert first.delta.outpatient_dedc == Decimal("65.00")
    assert (second.act_pay_dedc, second.hifp_pay, second.psn_cash_pay) == (
        Decimal("35.00"),
        Decimal("66.00"),
        Decimal("134.00"),
    )


def test_liu_fangs_two_stays_chain_through_the_accumulators(demo: Demo) -> None:
    first = demo.settle("刘芳", SUZHOU_3, "21", [(APPENDECTOMY, 1, 20000)])
    second = demo.settle("刘芳", SUZHOU_3, "21", [(APPENDECTOMY, 1, 150000)], first.delta)

    assert first.delta == accum(
        hifp_main=12350,
        hifmi_base=7650,
        hifmi_paid="97.50",
        maf_base="7552.50",
        maf_paid="6797.25",
        total_cost=20000,
        self_paid="755.25",
    )
    assert (second.hifmi_pay, second.maf_pay) == (Decimal("34877.50"), Decimal("16445.25"))


def test_reversing_a_middle_settlement_leaves_the_others_standing(demo: Demo) -> None:
    a = demo.settle("次仁", LHASA_1, "11", [(CBC, 1, 250)])
    b = demo.settle("次仁", LHASA_3, "21", [(APPENDECTOMY, 1, 30000)], a.delta)
    c = demo.settle("次仁", LHASA_1, "11", [(CBC, 1, 400)], a.delta + b.delta)

    assert a.delta + b.delta + c.delta - b.delta == a.delta + c.delta
    assert b.maf_pay == Decimal("5656.70")


def test_mid_stay_settlements_apply_the_admission_deductible_once(demo: Demo) -> None:
    applied = Decimal(0)
    for amount in (500, 1000, 1000):
        b = demo.settle("扎西", LHASA_3, "21", [(APPENDECTOMY, 1, amount)], mdtrt_dedc_applied=applied)
        applied += b.act_pay_dedc

    assert applied == Decimal("800.00")


def test_a_full_refund_settles_like_the_line_was_never_there(demo: Demo) -> None:
    without = demo.settle("王强", LHASA_3, "21", WANG_QIANG_LINES[:1] + WANG_QIANG_LINES[2:])
    with_refund = demo.settle("王强", LHASA_3, "21", [*WANG_QIANG_LINES, (CEFUROXIME, -20, 15)])

    assert with_refund.setlinfo() == without.setlinfo()
    assert with_refund.delta == without.delta


def test_the_pool_ratio_never_goes_below_zero(demo: Demo) -> None:
    policy = demo.policy("周敏")
    harsh = replace(policy, out_of_area=replace(policy.out_of_area, unfiled=Decimal("0.80")))

    b = demo.settle("周敏", BEIJING_3, "21", [(APPENDECTOMY, 1, 10000)], policy=harsh)

    assert (b.pool_prop_selfpay, b.hifp_pay) == (Decimal(0), Decimal("0.00"))
    assert b.act_pay_dedc == Decimal("900.00")  # the deductible still counts for the stay
    assert_invariants(b)


def test_setldetail_explains_each_fund_with_its_cap_before_settlement(demo: Demo) -> None:
    b = demo.settle("扎西", LHASA_1, "11", [(EXAM, 1, 15), (CBC, 1, 135)])

    (row,) = b.setldetail
    assert (row.fund_pay_type, row.fund_pay_type_name) == ("390100", "城乡居民基本医疗保险基金")
    assert (row.inscp_scp_amt, row.crt_payb_lmt_amt, row.fund_payamt) == (
        Decimal("150.00"),
        Decimal("300.00"),
        Decimal("30.00"),
    )
    assert row.setl_proc_info == "起付线 100.00 已用 0.00 本次 100.00; 比例 0.60; 年度限额 300.00 已付 0.00"


def test_setldetail_lists_every_layer_of_an_employee_stay(demo: Demo) -> None:
    b = demo.settle("李娜", LHASA_3, "21", [(APPENDECTOMY, 1, 10000)], accum(hifp_main=195000), acct_used_flag=True)

    rows = {r.fund_pay_type: (r.fund_payamt, r.crt_payb_lmt_amt) for r in b.setldetail}
    assert rows == {
        "310100": (Decimal("5000.00"), Decimal("5000.00")),
        "330100": (Decimal("2565.00"), Decimal("300000.00")),
        "320100": (Decimal("1075.00"), None),
        "310200": (Decimal("1360.00"), Decimal("3000.00")),
    }


def test_a_tilted_persons_critical_illness_row_has_no_cap(demo: Demo) -> None:
    b = demo.settle("刘芳", SUZHOU_3, "21", [(APPENDECTOMY, 1, 20000)])

    rows = {r.fund_pay_type: r for r in b.setldetail}
    assert rows["390200"].crt_payb_lmt_amt is None
    assert "倾斜减半" in rows["390200"].setl_proc_info
    assert rows["610100"].crt_payb_lmt_amt == Decimal("50000.00")
    assert b.policy_refs == ("341300-390-2026:1", "341300-maf-2026:1")


def test_cross_province_settlements_say_where_they_happened(demo: Demo) -> None:
    b = demo.settle("周敏", BEIJING_3, "21", ZHOU_MIN_LINES)

    assert (b.location, b.ratio_reduction, b.clr_type) == (
        LocationClass.CROSS_PROVINCE,
        Decimal("0.15"),
        "21",
    )


@pytest.mark.parametrize(
    "name, fixmedins, med_type, ctx, error, code",
    [
        pytest.param(
            "扎西",
            LHASA_3,
            "14",
            {},
            ChronicFilingRequired,
            "CHRONIC_FILING_REQUIRED",
            id="a chronic visit without a chronic filing is refused",
        ),
        pytest.param(
            "扎西",
            LHASA_3,
            "41",
            {},
            UnsupportedVisit,
            "MED_TYPE_UNSUPPORTED",
            id="a pharmacy purchase at a hospital is refused",
        ),
        pytest.param(
            "扎西",
            LHASA_PHARMACY,
            "11",
            {},
            UnsupportedVisit,
            "MED_TYPE_UNSUPPORTED",
            id="an outpatient visit at a pharmacy is refused",
        ),
        pytest.param(
            "扎西",
            LHASA_3,
            "52",
            {},
            UnsupportedVisit,
            "MED_TYPE_UNSUPPORTED",
            id="a med_type this release does not settle is refused",
        ),
        pytest.param(
            "扎西",
            LHASA_1,
            "11",
            {"tier": None},
            UnsupportedVisit,
            "UNSUPPORTED_VISIT",
            id="a resident without a contribution tier is refused",
        ),
        pytest.param(
            "扎西",
            LHASA_1,
            "11",
            {"insuplc_admdvs": "341300"},
            PolicyMismatch,
            "POLICY_MISMATCH",
            id="another region's policy is refused",
        ),
        pytest.param(
            "扎西",
            LHASA_1,
            "11",
            {"identity": "2299"},
            PolicyDataError,
            "POLICY_DATA_INVALID",
            id="an identity the assistance policy lacks is refused",
        ),
    ],
)
def test_visits_the_rules_cannot_settle_are_refused_with_a_code(
    demo: Demo,
    name: str,
    fixmedins: str,
    med_type: str,
    ctx: dict[str, Any],
    error: type[SettlementRuleError],
    code: str,
) -> None:
    with pytest.raises(error) as raised:
        demo.settle(name, fixmedins, med_type, [(CBC, 1, 100)], **ctx)

    assert raised.value.code == code
    assert raised.value.message


def test_a_refund_outweighing_the_settled_lines_is_refused(demo: Demo) -> None:
    with pytest.raises(SettlementRuleError) as raised:
        demo.settle("王强", LHASA_3, "21", [(CEFUROXIME, -20, 15)])

    assert raised.value.code == "NEGATIVE_SETTLEMENT"


def test_an_assistance_identity_without_an_assistance_policy_is_refused(demo: Demo) -> None:
    ctx = demo.ctx("次仁", LHASA_1, "11")
    lines = demo.classify([(CBC, 1, 100)], LHASA_1)

    with pytest.raises(PolicyDataError):
        settle(lines, ctx, demo.policy("次仁"), None, Accumulators())


def test_settling_nothing_is_refused(demo: Demo) -> None:
    with pytest.raises(UnsupportedVisit) as raised:
        demo.settle("扎西", LHASA_1, "11", [])

    assert raised.value.code == "NOTHING_TO_SETTLE"
