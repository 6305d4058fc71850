"""The demo facts (settlement/demo_data/*.json) as a small test helper (see conftest.py).

Tests name people, institutions and catalogue codes exactly as docs/settlement-rules.md does;
everything else (policy, treating region, filing, identity, account) follows from the
demo data, so a test reads like the worked example it checks.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from settlement.policy import (
    Accumulators,
    AssistancePolicy,
    Breakdown,
    Catalogue,
    FeeLine,
    FilingKind,
    FilingRecord,
    LineResult,
    RegionPolicy,
    VisitContext,
    classify_line,
    covering_filing,
    rnd,
    settle,
)

DEMO_DATA = Path(__file__).resolve().parents[3] / "settlement" / "demo_data"
VISIT_DATE = date(2026, 6, 1)

Line = tuple[str, Any, Any]  # (med_list_codg, cnt, pric)


def load(name: str) -> Any:
    return json.loads((DEMO_DATA / name).read_text(encoding="utf-8"))


def d(value: Any) -> Decimal:
    return Decimal(str(value))


class Demo:
    def __init__(self) -> None:
        self.catalogue = Catalogue.from_dict(load("catalogue.json"))
        self.policies = {(p.admdvs, p.insutype): p for p in map(RegionPolicy.from_dict, load("policies.json"))}
        self.assistance = {a.admdvs: a for a in map(AssistancePolicy.from_dict, load("assistance.json"))}
        self.people = {p["psn_name"]: p for p in load("people.json")}
        self.institutions = {i["fixmedins_code"]: i for i in load("institutions.json")}

    def fee_lines(self, lines: list[Line]) -> list[FeeLine]:
        result = []
        for n, (code, cnt, pric) in enumerate(lines, start=1):
            cnt, pric = d(cnt), d(pric)
            result.append(FeeLine(f"{n:03d}", code, cnt, pric, rnd(cnt * pric)))
        return result

    def classify(self, lines: list[Line], fixmedins: str) -> list[LineResult]:
        treating = self.institutions[fixmedins]["admdvs"]
        return [classify_line(x, self.catalogue, treating) for x in self.fee_lines(lines)]

    def policy(self, name: str) -> RegionPolicy:
        p = self.people[name]
        return self.policies[(p["insuplc_admdvs"], p["insutype"])]

    def ctx(self, name: str, fixmedins: str, med_type: str, **changes: Any) -> VisitContext:
        p = self.people[name]
        inst = self.institutions[fixmedins]
        filings = [
            FilingRecord(
                FilingKind(f["kind"]),
                f["target_admdvs"],
                date.fromisoformat(f["begndate"]),
                None if f["enddate"] is None else date.fromisoformat(f["enddate"]),
            )
            for f in p["filings"]
        ]
        fields: dict[str, Any] = dict(
            insutype=p["insutype"],
            psn_type=p["psn_type"],
            med_type=med_type,
            hosp_lv=inst["hosp_lv"],
            insuplc_admdvs=p["insuplc_admdvs"],
            treating_admdvs=inst["admdvs"],
            tier=p["tier"],
            cvlserv_flag=p["cvlserv_flag"] == "1",
            filing=covering_filing(filings, inst["admdvs"], VISIT_DATE),
            identity=None if p["identity"] is None else p["identity"]["psn_idet_type"],
            acct_balance=d(p["acct_balance"] or 0),
        )
        fields.update(changes)
        return VisitContext(**fields)

    def settle(
        self,
        name: str,
        fixmedins: str,
        med_type: str,
        lines: list[Line],
        accum: Accumulators | None = None,
        policy: RegionPolicy | None = None,
        **ctx_changes: Any,
    ) -> Breakdown:
        ctx = self.ctx(name, fixmedins, med_type, **ctx_changes)
        return settle(
            self.classify(lines, fixmedins),
            ctx,
            policy or self.policy(name),
            self.assistance.get(ctx.insuplc_admdvs),
            accum or Accumulators(),
        )


def accum(**amounts: Any) -> Accumulators:
    return Accumulators(**{k: d(v) for k, v in amounts.items()})


ZERO = Decimal(0)
FUND_FIELDS = {
    "320100": "cvlserv_pay",
    "330100": "hifob_pay",
    "390200": "hifmi_pay",
    "610100": "maf_pay",
    "310200": "acct_pay",
}


def assert_invariants(b: Breakdown) -> None:
    """What must hold for every settlement, whatever the layers did."""
    parts = b.fulamt_ownpay_amt + b.overlmt_selfpay + b.preselfpay_amt + b.inscp_scp_amt
    assert b.medfee_sumamt == parts
    assert b.medfee_sumamt == b.fund_pay_sumamt + b.psn_part_amt
    assert b.fund_pay_sumamt == (
        b.hifp_pay + b.cvlserv_pay + b.hifes_pay + b.hifmi_pay + b.hifob_pay + b.maf_pay + b.oth_pay
    )
    assert b.psn_part_amt == b.acct_pay + b.psn_cash_pay
    assert b.hosp_part_amt == 0
    assert b.fund_pay_sumamt <= b.inscp_scp_amt
    for name, value in b.setlinfo().items():
        assert value >= 0, name
        if name != "pool_prop_selfpay":
            assert value.as_tuple().exponent == -2, (name, value)
    by_fund = {r.fund_pay_type: r.fund_payamt for r in b.setldetail}
    assert by_fund.get("310100", ZERO) + by_fund.get("390100", ZERO) == b.hifp_pay
    for fund, field in FUND_FIELDS.items():
        assert by_fund.get(fund, ZERO) == getattr(b, field), fund
    assert all(r.fund_payamt != 0 for r in b.setldetail)
    assert b.delta.total_cost == b.medfee_sumamt
    assert b.delta.self_paid == b.psn_part_amt
    assert b.delta.hifp_outpatient + b.delta.hifp_main == b.hifp_pay
    assert b.delta.hifob_paid == b.hifob_pay
    assert b.delta.hifmi_paid == b.hifmi_pay
    assert b.delta.maf_paid == b.maf_pay
