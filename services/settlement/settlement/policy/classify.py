"""Rules section 1: split one fee line by the treating region's catalogue.

Why sign-symmetric: an inpatient refund (2301) repeats the original line with a negative
cnt (some HIS put the sign on pric instead). The line is classified on its magnitude and
the sign put back afterwards, so a full refund cancels its original to the cent whichever
field carries the sign.

Why an item missing from the catalogue reports chrgitm_lv 03 and selfpay_prop 1: that is
what it is for the patient (全自费), and it is what real platforms echo in 2204 output.
"""

from __future__ import annotations

from decimal import Decimal

from .errors import FeeLineAmountMismatch
from .model import CENT, ZERO, Catalogue, FeeLine, LineResult, rnd

SELF_PAY_LEVEL = "03"


def classify_line(line: FeeLine, catalogue: Catalogue, treating_admdvs: str) -> LineResult:
    amt = line.det_item_fee_sumamt
    expected = rnd(line.cnt * line.pric)
    if abs(amt - expected) > CENT:
        raise FeeLineAmountMismatch(
            f"fee line {line.feedetl_sn}: det_item_fee_sumamt {amt:.2f} differs from "
            f"cnt x pric = {expected:.2f}; correct the line and upload it again"
        )

    sign = Decimal(-1) if amt < 0 else Decimal(1)
    magnitude = abs(amt)
    cnt = abs(line.cnt)
    pric = abs(line.pric)

    item = catalogue.lookup(line.med_list_codg, treating_admdvs)
    if item is None or item.chrgitm_lv == SELF_PAY_LEVEL:
        return _result(
            line,
            lv=SELF_PAY_LEVEL,
            prop=Decimal(1) if item is None else item.selfpay_prop,
            cap=None,
            parts=(amt, ZERO, ZERO, ZERO),
        )

    cap = item.pric_uplmt_amt
    overlmt = rnd((pric - cap) * cnt) if cap is not None and pric > cap else ZERO
    allowed = magnitude - overlmt
    preselfpay = rnd(allowed * item.selfpay_prop)
    inscp = allowed - preselfpay
    return _result(
        line,
        lv=item.chrgitm_lv,
        prop=item.selfpay_prop,
        cap=cap,
        parts=(ZERO, sign * overlmt, sign * preselfpay, sign * inscp),
    )


def _result(
    line: FeeLine,
    *,
    lv: str,
    prop: Decimal,
    cap: Decimal | None,
    parts: tuple[Decimal, Decimal, Decimal, Decimal],
) -> LineResult:
    fulamt, overlmt, preselfpay, inscp = (p + ZERO for p in parts)  # +0.00: -0 prints as 0
    return LineResult(
        feedetl_sn=line.feedetl_sn,
        med_list_codg=line.med_list_codg,
        det_item_fee_sumamt=line.det_item_fee_sumamt,
        cnt=line.cnt,
        pric=line.pric,
        pric_uplmt_amt=cap,
        selfpay_prop=prop,
        chrgitm_lv=lv,
        fulamt_ownpay_amt=fulamt,
        overlmt_amt=overlmt,
        preselfpay_amt=preselfpay,
        inscp_scp_amt=inscp,
    )
