"""Every transaction the door offers answers every output node and field the national spec lists.

The field lists come from ../shared/reference/national-interface.md, parsed at test time
(compat_support.spec_outputs); the offered transactions from the door's own table. Each offered
infno is called once in a successful scenario (an outpatient visit, an inpatient stay, filings,
reversal by msgid, queries) and its answer is checked: every node and field present, numbers
as numbers and never null, text as text, dates as yyyy-MM-dd, date-times as yyyy-MM-dd HH:mm:ss.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from after_bills import pharmacy, records, setllists, statements, supervision
from compat_support import SPEC_PATH, spec_outputs, spec_problems
from day_one import catalogues, departments, dictionaries, files, mapping
from support import (
    ALEMBIC_INI,
    PEOPLE,
    WANGQIANG,
    ZHAXI,
    His,
    Partners,
    line,
    make_client,
    seed,
)

from medshared.db import upgrade
from medshared.testing import create_database
from settlement.demo import load_demo

# What a HIS calls before its first bill, one module per capability: each has run(s) and COVERED.
DAY_ONE = [files.run, dictionaries.run, catalogues.run, mapping.run, departments.run]
DAY_ONE_COVERED = files.COVERED | dictionaries.COVERED | catalogues.COVERED | mapping.COVERED | departments.COVERED
# ... and once bills exist.
AFTER_BILLS = [pharmacy.run, records.run, setllists.run, statements.run, supervision.run]
AFTER_BILLS_COVERED = pharmacy.COVERED | records.COVERED | setllists.COVERED | statements.COVERED | supervision.COVERED


def offered_infnos() -> frozenset[str]:
    """The door's table of offered transactions: a new row there is a new case here."""
    from settlement.door import OFFERED

    return frozenset(OFFERED)


OFFERED = sorted(offered_infnos())
POOL = "540100"


class Scenario:
    """Runs each step once and keeps what every infno answered (or why it was not answered)."""

    def __init__(self, his: His) -> None:
        self.his = his
        self.outputs: dict[str, Any] = {}
        self.failures: dict[str, str] = {}

    def step(
        self,
        infno: str,
        input_: dict[str, Any] | Callable[[], dict[str, Any]],
        **kw: Any,
    ) -> Any:
        try:
            body = input_() if callable(input_) else input_
        except LookupError as exc:  # an earlier step it depends on did not answer
            self.failures.setdefault(infno, f"not reached: {exc}")
            return None
        answer = self.his.call(infno, body, **kw)
        if answer.get("infcode") != 0:
            self.failures.setdefault(infno, f"refused: {answer.get('err_msg')}")
            return None
        self.outputs.setdefault(infno, answer.get("output"))
        self.failures.pop(infno, None)
        return answer.get("output")


def _need(value: Any, *path: Any) -> Any:
    for key in path:
        if value is None:
            raise LookupError("an earlier step was refused")
        value = value[key]
    return value


def _settle(psn_no: str, mdtrt_id: Any, total: str, **more: Any) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if mdtrt_id is None:
            raise LookupError("the visit was not opened")
        p = PEOPLE[psn_no]
        data = {
            "psn_no": psn_no,
            "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"],
            "medfee_sumamt": Decimal(total),
            "psn_setlway": "01",
            "mdtrt_id": mdtrt_id,
            "chrg_bchno": "B1",
            "acct_used_flag": "1",
            "insutype": p["insutype"],
        }
        return {"data": {**data, **more}}

    return build


def _register(s: Scenario, psn_no: str, **kw: Any) -> Any:
    p = PEOPLE[psn_no]
    data = {
        "psn_no": psn_no,
        "insutype": p["insutype"],
        "begntime": "2026-11-24 09:00:00",
        "mdtrt_cert_type": "02",
        "mdtrt_cert_no": p["certno"],
        "ipt_otp_no": "OP1",
        "atddr_no": "DR1",
        "dr_name": "医生",
        "dept_code": "D01",
        "dept_name": "内科",
        "caty": "A03",
    }
    return _need(s.step("2201", {"data": data}, insuplc=POOL, **kw), "data", "mdtrt_id")


def _visit_info(psn_no: str, mdtrt_id: Any) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if mdtrt_id is None:
            raise LookupError("the visit was not opened")
        info = {
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "med_type": "11",
            "begntime": "2026-11-24 09:00:00",
        }
        return {"mdtrtinfo": info, "diseinfo": []}

    return build


def _lines(psn_no: str, mdtrt_id: Any, items: list[tuple[str, str, str, str]]) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if mdtrt_id is None:
            raise LookupError("the visit was not opened")
        return {"feedetail": [line(sn, code, cnt, pric, mdtrt_id, psn_no) for sn, code, cnt, pric in items]}

    return build


def _ref(node: str, **data: Any) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if any(v is None for v in data.values()):
            raise LookupError("an earlier step was refused")
        return {node: data}

    return build


def outpatient(s: Scenario) -> None:
    p, psn = PEOPLE[WANGQIANG], WANGQIANG
    s.step("1101", {"data": {"mdtrt_cert_type": "02", "mdtrt_cert_no": p["certno"], "psn_cert_type": "01",
                             "certno": p["certno"], "psn_name": p["psn_name"]}})  # fmt: skip
    s.step("2001", {"data": {"psn_no": psn, "insutype": "310", "fixmedins_code": "H54010000001", "med_type": "11",
                             "begntime": "2026-11-24 09:00:00"}}, insuplc=POOL)  # fmt: skip
    mdtrt_id = _register(s, psn)
    s.step("2203", _visit_info(psn, mdtrt_id), insuplc=POOL)
    # one capped item, one with no price cap
    s.step("2204", _lines(psn, mdtrt_id, [("1", "001102000010000", "1", "15.00"),
                                          ("2", "XA10BAA059A001010100001", "2", "3.50")]), insuplc=POOL)  # fmt: skip
    s.step("2206", _settle(psn, mdtrt_id, "22.00"), insuplc=POOL)
    settled = s.step("2207", _settle(psn, mdtrt_id, "22.00"), insuplc=POOL)
    setl_id = settled and settled["setlinfo"]["setl_id"]
    s.step(
        "5203",
        _ref("data", psn_no=psn, setl_id=setl_id, mdtrt_id=mdtrt_id),
        insuplc=POOL,
    )
    s.step(
        "2208",
        _ref("data", setl_id=setl_id, mdtrt_id=mdtrt_id, psn_no=psn),
        insuplc=POOL,
    )
    s.step("5206", {"data": {"psn_no": psn, "cum_ym": "202611"}}, insuplc=POOL)
    today = dt.date.today().isoformat()
    s.step("3201", {"data": {"insutype": "310", "clr_type": "11", "setl_optins": POOL, "stmt_begndate": today,
                             "stmt_enddate": today, "medfee_sumamt": Decimal("0.00"), "fund_pay_sumamt": Decimal("0.00"),
                             "acct_pay": Decimal("0.00"), "fixmedins_setl_cnt": 0}})  # fmt: skip

    second = _register(s, psn)
    s.step("2203A", _visit_info(psn, second), insuplc=POOL)
    s.step(
        "2204",
        _lines(psn, second, [("1", "001102000010000", "1", "15.00")]),
        insuplc=POOL,
    )
    s.step("2205", _ref("data", mdtrt_id=second, chrg_bchno="B1", psn_no=psn), insuplc=POOL)

    third = _register(s, psn)
    s.step("2202", _ref("data", psn_no=psn, mdtrt_id=third, ipt_otp_no="OP1"), insuplc=POOL)

    msgid = s.his.msgid()
    _register(s, psn, msgid=msgid)
    s.step(
        "2601",
        {"data": {"psn_no": psn, "omsgid": msgid, "oinfno": "2201"}},
        insuplc=POOL,
    )


def _admit(s: Scenario, psn: str) -> Any:
    p = PEOPLE[psn]
    info = {"psn_no": psn, "insutype": p["insutype"], "begntime": "2026-11-24 08:00:00", "mdtrt_cert_type": "02",
            "mdtrt_cert_no": p["certno"], "med_type": "21", "ipt_no": "IP1", "atddr_no": "DR1", "chfpdr_name": "医生",
            "adm_dept_codg": "D02", "adm_dept_name": "外科"}  # fmt: skip
    return _need(
        s.step("2401", {"mdtrtinfo": info, "diseinfo": []}, insuplc=POOL),
        "result",
        "mdtrt_id",
    )


def inpatient(s: Scenario) -> None:
    psn = ZHAXI
    mdtrt_id = _admit(s, psn)
    s.step(
        "2403",
        _ref("adminfo", mdtrt_id=mdtrt_id, psn_no=psn, med_type="21"),
        insuplc=POOL,
    )
    s.step("2301", _lines(psn, mdtrt_id, [("1", "001101000010000", "3", "45.00"),
                                          ("2", "002501010010000", "1", "25.00"),
                                          ("3", "C01010100001000", "2", "4.00")]), insuplc=POOL)  # fmt: skip
    s.step(
        "2302",
        _ref("data", feedetl_sn="3", mdtrt_id=mdtrt_id, psn_no=psn),
        insuplc=POOL,
    )
    discharge = _ref(
        "dscginfo",
        mdtrt_id=mdtrt_id,
        psn_no=psn,
        insutype="390",
        endtime="2026-11-27 10:00:00",
    )
    s.step("2402", discharge, insuplc=POOL)
    s.step("2405", _ref("data", mdtrt_id=mdtrt_id, psn_no=psn), insuplc=POOL)
    if mdtrt_id:
        s.his.call("2402", discharge(), insuplc=POOL)  # discharged again for the final settlement
    s.step(
        "2303",
        _settle(psn, mdtrt_id, "160.00", acct_used_flag="0", mid_setl_flag="0"),
        insuplc=POOL,
    )
    settled = s.step(
        "2304",
        _settle(psn, mdtrt_id, "160.00", acct_used_flag="0", mid_setl_flag="0"),
        insuplc=POOL,
    )
    setl_id = settled and settled["setlinfo"]["setl_id"]
    s.step(
        "2305",
        _ref("data", mdtrt_id=mdtrt_id, setl_id=setl_id, psn_no=psn),
        insuplc=POOL,
    )

    other = _admit(s, psn)
    s.step("2404", _ref("data", mdtrt_id=other, psn_no=psn), insuplc=POOL)


def filings(s: Scenario) -> None:
    chronic = {"psn_no": ZHAXI, "insutype": "390", "opsp_dise_code": "M03900", "opsp_dise_name": "高血压",
               "begndate": "2026-01-01"}  # fmt: skip
    sn = _need(s.step("2503", {"data": chronic}, insuplc=POOL), "result", "trt_dcla_detl_sn")
    s.step(
        "2504",
        _ref("data", trt_dcla_detl_sn=sn, psn_no=ZHAXI, memo="撤销"),
        insuplc=POOL,
    )
    refmedin = {"psn_no": ZHAXI, "insutype": "390", "diag_code": "C34.900", "diag_name": "肺癌",
                "reflin_medins_no": "H11010000001", "reflin_medins_name": "北京市第一医院(演示)",
                "mdtrtarea_admdvs": "110100", "refl_type": "1", "refl_date": "2026-11-24", "refl_rea": "技术",
                "refl_opnn": "同意"}  # fmt: skip
    referral = s.step("2501", {"refmedin": refmedin}, insuplc=POOL)
    serial = referral and (referral.get("trt_dcla_detl_sn") or (referral.get("result") or {}).get("trt_dcla_detl_sn"))
    s.step(
        "2502",
        _ref("data", trt_dcla_detl_sn=serial, psn_no=ZHAXI, memo="撤销"),
        insuplc=POOL,
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def door_answers(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('completeness') / 'test.db'}"
    else:
        url = create_database(request.getfixturevalue("postgres_server"))
    upgrade(ALEMBIC_INI, url)
    with make_client(url, Partners()) as client:
        load_demo(client.app.state.runtime)
        seed(client.app, WANGQIANG, ZHAXI)
        his = His(client, "H54010000001", POOL)
        s = Scenario(his)
        signed = s.step("9001", {"signIn": {"opter_no": "001", "mac": "", "ip": "127.0.0.1"}})
        his.sign_no = _need(signed, "signinoutb", "sign_no")
        for before_the_first_bill in DAY_ONE:
            before_the_first_bill(s)
        outpatient(s)
        inpatient(s)
        filings(s)
        for once_bills_exist in AFTER_BILLS:
            once_bills_exist(s)
        s.step("9002", {"signOut": {"sign_no": his.sign_no, "opter_no": "001"}})
        yield s


def test_the_spec_reference_is_read_from_beside_the_repository() -> None:
    assert SPEC_PATH.parts[-3:] == ("shared", "reference", "national-interface.md")
    assert SPEC_PATH.parent.parent.parent == Path(__file__).resolve().parents[5]
    outputs = spec_outputs()
    assert set(outputs["2207"]["setlinfo"].fields) >= {
        "setl_id",
        "medfee_sumamt",
        "psn_cash_pay",
        "clr_type",
    }
    assert outputs["2204"]["result"].array and outputs["2204"]["result"].fields["pric_uplmt_amt"].type == "N"
    assert outputs["2206"]["setlinfo"].fields["setl_time"].nullable


def test_a_missing_field_a_null_number_and_a_text_amount_are_each_named() -> None:
    nodes = spec_outputs()["2204"]
    found = spec_problems({"result": [{"pric_uplmt_amt": None, "cnt": "1"}]}, nodes)
    assert "output.result[0].pric_uplmt_amt is null; the spec types it as a number" in found
    assert "output.result[0].cnt is str '1'; the spec types it as a number" in found
    assert "output.result[0].med_chrgitm_type is missing" in found
    assert spec_problems(None, {"trtinfo": spec_outputs()["2001"]["trtinfo"]}) == ["output.trtinfo is missing"]


def test_every_offered_transaction_has_a_successful_scenario() -> None:
    covered = {"9001", "9002", "1101", "2001", "2201", "2202", "2203", "2203A", "2204", "2205", "2206", "2207",
               "2208", "2401", "2402", "2403", "2404", "2405", "2301", "2302", "2303", "2304", "2305", "2501",
               "2502", "2503", "2504", "2601", "3201", "5203", "5206"}  # fmt: skip
    assert OFFERED, "the door's table of offered transactions was not found"
    covered |= DAY_ONE_COVERED | AFTER_BILLS_COVERED
    assert set(OFFERED) <= covered, f"no scenario calls {sorted(set(OFFERED) - covered)}"


@pytest.mark.parametrize("infno", OFFERED)
def test_an_offered_transaction_answers_every_node_and_field_the_spec_lists(door_answers: Scenario, infno: str) -> None:
    assert infno not in door_answers.failures, f"{infno} {door_answers.failures[infno]}"
    assert infno in door_answers.outputs, f"{infno} was not called"
    nodes = spec_outputs().get(infno, {})
    found = spec_problems(door_answers.outputs[infno], nodes)
    assert not found, f"{infno}: " + "; ".join(found)
