"""The callers of the system, over real HTTP: a hospital HIS and a person's phone."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from medshared import jsonutil
from medshared.national import gateway_headers

_seq = itertools.count(1)
T = TypeVar("T")

PEOPLE = {
    "扎西": {"psn_no": "54010000000000000001", "certno": "540102198005010110", "insutype": "390", "pool": "540100"},
    "周敏": {"psn_no": "43060000000000000001", "certno": "430602197007070923", "insutype": "390", "pool": "430600"},
}


def wait_for(probe: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.1) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting after {timeout}s")
        time.sleep(interval)


def new_msgid(fixmedins_code: str) -> str:
    """fixmedins_code + yyyyMMddHHmmss + 4-digit sequence, unique across every caller in this run."""
    return f"{fixmedins_code}{dt.datetime.now():%Y%m%d%H%M%S}{next(_seq) % 10000:04d}"


class His:
    """A hospital HIS: national envelope, gateway signature, sign_no from 9001."""

    def __init__(self, base_url: str, fixmedins_code: str, admdvs: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(15.0, connect=3.0))
        self.code = fixmedins_code
        self.admdvs = admdvs
        self.sign_no = ""
        self.last_msgid = ""

    def call(
        self, infno: str, input_: dict[str, Any], *, insuplc: str = "", msgid: str | None = None
    ) -> dict[str, Any]:
        answer = self.post(infno, input_, insuplc=insuplc, msgid=msgid)
        assert answer.headers["content-type"].startswith("application/json"), answer.headers
        return dict(jsonutil.loads(answer.content))

    def download(self, file_qury_no: str, filename: str = "plc") -> bytes:
        """9102: the file itself (application/octet-stream), or the refusal's err_msg as an assertion."""
        answer = self.post("9102", {"fsDownloadIn": {"file_qury_no": file_qury_no, "filename": filename,
                                                      "fixmedins_code": self.code}})  # fmt: skip
        assert answer.headers["content-type"] == "application/octet-stream", answer.text
        return answer.content

    def post(
        self, infno: str, input_: dict[str, Any], *, insuplc: str = "", msgid: str | None = None
    ) -> httpx.Response:
        now = dt.datetime.now()
        self.last_msgid = msgid or new_msgid(self.code)
        envelope = {
            "infno": infno,
            "msgid": self.last_msgid,
            "mdtrtarea_admvs": self.admdvs,
            "insuplc_admdvs": insuplc,
            "recer_sys_code": "YBXT",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "001",
            "opter_name": "收费员",
            "inf_time": f"{now:%Y-%m-%d %H:%M:%S}",
            "fixmedins_code": self.code,
            "fixmedins_name": "演示机构",
            "sign_no": self.sign_no,
            "input": input_,
        }
        answer = self.http.post(
            "/fsi/api/rsfComIfsService/callService",
            content=jsonutil.dumps(envelope),
            headers={"content-type": "application/json", **gateway_headers(self.code, f"demo-{self.code}")},
        )
        assert answer.status_code == 200, answer.text
        return answer

    def ok(self, infno: str, input_: dict[str, Any], **kw: Any) -> Any:
        answer = self.call(infno, input_, **kw)
        assert answer["infcode"] == 0, f"{infno}: {answer['err_msg']}"
        return answer["output"]

    def sign_in(self) -> His:
        self.sign_no = self.ok("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}})["signinoutb"][
            "sign_no"
        ]
        return self

    def knows(self, certno: str) -> bool:
        answer = self.call(
            "1101",
            {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": certno, "psn_cert_type": "01", "certno": certno}},
        )
        return answer["infcode"] == 0

    def admit(
        self, person: dict[str, str], *, med_type: str = "21", cert_type: str = "02", cert_no: str | None = None
    ) -> str:
        now = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
        return str(
            self.ok(
                "2401",
                {
                    "mdtrtinfo": {
                        "psn_no": person["psn_no"],
                        "insutype": person["insutype"],
                        "begntime": now,
                        "mdtrt_cert_type": cert_type,
                        "mdtrt_cert_no": cert_no or person["certno"],
                        "med_type": med_type,
                        "ipt_no": f"IP{next(_seq)}",
                        "atddr_no": "D1",
                        "chfpdr_name": "医生",
                        "adm_dept_codg": "D2",
                        "adm_dept_name": "外科",
                    },
                    "diseinfo": [],
                },
                insuplc=person["pool"],
            )["result"]["mdtrt_id"]
        )

    def stay(
        self, person: dict[str, str], lines: list[tuple[str, str, str]], *, med_type: str = "21"
    ) -> dict[str, Any]:
        """Admit, upload fee lines, discharge, settle (2401 -> 2301 -> 2402 -> 2303 -> 2304)."""
        mdtrt_id = self.admit(person, med_type=med_type)
        now = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
        self.ok(
            "2301",
            {
                "feedetail": [
                    fee_line(str(i), code, cnt, pric, mdtrt_id, person["psn_no"])
                    for i, (code, cnt, pric) in enumerate(lines, 1)
                ]
            },
            insuplc=person["pool"],
        )
        self.ok(
            "2402",
            {
                "dscginfo": {
                    "mdtrt_id": mdtrt_id,
                    "psn_no": person["psn_no"],
                    "insutype": person["insutype"],
                    "endtime": now,
                }
            },
            insuplc=person["pool"],
        )
        total = sum((Decimal(cnt) * Decimal(pric) for _, cnt, pric in lines), Decimal("0.00"))
        data = settle_data(person, mdtrt_id, total, med_type=med_type)
        self.ok("2303", {"data": data}, insuplc=person["pool"])
        return dict(self.ok("2304", {"data": data}, insuplc=person["pool"])["setlinfo"])


def fee_line(sn: str, code: str, cnt: str, pric: str, mdtrt_id: str, psn_no: str) -> dict[str, Any]:
    return {
        "feedetl_sn": sn,
        "mdtrt_id": mdtrt_id,
        "psn_no": psn_no,
        "chrg_bchno": "B1",
        "rx_circ_flag": "0",
        "fee_ocur_time": f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}",
        "med_list_codg": code,
        "medins_list_codg": "H-" + code,
        "det_item_fee_sumamt": (Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01")),
        "cnt": Decimal(cnt),
        "pric": Decimal(pric),
        "bilg_dept_codg": "D01",
        "bilg_dept_name": "内科",
        "bilg_dr_codg": "DR1",
        "bilg_dr_name": "医生",
        "hosp_appr_flag": "1",
    }


def settle_data(
    person: dict[str, str],
    mdtrt_id: str,
    total: Decimal,
    *,
    med_type: str,
    cert_type: str = "02",
    cert_no: str | None = None,
) -> dict[str, Any]:
    return {
        "psn_no": person["psn_no"],
        "mdtrt_cert_type": cert_type,
        "mdtrt_cert_no": cert_no or person["certno"],
        "med_type": med_type,
        "medfee_sumamt": total,
        "psn_setlway": "01",
        "mdtrt_id": mdtrt_id,
        "chrg_bchno": "B1",
        "acct_used_flag": "0",
        "insutype": person["insutype"],
        "mid_setl_flag": "0",
    }


class Phone:
    """A person's phone: WeChat login at the e-voucher service, then its mobile APIs."""

    def __init__(self, evoucher_url: str, wechat_user: str) -> None:
        self.http = httpx.Client(base_url=evoucher_url, timeout=httpx.Timeout(15.0, connect=3.0))
        login = self.http.post("/mobile/v1/sessions", json={"code": f"code-{wechat_user}"})
        assert login.status_code == 201, login.text
        self.headers = {"authorization": f"Bearer {login.json()['session_token']}"}
        self.remote_care_token = login.json().get("remote_care_token")

    def face_check(self, name: str, certno: str) -> str:
        """The identity ticket of the development face check (what the real face-check SDK hands the phone)."""
        answer = self.http.post("/dev/v1/face-checks", json={"psn_name": name, "certno": certno}, headers=self.headers)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["identity_ticket"])

    def try_activation(self, name: str, certno: str) -> httpx.Response:
        body = {"psn_name": name, "certno": certno, "identity_ticket": self.face_check(name, certno)}
        return self.http.post("/mobile/v1/voucher/activation", json=body, headers=self.headers)

    def activate(self, name: str, certno: str) -> dict[str, Any]:
        answer = self.try_activation(name, certno)
        assert answer.status_code == 201, answer.text
        self.remote_care_token = answer.json()["remote_care_token"]
        return dict(answer.json())

    def qr_code(self) -> str:
        answer = self.http.post("/mobile/v1/qrcodes", json={}, headers=self.headers)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["qr_code"])
