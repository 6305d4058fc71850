"""A month of out-of-area settlements for remote-care's clearing run, written straight into its
clearing_item table through its own settlement_item() translation, then cleared over HTTP."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import astuple, fields

import psycopg

from remote_care.messaging.contracts import SettlementItem, settlement_item

PAIRS = [
    ("341300", "540100"),
    ("430600", "540100"),
    ("540100", "110100"),
    ("430600", "110100"),
    ("341300", "110100"),
    ("540100", "430600"),
]


def _payload(i: int, period_start: dt.datetime, rng: random.Random) -> dict:
    insured, treating = PAIRS[i % len(PAIRS)]
    medfee = rng.randint(5_000, 2_000_000)
    fund = medfee * rng.randint(30, 80) // 100
    acct = rng.randint(0, (medfee - fund) // 2)
    return {
        "settlement": {
            "setl_id": f"BS{i:028d}",
            "mdtrt_id": f"BM{i:028d}",
            "psn_no": f"{insured}{i:014d}",
            "certno": f"{insured}19800101{i % 1000:03d}X",
            "fixmedins_code": f"H{treating}{i % 50:05d}",
            "insuplc_admdvs": insured,
            "mdtrtarea_admvs": treating,
            "pay_loc": "3" if insured[:2] == treating[:2] else "4",
            "clr_type": "11" if i % 3 else "21",
            "setl_time": (period_start + dt.timedelta(seconds=i % (27 * 86_400))).isoformat(),
            "medfee_sumamt": f"{medfee / 100:.2f}",
            "fund_pay_sumamt": f"{fund / 100:.2f}",
            "acct_pay": f"{acct / 100:.2f}",
        }
    }


def fill(database_url: str, period: str, rows: int, *, reversal_every: int = 50) -> None:
    """COPY `rows` clearing items for `period` (every 50th settlement is also reversed)."""
    period_start = dt.datetime.strptime(period + "-01", "%Y-%m-%d")
    rng = random.Random(20261124)
    names = [f.name for f in fields(SettlementItem)]
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY clearing_item ({', '.join(names)}) FROM STDIN") as copy:
            written = 0
            i = 0
            while written < rows:
                payload = _payload(i, period_start, rng)
                copy.write_row(astuple(settlement_item(payload, reversal=False)))
                written += 1
                if i % reversal_every == 0 and written < rows:
                    reversal = {
                        "settlement": {**payload["settlement"], "setl_id": f"BR{i:028d}"},
                        "original_setl_id": payload["settlement"]["setl_id"],
                    }
                    for amount in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay"):
                        reversal["settlement"][amount] = "-" + reversal["settlement"][amount]
                    copy.write_row(astuple(settlement_item(reversal, reversal=True)))
                    written += 1
                i += 1
        cur.execute("ANALYZE clearing_item")
