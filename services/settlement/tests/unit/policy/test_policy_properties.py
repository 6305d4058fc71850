"""A seeded random walk over demo people, visits and accumulators (no hypothesis dep).

Whatever the bill and the year so far, a settlement must balance, stay within caps,
never pay more than the in-scope amount and be exactly reversible.
"""

from __future__ import annotations

import random
from decimal import Decimal

from policy_demo import Demo, accum, assert_invariants

from settlement.policy import FilingKind

HOSPITALS = {
    "540100": ["H54010000001", "H54010000002", "H11010000001", "H34130000002"],
    "341300": ["H34130000001", "H34130000002", "H11010000001"],
    "430600": ["H43060000001", "H11010000001", "H54010000001"],
}
CODES = [
    "XA10BAA059A001010100001",
    "XJ01DCC041B002010100002",
    "XL01XCT022B001010100003",
    "001102000010000",
    "002501010010000",
    "003301000010000",
    "001101000010000",
    "C01010100001000",
    "ZZ9999999999000",
]


def money(rng: random.Random, top: int) -> Decimal:
    return Decimal(rng.randint(0, top * 100)) / 100


def test_random_settlements_balance_respect_caps_and_reverse_exactly(demo: Demo) -> None:
    rng = random.Random(20260101)
    for _ in range(400):
        name = rng.choice(list(demo.people))
        person = demo.people[name]
        policy = demo.policy(name)
        pharmacy = person["insuplc_admdvs"] == "540100" and rng.random() < 0.1
        fixmedins = "P54010000001" if pharmacy else rng.choice(HOSPITALS[person["insuplc_admdvs"]])
        med_type = "41" if pharmacy else rng.choice(["11", "13", "14", "21", "24"])
        lines = [(rng.choice(CODES), rng.randint(1, 30), money(rng, 3000)) for _ in range(rng.randint(1, 6))]
        before = accum(
            outpatient_dedc=money(rng, 300),
            hifp_outpatient=money(rng, 2500),
            hifp_main=money(rng, 320000),
            hifob_paid=money(rng, 310000),
            hifmi_base=money(rng, 600000),
            hifmi_paid=money(rng, 420000),
            maf_base=money(rng, 80000),
            maf_paid=money(rng, 60000),
        )
        b = demo.settle(
            name,
            fixmedins,
            med_type,
            lines,
            before,
            chronic_filing_active=True,
            acct_used_flag=rng.random() < 0.7,
            mdtrt_dedc_applied=money(rng, 1200),
            filing=rng.choice([None, *FilingKind]),
        )

        assert_invariants(b)
        after = before + b.delta
        assert after - b.delta == before
        assert b.hifp_pay <= max(Decimal(0), policy.main_annual_cap - before.hifp_main) or (med_type in ("11", "13"))
        assert b.maf_pay <= max(Decimal(0), Decimal(50000) - before.maf_paid)
        assert b.acct_pay <= demo.ctx(name, fixmedins, med_type).acct_balance
        assert b.balc >= 0
