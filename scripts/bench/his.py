"""What a hospital HIS sends: national envelopes, unique msgids, the outpatient visit chain."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from medshared import jsonutil
from medshared.national import gateway_headers

PATH = "/fsi/api/rsfComIfsService/callService"
DT = "%Y-%m-%d %H:%M:%S"
# Five lines an outpatient visit typically carries: consultation, two drugs, a test, a dressing.
VISIT_LINES = (
    ("001102000010000", Decimal(1), Decimal("20.00")),
    ("XA10BAA059A001010100001", Decimal(2), Decimal("15.50")),
    ("XJ01DCC041B002010100002", Decimal(3), Decimal("12.00")),
    ("002501010010000", Decimal(1), Decimal("45.00")),
    ("C01010100001000", Decimal(1), Decimal("8.00")),
)
VISIT_TOTAL = sum((cnt * pric for _, cnt, pric in VISIT_LINES), Decimal("0.00"))
_clock: list[Any] = [0, ""]


def now_text() -> str:
    """The local time as `yyyy-MM-dd HH:mm:ss`, formatted once per second (the load generator asks
    for it several times per call)."""
    second = int(time.time())
    if _clock[0] != second:
        _clock[0], _clock[1] = second, time.strftime(DT, time.localtime(second))
    return str(_clock[1])


@dataclass(frozen=True)
class Hospital:
    code: str
    admdvs: str

    @property
    def token(self) -> str:
        """The settlement door's token (each national door has its own, docs/his-integration.md)."""
        return "demo-" + self.code

    @property
    def ec_token(self) -> str:
        """The e-voucher door's token (ec.query, 6201-6301)."""
        return "demo-ec-" + self.code


@dataclass(frozen=True)
class Person:
    psn_no: str
    certno: str
    pool: str
    insutype: str = "390"


@dataclass
class MsgIds:
    """msgid = fixmedins_code + yyyyMMddHHmmss + 4-digit sequence, unique per request.

    Every driver run gets its own `run` number; the time part is a clock that starts at a day
    reserved for that run and ticks one second per 10,000 requests, so runs never collide.
    """

    run: int
    counters: dict[str, int] = field(default_factory=dict)
    _moments: dict[int, str] = field(default_factory=dict)

    def next(self, code: str) -> str:
        n = self.counters.get(code, 0)
        self.counters[code] = n + 1
        tick = n // 10_000
        moment = self._moments.get(tick)
        if moment is None:
            at = dt.datetime(2026, 1, 1) + dt.timedelta(days=self.run, seconds=tick)
            moment = self._moments[tick] = f"{at:%Y%m%d%H%M%S}"
        return f"{code}{moment}{n % 10_000:04d}"


def envelope(
    hospital: Hospital, infno: str, msgid: str, input_: dict[str, Any], *, sign_no: str = "", insuplc: str = ""
) -> dict[str, Any]:
    return {
        "infno": infno,
        "msgid": msgid,
        "mdtrtarea_admvs": hospital.admdvs,
        "insuplc_admdvs": insuplc,
        "recer_sys_code": "YBXT",
        "infver": "V1.0",
        "opter_type": "1",
        "opter": "001",
        "opter_name": "收费员",
        "inf_time": now_text(),
        "fixmedins_code": hospital.code,
        "fixmedins_name": "压测机构",
        "sign_no": sign_no,
        "input": input_,
    }


def encode(body: dict[str, Any], hospital: Hospital) -> tuple[bytes, dict[str, str]]:
    headers = {"content-type": "application/json", **gateway_headers(hospital.code, hospital.token)}
    return jsonutil.dumps(body).encode(), headers


def sign_in_input() -> dict[str, Any]:
    return {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}}


def person_query_input(certno: str) -> dict[str, Any]:
    return {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "psn_cert_type": "01", "certno": certno}}


def register_input(p: Person, otp_no: str) -> dict[str, Any]:
    return {
        "data": {
            "psn_no": p.psn_no,
            "insutype": p.insutype,
            "begntime": now_text(),
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p.certno,
            "ipt_otp_no": otp_no,
            "atddr_no": "D1",
            "dr_name": "医生",
            "dept_code": "D01",
            "dept_name": "内科",
            "caty": "A03",
        }
    }


def visit_info_input(p: Person, mdtrt_id: str) -> dict[str, Any]:
    return {
        "mdtrtinfo": {
            "mdtrt_id": mdtrt_id,
            "psn_no": p.psn_no,
            "med_type": "11",
            "begntime": now_text(),
        },
        "diseinfo": [],
    }


def fees_input(p: Person, mdtrt_id: str) -> dict[str, Any]:
    now = now_text()
    return {
        "feedetail": [
            {
                "feedetl_sn": str(i),
                "mdtrt_id": mdtrt_id,
                "psn_no": p.psn_no,
                "chrg_bchno": "B1",
                "rx_circ_flag": "0",
                "fee_ocur_time": now,
                "med_list_codg": code,
                "medins_list_codg": "H-" + code,
                "det_item_fee_sumamt": (cnt * pric).quantize(Decimal("0.01")),
                "cnt": cnt,
                "pric": pric,
                "bilg_dept_codg": "D01",
                "bilg_dept_name": "内科",
                "bilg_dr_codg": "DR1",
                "bilg_dr_name": "医生",
                "hosp_appr_flag": "1",
            }
            for i, (code, cnt, pric) in enumerate(VISIT_LINES, 1)
        ]
    }


def settle_input(p: Person, mdtrt_id: str) -> dict[str, Any]:
    return {
        "data": {
            "psn_no": p.psn_no,
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p.certno,
            "med_type": "11",
            "medfee_sumamt": VISIT_TOTAL,
            "psn_setlway": "01",
            "mdtrt_id": mdtrt_id,
            "chrg_bchno": "B1",
            "acct_used_flag": "0",
            "insutype": p.insutype,
            "mid_setl_flag": "0",
        }
    }
