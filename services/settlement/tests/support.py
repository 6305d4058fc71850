"""Events shaped as docs/events.md for the demo people, and a HIS that speaks the envelope."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from fastapi.testclient import TestClient

from medshared import jsonutil
from medshared.events import Event
from medshared.national import gateway_headers
from settlement.config import Settings
from settlement.main import create_app
from settlement.messaging import consumer

PEOPLE = {
    p["psn_no"]: p
    for p in json.loads(
        (Path(__file__).resolve().parents[1] / "settlement" / "demo_data" / "people.json").read_text(encoding="utf-8")
    )
}
FILING_TYPES = {"other_temporary": "temporary_other"}
ZHAXI, ZHUOMA, CIREN, WANGQIANG = (
    "54010000000000000001",
    "54010000000000000002",
    "54010000000000000003",
    "54010000000000000004",
)


def enrollment_events(psn_no: str, *, status: str = "active", version: int = 1) -> list[Event]:
    """What enrollment publishes for one demo person: registered, enrolled, identity, account credit."""
    p = PEOPLE[psn_no]
    person = {
        "psn_no": psn_no,
        "psn_cert_type": p["psn_cert_type"],
        "certno": p["certno"],
        "psn_name": p["psn_name"],
        "gend": p["gend"],
        "naty": "01",
        "brdy": p["brdy"],
        "tel": None,
        "addr": None,
        "death_date": None,
        "version": version,
    }
    periods = [{"status": "active", "begndate": "2026-01-01", "enddate": None, "reason": "enrolled"}]
    if status != "active":
        periods = [
            {"status": "active", "begndate": "2026-01-01", "enddate": "2026-01-31", "reason": "enrolled"},
            {"status": status, "begndate": "2026-02-01", "enddate": None, "reason": status},
        ]
    enrollment = {
        "enrollment_id": f"E-{psn_no}",
        "psn_no": psn_no,
        "insutype": p["insutype"],
        "insuplc_admdvs": p["insuplc_admdvs"],
        "psn_type": p["psn_type"],
        "emp_no": None,
        "emp_name": "演示单位" if p["insutype"] == "310" else None,
        "cvlserv_flag": p["cvlserv_flag"],
        "tier": p["tier"],
        "begndate": "2026-01-01",
        "enddate": None,
        "status": status,
        "periods": periods,
        "version": version,
    }
    events = [
        Event("PersonRegistered", psn_no, {"person": person}, "enrollment"),
        Event("PersonEnrolled", psn_no, {"person": person, "enrollment": enrollment}, "enrollment"),
    ]
    if p["identity"]:
        idt = p["identity"]
        events.append(
            Event(
                "IdentityGranted",
                psn_no,
                {
                    "identity": {
                        "identity_id": f"I-{psn_no}",
                        "psn_no": psn_no,
                        "psn_idet_type": idt["psn_idet_type"],
                        "psn_type_lv": None,
                        "begntime": f"{idt['begndate']}T00:00:00",
                        "endtime": f"{idt['enddate']}T23:59:59",
                        "memo": idt["name"],
                        "revoked": False,
                        "version": 1,
                    }
                },
                "enrollment",
            )
        )
    if p["acct_balance"]:
        events.append(
            Event(
                "AccountCredited",
                psn_no,
                {
                    "credit": {
                        "credit_id": f"C-{psn_no}",
                        "psn_no": psn_no,
                        "insutype": "310",
                        "amount": p["acct_balance"],
                        "credited_on": "2026-01-01",
                        "kind": "opening",
                        "memo": "opening balance",
                    }
                },
                "enrollment",
            )
        )
    return events


def filing_events(psn_no: str) -> list[Event]:
    p = PEOPLE[psn_no]
    return [
        Event(
            "FilingCreated",
            psn_no,
            {
                "filing": {
                    "filing_id": f"F-{psn_no}-{i}",
                    "psn_no": psn_no,
                    "insuplc_admdvs": p["insuplc_admdvs"],
                    "filing_type": FILING_TYPES.get(f["kind"], f["kind"]),
                    "target_admdvs": f["target_admdvs"],
                    "begndate": f["begndate"],
                    "enddate": f["enddate"],
                    "status": "active",
                    "channel": "admin",
                    "trt_dcla_detl_sn": None,
                    "version": 1,
                }
            },
            "remote_care",
        )
        for i, f in enumerate(p["filings"])
    ]


_seq = itertools.count(1)


class His:
    """A hospital HIS: signs the gateway headers, builds envelopes, keeps its sign_no."""

    def __init__(
        self, client: Any, fixmedins_code: str, admdvs: str, *, paasid: str | None = None, token: str | None = None
    ) -> None:
        self.client = client
        self.code = fixmedins_code
        self.admdvs = admdvs
        self.paasid = paasid or fixmedins_code
        self.token = token or f"demo-{fixmedins_code}"
        self.sign_no = ""

    def msgid(self) -> str:
        return f"{self.code}20261124100000{next(_seq) % 10000:04d}"

    def envelope(
        self, infno: str, input_: dict[str, Any], *, insuplc: str = "", msgid: str | None = None
    ) -> dict[str, Any]:
        return {
            "infno": infno,
            "msgid": msgid or self.msgid(),
            "mdtrtarea_admvs": self.admdvs,
            "insuplc_admdvs": insuplc,
            "recer_sys_code": "YBXT",
            "dev_no": "",
            "dev_safe_info": "",
            "cainfo": "",
            "signtype": "",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "001",
            "opter_name": "收费员",
            "inf_time": "2026-11-24 10:00:00",
            "fixmedins_code": self.code,
            "fixmedins_name": "演示机构",
            "sign_no": self.sign_no,
            "input": input_,
        }

    def post(self, envelope: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        answer = self.client.post(
            "/fsi/api/rsfComIfsService/callService",
            content=jsonutil.dumps(envelope),
            headers=headers if headers is not None else gateway_headers(self.paasid, self.token),
        )
        if answer.headers.get("content-type", "").startswith("application/octet-stream"):
            # A file answered as bytes (9102): handed back as an answer whose output holds the file.
            disposition = answer.headers.get("content-disposition", "")
            return {"infcode": 0, "output": {"file": answer.content, "content_disposition": disposition}}
        return jsonutil.loads(answer.content)

    def call(self, infno: str, input_: dict[str, Any], *, insuplc: str = "", msgid: str | None = None) -> Any:
        return self.post(self.envelope(infno, input_, insuplc=insuplc, msgid=msgid))

    def ok(self, infno: str, input_: dict[str, Any], **kw: Any) -> Any:
        answer = self.call(infno, input_, **kw)
        assert answer["infcode"] == 0, answer["err_msg"]
        return answer["output"]

    def sign_in(self) -> None:
        self.sign_no = self.ok("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}})["signinoutb"][
            "sign_no"
        ]


def line(
    sn: str, code: str, cnt: str, pric: str, mdtrt_id: str, psn_no: str, amount: str | None = None, **extra: Any
) -> dict[str, Any]:
    total = amount if amount is not None else str((Decimal(cnt) * Decimal(pric)).quantize(Decimal("0.01")))
    return {
        "feedetl_sn": sn,
        "mdtrt_id": mdtrt_id,
        "psn_no": psn_no,
        "chrg_bchno": "B1",
        "rx_circ_flag": "0",
        "fee_ocur_time": "2026-11-24 09:30:00",
        "med_list_codg": code,
        "medins_list_codg": "H-" + code,
        "det_item_fee_sumamt": Decimal(total),
        "cnt": Decimal(cnt),
        "pric": Decimal(pric),
        "bilg_dept_codg": "D01",
        "bilg_dept_name": "内科",
        "bilg_dr_codg": "DR1",
        "bilg_dr_name": "医生",
        "hosp_appr_flag": "1",
        **extra,
    }


def open_outpatient(his: His, psn_no: str, med_type: str = "11", dise_codg: str = "") -> str:
    p = PEOPLE[psn_no]
    mdtrt_id = his.ok(
        "2201",
        {
            "data": {
                "psn_no": psn_no,
                "insutype": p["insutype"],
                "begntime": "2026-11-24 09:00:00",
                "mdtrt_cert_type": "02",
                "mdtrt_cert_no": p["certno"],
                "ipt_otp_no": "OP" + psn_no[-4:],
                "atddr_no": "DR1",
                "dr_name": "医生",
                "dept_code": "D01",
                "dept_name": "内科",
                "caty": "A03",
            }
        },
        insuplc=p["insuplc_admdvs"],
    )["data"]["mdtrt_id"]
    his.ok(
        "2203",
        {
            "mdtrtinfo": {
                "mdtrt_id": mdtrt_id,
                "psn_no": psn_no,
                "med_type": med_type,
                "begntime": "2026-11-24 09:00:00",
                "dise_codg": dise_codg,
                "dise_name": "",
            },
            "diseinfo": [],
        },
        insuplc=p["insuplc_admdvs"],
    )
    return mdtrt_id


def settle_input(
    psn_no: str, mdtrt_id: str, total: str, *, med_type: str = "11", acct: str = "0", **extra: Any
) -> dict[str, Any]:
    p = PEOPLE[psn_no]
    return {
        "data": {
            "psn_no": psn_no,
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"],
            "med_type": med_type,
            "medfee_sumamt": Decimal(total),
            "psn_setlway": "01",
            "mdtrt_id": mdtrt_id,
            "chrg_bchno": "B1",
            "acct_used_flag": acct,
            "insutype": p["insutype"],
            **extra,
        }
    }


def counts(app: Any) -> dict[str, int]:
    """Rows per business table, to show a refused call stored nothing.

    Spent nonces and the operator audit trail are left out: they record refused calls on purpose.
    """
    from sqlalchemy import func, select

    from settlement.db import gateway_nonce, metadata, operator_action

    tables = [t for t in metadata.sorted_tables if t not in (gateway_nonce, operator_action)]
    with app.state.runtime.factory() as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


class Partners:
    """Stands in for e-voucher and remote-care over httpx's transport; records each request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.tokens: dict[str, tuple[int, dict[str, object]]] = {}
        self.remote_care_up = True

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/internal/v1/ectokens/resolve":
            import json

            token = json.loads(request.content)["ecToken"]
            status, body = self.tokens.get(token, (404, {"detail": "unknown"}))
            return httpx.Response(status, json=body)
        if not self.remote_care_up:
            raise httpx.ConnectError("connection refused", request=request)
        if request.url.path.endswith("/revoke"):
            return httpx.Response(200, json={"status": "revoked"})
        return httpx.Response(201, json={"trt_dcla_detl_sn": "RC20261124000001", "filing_id": "F-1"})


POLICY = {"x-operator-token": "test-policy"}
AUDIT = {"x-operator-token": "test-audit"}
CLEARING = {"x-operator-token": "test-clearing"}
OPERATOR_TOKENS = {
    "test-policy": {"operator": "policy-01", "roles": ["policy"]},
    "test-audit": {"operator": "audit-01", "roles": ["audit"]},
    "test-clearing": {"operator": "clearing-01", "roles": ["clearing"]},
}


def make_client(url: str, partners: Partners, **settings: object) -> TestClient:
    values: dict[str, object] = {
        "database_url": url,
        "kafka_bootstrap_servers": "",
        "environment": "test",
        "operator_tokens": OPERATOR_TOKENS,
    }
    values.update(settings)
    return TestClient(create_app(Settings(**values), transport=httpx.MockTransport(partners.handler)))


def seed(app: object, *psn_nos: str) -> None:
    """Feed the consumer the events enrollment and remote-care publish for these people."""
    runtime = app.state.runtime
    for psn_no in psn_nos:
        for event in [*enrollment_events(psn_no), *filing_events(psn_no)]:
            with runtime.unit_of_work() as session:
                consumer.handle(session, event)


# 3101 / 3102 input as deployed HIS send it (see tests/compat/after_bills/supervision.py)
TRASTUZUMAB = "XL01XCT022B001010100003"


def supervision_analysis(trig_scen: str, *, as_object: bool = False) -> dict[str, Any]:
    order = {"rx_id": "RX1", "hilist_code": TRASTUZUMAB, "hilist_name": "注射用曲妥珠单抗", "cnt": 1,
             "pric": "2400.00", "sumamt": "2400.00", "drord_begn_date": "2026-11-24 09:00:00"}  # fmt: skip
    encounter = {"mdtrt_id": "HIS-MZ-0001", "medins_id": "H54010000001", "medins_lv": "3",
                 "adm_date": "2026-11-24 08:30:00", "dscg_date": "", "med_mdtrt_type": "1", "med_type": "11",
                 "insutype": "310", "dscg_main_dise_codg": "C50.900",
                 "fsi_diagnose_dtos": [{"dise_codg": "C50.900", "maindiag_flag": "1"}],
                 "fsi_order_dtos": [order], "fsi_operation_dtos": ""}  # fmt: skip
    patient = {"patn_id": ZHAXI, "patn_name": "扎西", "gend": "1", "brdy": "1980-05-01", "poolarea": "540100",
               "curr_mdtrt_id": "HIS-MZ-0001",
               "fsi_encounter_dtos": encounter if as_object else [encounter], "fsi_his_data_dto": ""}  # fmt: skip
    return {"data": {"patient_dtos": [patient], "trig_scen": trig_scen, "rule_ids": None, "task_id": "T0001"}}
