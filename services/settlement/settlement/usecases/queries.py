"""What the HIS asks of the record: 3201 totals reconciliation, 5203 a settlement, 5206 cumulative amounts."""

from __future__ import annotations

import datetime as dt

from medshared import jsonutil
from medshared.money import ZERO, money
from settlement import outputs
from settlement.domain import inputs as inp
from settlement.domain.errors import Refused

from .common import Call, Outcome
from .ports import ACCUMULATOR_FIELDS, Store


def reconcile_totals(store: Store, call: Call, data: inp.TotalsReconciliation) -> Outcome:
    begin = dt.datetime.combine(data.stmt_begndate, dt.time.min)
    end = dt.datetime.combine(data.stmt_enddate, dt.time.max)
    rows = store.settlements_between(
        call.req.fixmedins_code, data.insutype, data.clr_type, data.setl_optins, begin, end
    )
    ours = {
        "medfee_sumamt": sum((r.medfee_sumamt for r in rows), ZERO),
        "fund_pay_sumamt": sum((r.fund_pay_sumamt for r in rows), ZERO),
        "acct_pay": sum((r.acct_pay for r in rows), ZERO),
    }
    count = sum(1 if r.init_setl_id is None else -1 for r in rows)
    diffs = [
        f"{k}: platform {money(v)}, HIS {money(getattr(data, k))}"
        for k, v in ours.items()
        if money(v) != money(getattr(data, k))
    ]
    if count != data.fixmedins_setl_cnt:
        diffs.append(f"fixmedins_setl_cnt: platform {count}, HIS {data.fixmedins_setl_cnt}")
    description = "对账一致" if not diffs else "对账不一致: " + "; ".join(diffs)
    result = "0" if not diffs else "1"
    return Outcome({"stmtinfo": {"setl_optins": data.setl_optins, "stmt_rslt": result, "stmt_rslt_dscr": description}})


def settlement_info(store: Store, call: Call, data: inp.SettlementQuery) -> Outcome:
    row = store.settlement(data.setl_id)
    if (
        row is None
        or row.psn_no != data.psn_no
        or row.mdtrt_id != data.mdtrt_id
        or row.fixmedins_code != call.req.fixmedins_code
    ):
        raise Refused(
            f"no settlement {data.setl_id} of psn_no {data.psn_no} on mdtrt_id {data.mdtrt_id} at this institution",
            code="SETTLEMENT_UNKNOWN",
        )
    info = outputs.complete_setlinfo(jsonutil.loads(row.setlinfo))
    info["refd_setl_flag"] = "1" if row.reversed_by or row.init_setl_id else "0"
    return Outcome({"setlinfo": info, "setldetail": jsonutil.loads(row.setldetail)}, psn_no=data.psn_no)


def cumulative(store: Store, call: Call, data: inp.CumulativeQuery) -> Outcome:
    """5206: the person's cumulative amounts for the year of cum_ym (this month when it is left empty)."""
    psn = store.person(data.psn_no)
    cum_ym = data.cum_ym or f"{call.now:%Y%m}"
    year = int(cum_ym[:4])
    accum = store.read_accumulators(psn.psn_no, year)
    cuminfo = [
        {"cum_ym": cum_ym, "year": year, "cum_type_code": name, "cum": money(getattr(accum, name))}
        for name in ACCUMULATOR_FIELDS
    ]
    return Outcome({"cuminfo": cuminfo}, psn_no=psn.psn_no)
