"""Hospitals settling stays over HTTP, retrying as the national spec tells an HIS to.

A call that timed out, lost its connection or met a 503/429 is sent again with the SAME
msgid and the same body, so the platform either runs it once or answers it from its log.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from medshared import jsonutil
from medshared.national import gateway_headers

PATH = "/fsi/api/rsfComIfsService/callService"
SURGERY = ("003301000010000", "1", "300")  # class A, fully in scope; small so no annual cap is reached

# Out-of-area people (岳阳 430600) treated in 北京, and a local one in 拉萨.
PEOPLE = {
    "周敏": {"psn_no": "43060000000000000001", "certno": "430602197007070923", "insutype": "390", "pool": "430600"},
    "吴刚": {"psn_no": "43060000000000000002", "certno": "430602195809091014", "insutype": "310", "pool": "430600"},
    "扎西": {"psn_no": "54010000000000000001", "certno": "540102198005010110", "insutype": "390", "pool": "540100"},
}
HOSPITALS = {"H11010000001": ("110100", ["周敏", "吴刚"]), "H54010000001": ("540100", ["扎西"])}

_seq = itertools.count(1)
_seq_lock = threading.Lock()


def _msgid(code: str) -> str:
    with _seq_lock:
        n = next(_seq)
    return f"{code}{dt.datetime.now():%Y%m%d%H%M%S}{n % 10000:04d}"


@dataclass
class Tally:
    """What the hospitals saw, shared by every worker."""

    requests: int = 0  # distinct calls (msgids)
    attempts: int = 0  # HTTP attempts, retries included
    retried_calls: int = 0
    gave_up: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)  # per attempt: ok, refused, transport, 503, ...
    unclean: list[str] = field(default_factory=list)  # bare 500s, stack traces, unreadable bodies
    refusals: Counter[str] = field(default_factory=Counter)  # err_msg of infcode -1 answers
    settled: dict[str, dict[str, Any]] = field(default_factory=dict)  # 2304 msgid -> what the HIS was told
    dropped_answers: int = 0  # settlement answers thrown away on arrival, as a broken line would
    replay_mismatches: list[str] = field(default_factory=list)  # a retry answered differently from the first
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, outcome: str) -> None:
        with self.lock:
            self.attempts += 1
            self.outcomes[outcome] += 1


class Hospital:
    def __init__(self, base_url: str, code: str, admdvs: str, tally: Tally, *, give_up_after: float) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(5.0, connect=1.0))
        self.code, self.admdvs, self.tally = code, admdvs, tally
        self.give_up_after = give_up_after
        self.sign_no = ""

    def call(
        self, infno: str, input_: dict[str, Any], *, insuplc: str = "", drop_first_answer: bool = False
    ) -> dict[str, Any] | None:
        """One national call; None when every retry within give_up_after failed.

        drop_first_answer: the platform commits and answers, the answer never arrives; the
        HIS sends the same msgid again and must get the very same answer.
        """
        now = dt.datetime.now()
        msgid = _msgid(self.code)
        body = jsonutil.dumps(
            {
                "infno": infno,
                "msgid": msgid,
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
        )
        with self.tally.lock:
            self.tally.requests += 1
        deadline = time.monotonic() + self.give_up_after
        pause, tries, dropped = 0.2, 0, None
        while True:
            tries += 1
            answer = self._attempt(body)
            if answer is not None and drop_first_answer and dropped is None:
                dropped = answer
                with self.tally.lock:
                    self.tally.dropped_answers += 1
                continue
            if answer is not None and dropped is not None and answer["output"] != dropped["output"]:
                with self.tally.lock:
                    self.tally.replay_mismatches.append(msgid)
            if answer is not None:
                if tries > 1:
                    with self.tally.lock:
                        self.tally.retried_calls += 1
                if infno == "2304" and answer["infcode"] == 0:
                    setl = answer["output"]["setlinfo"]
                    with self.tally.lock:
                        self.tally.settled[msgid] = {
                            "setl_id": setl["setl_id"],
                            "mdtrt_id": setl["mdtrt_id"],
                            "tries": tries,
                        }
                return answer
            if time.monotonic() > deadline:
                with self.tally.lock:
                    self.tally.gave_up += 1
                return None
            time.sleep(pause)
            pause = min(pause * 2, 2.0)

    def _attempt(self, body: bytes) -> dict[str, Any] | None:
        """The answer, or None when the HIS should send the same message again."""
        headers = {"content-type": "application/json", **gateway_headers(self.code, f"demo-{self.code}")}
        try:
            reply = self.http.post(PATH, content=body, headers=headers)
        except httpx.TimeoutException:
            self.tally.note("timeout")
            return None
        except httpx.TransportError:
            self.tally.note("connection")
            return None
        if reply.status_code in (429, 503):
            self._check_clean(reply, needs_reason=True)
            self.tally.note(str(reply.status_code))
            return None
        if reply.status_code != 200:
            self.tally.note(str(reply.status_code))
            self._unclean(f"HTTP {reply.status_code}: {reply.text[:200]}")
            return None
        answer = self._check_clean(reply, needs_reason=False)
        if answer is None:
            return None
        if answer.get("infcode") == 0:
            self.tally.note("ok")
            return answer
        self.tally.note("refused")
        with self.tally.lock:
            self.tally.refusals[str(answer.get("err_msg"))[:120]] += 1
        return answer

    def _check_clean(self, reply: httpx.Response, *, needs_reason: bool) -> dict[str, Any] | None:
        if "Traceback" in reply.text or 'File "' in reply.text:
            self._unclean(f"HTTP {reply.status_code} carried a stack trace")
            return None
        try:
            answer = dict(jsonutil.loads(reply.content))
        except ValueError:
            self._unclean(f"HTTP {reply.status_code} body is not JSON: {reply.text[:200]}")
            return None
        if needs_reason and not (answer.get("detail") or answer.get("err_msg")):
            self._unclean(f"HTTP {reply.status_code} without a reason: {reply.text[:200]}")
        return answer

    def _unclean(self, what: str) -> None:
        with self.tally.lock:
            self.tally.unclean.append(what)

    def sign_in(self) -> None:
        answer = self.call("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}})
        if answer is None or answer["infcode"] != 0:
            raise RuntimeError(f"{self.code} could not sign in: {answer and answer['err_msg']}")
        self.sign_no = answer["output"]["signinoutb"]["sign_no"]

    def stay(self, person: dict[str, str]) -> None:
        """Admit, upload one fee line, discharge, settle (2401 -> 2301 -> 2402 -> 2304)."""
        pool, psn_no = person["pool"], person["psn_no"]
        now = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
        admitted = self.call(
            "2401",
            {
                "mdtrtinfo": {
                    "psn_no": psn_no,
                    "insutype": person["insutype"],
                    "begntime": now,
                    "mdtrt_cert_type": "02",
                    "mdtrt_cert_no": person["certno"],
                    "med_type": "21",
                    "ipt_no": f"IP{next(_seq)}",
                    "atddr_no": "D1",
                    "chfpdr_name": "医生",
                    "adm_dept_codg": "D2",
                    "adm_dept_name": "外科",
                },
                "diseinfo": [],
            },
            insuplc=pool,
        )
        if not admitted or admitted["infcode"] != 0:
            return
        mdtrt_id = admitted["output"]["result"]["mdtrt_id"]
        code, cnt, pric = SURGERY
        total = (Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01"))
        line = {
            "feedetl_sn": "1",
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "chrg_bchno": "B1",
            "rx_circ_flag": "0",
            "fee_ocur_time": now,
            "med_list_codg": code,
            "medins_list_codg": "H-" + code,
            "det_item_fee_sumamt": total,
            "cnt": Decimal(cnt),
            "pric": Decimal(pric),
            "bilg_dept_codg": "D01",
            "bilg_dept_name": "内科",
            "bilg_dr_codg": "DR1",
            "bilg_dr_name": "医生",
            "hosp_appr_flag": "1",
        }
        steps = [
            ("2301", {"feedetail": [line]}),
            (
                "2402",
                {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": psn_no, "insutype": person["insutype"], "endtime": now}},
            ),
            (
                "2304",
                {
                    "data": {
                        "psn_no": psn_no,
                        "mdtrt_cert_type": "02",
                        "mdtrt_cert_no": person["certno"],
                        "med_type": "21",
                        "medfee_sumamt": total,
                        "psn_setlway": "01",
                        "mdtrt_id": mdtrt_id,
                        "chrg_bchno": "B1",
                        "acct_used_flag": "0",
                        "insutype": person["insutype"],
                        "mid_setl_flag": "0",
                    }
                },
            ),
        ]
        for infno, input_ in steps:
            answer = self.call(infno, input_, insuplc=pool, drop_first_answer=infno == "2304" and next(_seq) % 5 == 0)
            if not answer or answer["infcode"] != 0:
                return


def probe(url: str, tally: Tally, headers: dict[str, str] | None = None) -> int:
    """A REST read during an outage: it may be refused, but only with a reason."""
    try:
        reply = httpx.get(url, headers=headers, timeout=5)
    except httpx.TransportError:
        return 0
    if "Traceback" in reply.text or 'File "' in reply.text:
        tally.unclean.append(f"GET {url}: HTTP {reply.status_code} carried a stack trace")
    elif reply.status_code >= 500 and (reply.status_code != 503 or "detail" not in reply.text):
        tally.unclean.append(f"GET {url}: HTTP {reply.status_code}: {reply.text[:200]}")
    return reply.status_code


class Load:
    """One thread per hospital, settling stays for its people until stopped."""

    def __init__(self, settlement_url: str, *, give_up_after: float = 120.0) -> None:
        self.tally = Tally()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._hospitals = [
            Hospital(settlement_url, code, admdvs, self.tally, give_up_after=give_up_after)
            for code, (admdvs, _) in HOSPITALS.items()
        ]

    def start(self) -> None:
        for hospital in self._hospitals:
            hospital.sign_in()
            names = HOSPITALS[hospital.code][1]
            thread = threading.Thread(
                target=self._run, args=(hospital, names), name=f"his-{hospital.code}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, hospital: Hospital, names: list[str]) -> None:
        for name in itertools.cycle(names):
            if self._stop.is_set():
                return
            hospital.stay(PEOPLE[name])

    def stop(self) -> None:
        """Let every stay in flight finish (with its retries), then stop."""
        self._stop.set()
        for thread in self._threads:
            thread.join()
