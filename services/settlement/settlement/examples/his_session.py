"""A hospital HIS session, step by step, against a running settlement service.

    make run            (or: uvicorn --factory settlement.main:app --port 8002 after python -m settlement.demo)
    python -m settlement.examples.his_session --base-url http://127.0.0.1:8002

扎西 (psn_no 54010000000000000001, ID 540102198005010110, resident of 拉萨 540100) sees a
doctor at 拉萨市第一人民医院 H54010000001: sign in (9001), identify him by ID number
(1101), register (2201), upload the visit (2203) and two fee lines (2204), pre-settle
(2206), settle (2207), then reverse the settlement (2208). Each answer is printed.
扎西 must already be enrolled (enrollment publishes him on enrollment.people.v1).

Every call is the national envelope posted to /fsi/api/rsfComIfsService/callService with
the gateway headers x-tif-paasid / x-tif-timestamp / x-tif-nonce / x-tif-signature, where
signature = sha256(timestamp + token + nonce + timestamp). In development the paasid is
the institution code and the token is "demo-" + that code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import sys
from decimal import Decimal
from typing import Any

import httpx

from medshared import jsonutil
from medshared.national import gateway_headers

FIXMEDINS_CODE = "H54010000001"
ADMDVS = "540100"
PSN_NO = "54010000000000000001"
CERTNO = "540102198005010110"


class Session:
    def __init__(self, base_url: str, token: str, http: httpx.Client | None = None) -> None:
        self.http = http or httpx.Client(base_url=base_url, timeout=httpx.Timeout(10.0, connect=3.0))
        self.token = token
        self.sign_no = ""
        self.seq = itertools.count(1)
        self.started = dt.datetime.now()

    def call(self, infno: str, input_: dict[str, Any], *, insuplc: str = "") -> dict[str, Any]:
        now = dt.datetime.now()
        envelope = {
            "infno": infno,
            # msgid = fixmedins_code + yyyyMMddHHmmss + 4-digit sequence; keep it to reverse with 2601.
            "msgid": f"{FIXMEDINS_CODE}{self.started:%Y%m%d%H%M%S}{next(self.seq):04d}",
            "mdtrtarea_admvs": ADMDVS,
            "insuplc_admdvs": insuplc,
            "recer_sys_code": "YBXT",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "0001",
            "opter_name": "门诊收费员",
            "inf_time": f"{now:%Y-%m-%d %H:%M:%S}",
            "fixmedins_code": FIXMEDINS_CODE,
            "fixmedins_name": "拉萨市第一人民医院(演示)",
            "sign_no": self.sign_no,
            "input": input_,
        }
        answer = self.http.post(
            "/fsi/api/rsfComIfsService/callService",
            content=jsonutil.dumps(envelope),
            headers={"content-type": "application/json", **gateway_headers(FIXMEDINS_CODE, self.token)},
        )
        body = jsonutil.loads(answer.content)
        print(f"--- {infno}: infcode {body['infcode']}")
        print(jsonutil.dumps(body["output"] if body["infcode"] == 0 else {"err_msg": body["err_msg"]}))
        if body["infcode"] != 0:
            raise SystemExit(f"{infno} refused: {body['err_msg']}")
        return dict(body["output"] or {})


def run(base_url: str, token: str, http: httpx.Client | None = None) -> None:
    his = Session(base_url, token, http)
    his.sign_no = his.call("9001", {"signIn": {"opter_no": "0001", "mac": "", "ip": "127.0.0.1"}})["signinoutb"][
        "sign_no"
    ]

    person = his.call(
        "1101",
        {
            "data": {
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": CERTNO,
                "psn_cert_type": "01",
                "certno": CERTNO,
                "psn_name": "扎西",
            }
        },
    )
    insu = person["insuinfo"][0]  # the HIS picks one insuinfo: its insutype and pool drive every later call
    insutype, pool = insu["insutype"], insu["insuplc_admdvs"]
    now = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"

    mdtrt_id = his.call(
        "2201",
        {
            "data": {
                "psn_no": PSN_NO,
                "insutype": insutype,
                "begntime": now,
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": CERTNO,
                "ipt_otp_no": f"MZ{his.started:%H%M%S}",
                "atddr_no": "D001",
                "dr_name": "格桑",
                "dept_code": "0301",
                "dept_name": "内科",
                "caty": "A03",
            }
        },
        insuplc=pool,
    )["data"]["mdtrt_id"]

    his.call(
        "2203",
        {
            "mdtrtinfo": {
                "mdtrt_id": mdtrt_id,
                "psn_no": PSN_NO,
                "med_type": "11",
                "begntime": now,
                "main_cond_dscr": "发热两天",
                "dise_codg": "",
                "dise_name": "",
            },
            "diseinfo": [
                {
                    "diag_type": "1",
                    "diag_srt_no": 1,
                    "diag_code": "J06.900",
                    "diag_name": "上呼吸道感染",
                    "diag_dept": "内科",
                    "dise_dor_no": "D001",
                    "dise_dor_name": "格桑",
                    "diag_time": now,
                    "vali_flag": "1",
                }
            ],
        },
        insuplc=pool,
    )

    lines = [
        ("1", "001102000010000", Decimal("1"), Decimal("20.00")),
        ("2", "002501010010000", Decimal("1"), Decimal("180.00")),
    ]
    his.call(
        "2204",
        {
            "feedetail": [
                {
                    "feedetl_sn": sn,
                    "mdtrt_id": mdtrt_id,
                    "psn_no": PSN_NO,
                    "chrg_bchno": "B0001",
                    "rx_circ_flag": "0",
                    "fee_ocur_time": now,
                    "med_list_codg": code,
                    "medins_list_codg": f"HIS-{sn}",
                    "det_item_fee_sumamt": cnt * pric,
                    "cnt": cnt,
                    "pric": pric,
                    "bilg_dept_codg": "0301",
                    "bilg_dept_name": "内科",
                    "bilg_dr_codg": "D001",
                    "bilg_dr_name": "格桑",
                    "hosp_appr_flag": "1",
                }
                for sn, code, cnt, pric in lines
            ]
        },
        insuplc=pool,
    )

    total = sum((cnt * pric for _, _, cnt, pric in lines), Decimal("0"))
    settle = {
        "psn_no": PSN_NO,
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": CERTNO,
        "med_type": "11",
        "medfee_sumamt": total,
        "psn_setlway": "01",
        "mdtrt_id": mdtrt_id,
        "chrg_bchno": "B0001",
        "acct_used_flag": "0",
        "insutype": insutype,
    }
    his.call("2206", {"data": settle}, insuplc=pool)
    setl_id = his.call("2207", {"data": settle}, insuplc=pool)["setlinfo"]["setl_id"]
    his.call("2208", {"data": {"setl_id": setl_id, "mdtrt_id": mdtrt_id, "psn_no": PSN_NO}}, insuplc=pool)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", default="http://127.0.0.1:8002")
    parser.add_argument("--token", default=f"demo-{FIXMEDINS_CODE}", help="the institution's gateway token")
    args = parser.parse_args(argv)
    try:
        run(args.base_url, args.token)
    except httpx.HTTPError as exc:
        sys.exit(f"cannot reach {args.base_url}: {exc}")


if __name__ == "__main__":
    main()
