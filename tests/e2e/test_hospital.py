"""A hospital drives the running system over HTTP, as its HIS would."""

from __future__ import annotations

import contextlib
import io

import pytest
from clients import PEOPLE, His, wait_for


def test_the_documented_his_session_runs_against_the_running_system(stack):
    from settlement.examples.his_session import run

    lhasa = His(stack.urls["settlement"], "H54010000001", "540100").sign_in()
    wait_for(lambda: lhasa.knows(PEOPLE["扎西"]["certno"]))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            run(stack.urls["settlement"], "demo-H54010000001")
        except SystemExit as refused:
            pytest.fail(f"{refused}\n{printed.getvalue()}")
    for infno in ("9001", "1101", "2201", "2203", "2204", "2206", "2207", "2208"):
        assert f"--- {infno}: infcode 0" in printed.getvalue()


def test_a_repeated_msgid_gets_the_original_answer_and_settles_once(stack):
    person = PEOPLE["扎西"]
    his = His(stack.urls["settlement"], "H54010000001", "540100").sign_in()
    wait_for(lambda: his.knows(person["certno"]))
    mdtrt_id = his.admit(person)
    his.ok("2301", {"feedetail": [_line(mdtrt_id, person)]}, insuplc=person["pool"])
    his.ok(
        "2402",
        {"dscginfo": {"mdtrt_id": mdtrt_id, "psn_no": person["psn_no"], "insutype": "390", "endtime": _now()}},
        insuplc=person["pool"],
    )
    data = {"data": _settle(person, mdtrt_id)}
    first = his.call("2304", data, insuplc=person["pool"])
    msgid = his.last_msgid
    again = his.call("2304", data, insuplc=person["pool"], msgid=msgid)
    assert first["infcode"] == 0 and again["output"] == first["output"]
    reversed_once = his.call(
        "2601", {"data": {"psn_no": person["psn_no"], "omsgid": msgid, "oinfno": "2304"}}, insuplc=person["pool"]
    )
    assert reversed_once["infcode"] == 0, reversed_once["err_msg"]
    twice = his.call(
        "2601", {"data": {"psn_no": person["psn_no"], "omsgid": msgid, "oinfno": "2304"}}, insuplc=person["pool"]
    )
    assert twice["infcode"] == -1 and twice["err_msg"]


def _now():
    import datetime as dt

    return f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"


def _line(mdtrt_id, person):
    from clients import fee_line

    return fee_line("1", "003301000010000", "1", "2000", mdtrt_id, person["psn_no"])


def _settle(person, mdtrt_id):
    from decimal import Decimal

    from clients import settle_data

    return settle_data(person, mdtrt_id, Decimal("2000.00"), med_type="21")
