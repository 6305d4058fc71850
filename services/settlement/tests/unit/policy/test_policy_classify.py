"""classify_line(): rules section 1, by the treating region's catalogue."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from policy_demo import Demo, d

from settlement.policy import FeeLine, FeeLineAmountMismatch, classify_line, rnd


@pytest.mark.parametrize(
    "code, cnt, pric, treating, expected",
    [
        pytest.param(
            "XA10BAA059A001010100001",
            1,
            20,
            "540100",
            ("0", "0", "0", "20.00", "01"),
            id="a class A drug is fully in scope",
        ),
        pytest.param(
            "001102000010000",
            1,
            15,
            "540100",
            ("0", "0", "0", "15.00", "01"),
            id="a price under its cap is fully in scope",
        ),
        pytest.param(
            "001102000010000",
            1,
            25,
            "540100",
            ("0", "5.00", "0", "20.00", "01"),
            id="the part of a price above its cap is self-paid as over-limit",
        ),
        pytest.param(
            "XJ01DCC041B002010100002",
            20,
            15,
            "540100",
            ("0", "60.00", "24.00", "216.00", "02"),
            id="a class B drug above its cap pays over-limit and pre-self-pay",
        ),
        pytest.param(
            "XJ01DCC041B002010100002",
            20,
            15,
            "110100",
            ("0", "100.00", "10.00", "190.00", "02"),
            id="beijing's override of cap and self-pay share applies in beijing",
        ),
        pytest.param(
            "XJ01DCC041B002010100002",
            20,
            15,
            "430600",
            ("0", "60.00", "24.00", "216.00", "02"),
            id="beijing's override does not apply in yueyang",
        ),
        pytest.param(
            "C01010100001000",
            1,
            "8.15",
            "540100",
            ("0", "0", "2.45", "5.70", "02"),
            id="pre-self-pay rounds half up to the cent",
        ),
        pytest.param(
            "ZZ9999999999000", 1, 1000, "540100", ("1000", "0", "0", "0", "03"), id="a class C item is fully self-paid"
        ),
        pytest.param(
            "NOT-IN-ANY-CATALOGUE",
            2,
            30,
            "540100",
            ("60", "0", "0", "0", "03"),
            id="an item absent from the catalogue is fully self-paid",
        ),
        pytest.param(
            "XJ01DCC041B002010100002",
            -20,
            15,
            "540100",
            ("0", "-60.00", "-24.00", "-216.00", "02"),
            id="a refund line is the exact negative of its original",
        ),
    ],
)
def test_a_fee_line_splits_into_four_parts(
    demo: Demo, code: str, cnt: object, pric: object, treating: str, expected: tuple[str, ...]
) -> None:
    amt = rnd(d(cnt) * d(pric))
    r = classify_line(FeeLine("001", code, d(cnt), d(pric), amt), demo.catalogue, treating)

    parts = (r.fulamt_ownpay_amt, r.overlmt_amt, r.preselfpay_amt, r.inscp_scp_amt)
    assert (*parts, r.chrgitm_lv) == (*tuple(Decimal(x) for x in expected[:4]), expected[4])
    assert sum(parts) == amt


@pytest.mark.parametrize(
    "amt, accepted",
    [
        pytest.param("30.00", True, id="an amount equal to cnt x pric is accepted"),
        pytest.param("30.01", True, id="a one-cent difference is accepted"),
        pytest.param("30.02", False, id="a two-cent difference is rejected"),
        pytest.param("-30.00", False, id="a negative amount on a positive quantity is rejected"),
    ],
)
def test_a_line_whose_amount_is_not_cnt_times_price_is_rejected(demo: Demo, amt: str, accepted: bool) -> None:
    line = FeeLine("SN-7", "002501010010000", Decimal(2), Decimal(15), Decimal(amt))
    if accepted:
        assert classify_line(line, demo.catalogue, "540100").inscp_scp_amt == Decimal(amt)
        return
    with pytest.raises(FeeLineAmountMismatch) as raised:
        classify_line(line, demo.catalogue, "540100")
    assert raised.value.code == "FEE_LINE_AMOUNT_MISMATCH"
    assert "SN-7" in raised.value.message
    assert amt in raised.value.message and "30.00" in raised.value.message


def test_every_full_refund_cancels_its_original_to_the_cent(demo: Demo) -> None:
    rng = random.Random(2026)
    codes = [i.med_list_codg for i in demo.catalogue.items] + ["UNKNOWN"]
    for _ in range(500):
        code = rng.choice(codes)
        cnt = Decimal(rng.randint(1, 4000)) / Decimal(100)
        pric = Decimal(rng.randint(1, 300000)) / Decimal(100)
        treating = rng.choice(["540100", "110100"])
        amt = rnd(cnt * pric)
        original = classify_line(FeeLine("1", code, cnt, pric, amt), demo.catalogue, treating)
        for refund_line in (
            FeeLine("2", code, -cnt, pric, -amt, init_feedetl_sn="1"),
            FeeLine("2", code, cnt, -pric, -amt, init_feedetl_sn="1"),
        ):
            refund = classify_line(refund_line, demo.catalogue, treating)
            for part in ("fulamt_ownpay_amt", "overlmt_amt", "preselfpay_amt", "inscp_scp_amt"):
                assert getattr(original, part) + getattr(refund, part) == 0, (code, cnt, pric, part)
                assert getattr(original, part) >= 0
