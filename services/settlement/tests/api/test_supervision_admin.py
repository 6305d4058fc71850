"""Fund supervision over HTTP on SQLite and PostgreSQL: bureau operators list violations, review them
(confirm, dismiss, recover within vola_amt) with each step in the operator audit trail and on
supervision.violations.v1; monthly figures add up; the audit role only reads; institutions read and
answer their own violations only, signed as at the national door; rule sets are published by the
policy role and refused naming the rule and field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from support import AUDIT, CLEARING, POLICY, ZHAXI

from medshared import jsonutil
from medshared.national import gateway_headers
from settlement.db import operator_action, outbox, violation_evidence
from settlement.messaging.supervision_contracts import SUPERVISION_TOPIC
from settlement.store import SqlStore

ADMIN = "/admin/v1/supervision"
OWN = "/institution/v1/supervision"
HOSPITAL, CLINIC = "H54010000001", "H54010000002"
MONTH = "2026-11"
D = Decimal


def seed(client: Any, *violations: tuple[str, str, str]) -> list[str]:
    """Violations (institution, rule_id, vola_amt) as a final settlement stores them, through the port
    settlement writes them with; their jr_ids in order."""
    rows = [
        {
            "setl_id": f"540100202611200930{i:012d}",
            "mdtrt_id": f"540100202611200900{i:012d}",
            "psn_no": ZHAXI,
            "fixmedins_code": code,
            "admdvs": "540100",
            "rule_set_version": "SUP-2026-01",
            "rule_id": rule_id,
            "rule_name": "重复收费",
            "category": "duplicate_charge",
            "severity": "3",
            "action": "exclude",
            "vola_cont": "一般诊疗费与挂号费同日重复收取",
            "vola_amt": D(amount),
            "line_keys": ["2"],
            "evidence": "line 1 charged 001102000010000 at 09:30",
            "found_at": dt.datetime(2026, 11, 20, 9, 30) + dt.timedelta(minutes=i),
        }
        for i, (code, rule_id, amount) in enumerate(violations)
    ]
    with client.app.state.runtime.unit_of_work() as session:
        store = SqlStore(session)
        store.add_violations(rows)
        found = {r.mdtrt_id: r.jr_id for r in store.violations(limit=100)[0]}
    return [found[r["mdtrt_id"]] for r in rows]


def signed(code: str) -> dict[str, str]:
    """The gateway headers an institution signs a call with (its demo credential)."""
    return gateway_headers(code, f"demo-{code}")


def trail(client: Any) -> list[tuple[str, str, str]]:
    with client.app.state.runtime.factory() as session:
        rows = session.execute(select(operator_action).order_by(operator_action.c.action_id)).all()
    return [(r.operator, r.action, r.outcome) for r in rows if "/supervision" in r.action]


def published(client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    with client.app.state.runtime.factory() as session:
        rows = session.execute(
            select(outbox.c.event_type, outbox.c.key, outbox.c.body)
            .where(outbox.c.topic == SUPERVISION_TOPIC)
            .order_by(outbox.c.id)
        ).all()
    return [(r.event_type, r.key, jsonutil.loads(r.body)["payload"]) for r in rows]


def test_operators_need_a_token_and_the_reviewer_role_to_change_and_the_audit_role_only_reads(client):
    [jr_id] = seed(client, (HOSPITAL, "R-DUP-01", "80.00"))
    missing = client.get(f"{ADMIN}/violations")
    assert missing.status_code == 401 and missing.headers["content-type"] == "application/problem+json"
    assert client.get(f"{ADMIN}/violations", headers={"x-operator-token": "nope"}).status_code == 401
    assert client.post(f"{ADMIN}/violations/{jr_id}/confirm", json={}).status_code == 401
    for reader in (AUDIT, POLICY, CLEARING):
        assert client.get(f"{ADMIN}/violations", headers=reader).json()["total"] == 1
        assert client.get(f"{ADMIN}/violations/{jr_id}", headers=reader).status_code == 200
        assert client.get(f"{ADMIN}/figures", params={"month": MONTH}, headers=reader).status_code == 200
    for stranger in (AUDIT, POLICY):
        refused = client.post(f"{ADMIN}/violations/{jr_id}/confirm", json={}, headers=stranger)
        assert refused.status_code == 403 and "clearing" in refused.json()["detail"]
        assert (
            client.post(f"{ADMIN}/violations/{jr_id}/recoveries", json={"amount": "1.00"}, headers=stranger).status_code
            == 403
        )
    assert client.get(f"{ADMIN}/violations/{jr_id}", headers=AUDIT).json()["status"] == "open"
    assert client.post(f"{ADMIN}/violations/{jr_id}/confirm", json={}, headers=CLEARING).status_code == 200
    assert trail(client) == [
        ("audit-01", "POST /admin/v1/supervision/violations/{jr_id}/confirm", "denied"),
        ("audit-01", "POST /admin/v1/supervision/violations/{jr_id}/recoveries", "denied"),
        ("policy-01", "POST /admin/v1/supervision/violations/{jr_id}/confirm", "denied"),
        ("policy-01", "POST /admin/v1/supervision/violations/{jr_id}/recoveries", "denied"),
        ("clearing-01", "POST /admin/v1/supervision/violations/{jr_id}/confirm", "done"),
    ]


def test_the_review_flow_is_audited_step_by_step_published_and_the_figures_add_up(client):
    first, second, third = seed(
        client, (HOSPITAL, "R-DUP-01", "100.00"), (HOSPITAL, "R-AGE-01", "50.00"), (CLINIC, "R-DUP-01", "30.00")
    )
    confirmed = client.post(f"{ADMIN}/violations/{first}/confirm", json={"note": "医嘱缺失"}, headers=CLEARING)
    assert confirmed.status_code == 200
    assert (confirmed.json()["status"], confirmed.json()["reviewer"]) == ("confirmed", "clearing-01")
    assert client.post(f"{ADMIN}/violations/{first}/confirm", headers=CLEARING).status_code == 409
    assert client.post(f"{ADMIN}/violations/{second}/dismiss", json={}, headers=CLEARING).status_code == 422
    assert (
        client.post(f"{ADMIN}/violations/{second}/dismiss", json={"note": "合规"}, headers=CLEARING).status_code == 200
    )
    recover = f"{ADMIN}/violations/{first}/recoveries"
    assert client.post(recover, json={"amount": "60.00", "note": "第一笔"}, headers=CLEARING).status_code == 201
    over = client.post(recover, json={"amount": "40.01"}, headers=CLEARING)
    assert over.status_code == 409 and over.json()["code"] == "over_recovered" and "40.00" in over.json()["detail"]
    for bad in ("0", "-5", "1.005", "abc"):
        refused = client.post(recover, json={"amount": bad}, headers=CLEARING)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "amount", bad
    assert (
        client.post(f"{ADMIN}/violations/{second}/recoveries", json={"amount": "1"}, headers=CLEARING).status_code
        == 409
    )
    last = client.post(recover, json={"amount": "40"}, headers=CLEARING)
    assert last.status_code == 201 and last.json()["recovered_amt"] == "100.00"
    assert [(s["step"], s["status_after"], s["amount"]) for s in last.json()["reviews"]] == [
        ("confirm", "confirmed", None),
        ("recover", "confirmed", "60.00"),
        ("recover", "confirmed", "40.00"),
    ]
    assert client.get(f"{ADMIN}/violations/{third}", headers=AUDIT).json()["reviews"] == []

    outcomes = [(action.rsplit("/", 1)[-1], outcome) for _, action, outcome in trail(client)]
    assert outcomes == [
        ("confirm", "done"),
        ("confirm", "refused 409 not_open"),
        ("dismiss", "refused RequestValidationError"),
        ("dismiss", "done"),
        ("recoveries", "done"),
        ("recoveries", "refused 409 over_recovered"),
        *[("recoveries", "refused RequestValidationError")] * 4,
        ("recoveries", "refused 409 not_confirmed"),
        ("recoveries", "done"),
    ]
    events = published(client)
    assert [(t, k) for t, k, _ in events] == [
        ("ViolationFound", first),
        ("ViolationFound", second),
        ("ViolationFound", third),
        ("ViolationConfirmed", first),
        ("ViolationDismissed", second),
        ("ViolationRecovered", first),
        ("ViolationRecovered", first),
    ]
    assert [p["recovery"]["amount"] for t, _, p in events if t == "ViolationRecovered"] == ["60.00", "40.00"]
    assert [p["violation"]["version"] for _, k, p in events if k == first] == [1, 2, 3, 4]

    figures = client.get(f"{ADMIN}/figures", params={"month": MONTH}, headers=AUDIT).json()
    hospital, clinic = figures["institutions"]
    assert (hospital["fixmedins_code"], clinic["fixmedins_code"]) == (HOSPITAL, CLINIC)
    assert (hospital["violations"], hospital["vola_amt"], hospital["recovered_amt"]) == (2, "150.00", "100.00")
    assert (hospital["confirmed"], hospital["dismissed"], hospital["open"]) == (
        {"violations": 1, "vola_amt": "100.00"},
        {"violations": 1, "vola_amt": "50.00"},
        {"violations": 0, "vola_amt": "0.00"},
    )
    assert (clinic["open"], clinic["outstanding_amt"]) == ({"violations": 1, "vola_amt": "30.00"}, "0.00")
    total = figures["total"]
    for name in ("violations", "vola_amt", "recovered_amt", "outstanding_amt"):
        assert D(str(total[name])) == sum(D(str(i[name])) for i in figures["institutions"])
    for f in (*figures["institutions"], total):
        statuses = ("open", "confirmed", "dismissed", "withdrawn")
        assert f["violations"] == sum(f[s]["violations"] for s in statuses)
        assert D(f["vola_amt"]) == sum(D(f[s]["vola_amt"]) for s in statuses)
    assert (total["violations"], total["vola_amt"]) == (3, "180.00")
    one = client.get(f"{ADMIN}/figures", params={"month": MONTH, "fixmedins_code": CLINIC}, headers=AUDIT).json()
    assert [i["fixmedins_code"] for i in one["institutions"]] == [CLINIC] and one["total"]["vola_amt"] == "30.00"
    assert client.get(f"{ADMIN}/figures", params={"month": "2026-13"}, headers=AUDIT).status_code == 422


def test_violations_are_listed_by_institution_rule_month_and_status_in_pages(client):
    ids = seed(
        client,
        (HOSPITAL, "R-DUP-01", "1.00"),
        (HOSPITAL, "R-AGE-01", "2.00"),
        (CLINIC, "R-DUP-01", "3.00"),
        (HOSPITAL, "R-DUP-01", "4.00"),
    )
    client.post(f"{ADMIN}/violations/{ids[0]}/confirm", headers=CLEARING)

    def listed(**params: Any) -> list[str]:
        answer = client.get(f"{ADMIN}/violations", params=params, headers=AUDIT)
        assert answer.status_code == 200, answer.json()
        return [v["jr_id"] for v in answer.json()["violations"]]

    assert listed() == ids[::-1]
    assert listed(fixmedins_code=HOSPITAL, rule_id="R-DUP-01", month=MONTH) == [ids[3], ids[0]]
    assert listed(status="confirmed") == [ids[0]]
    assert listed(month="2026-10") == []
    page = client.get(f"{ADMIN}/violations", params={"page_num": 2, "page_size": 3}, headers=AUDIT).json()
    assert (page["total"], page["pages"], [v["jr_id"] for v in page["violations"]]) == (4, 2, [ids[0]])
    assert page["violations"][0]["vola_amt"] == "1.00" and page["violations"][0]["line_keys"] == ["2"]
    for bad in ({"page_size": 101}, {"month": "202611"}, {"status": "pending"}, {"page_num": 0}):
        assert client.get(f"{ADMIN}/violations", params=bad, headers=AUDIT).status_code == 422, bad
    unknown = client.get(f"{ADMIN}/violations/JR540100000000000000000000000000", headers=AUDIT)
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"


def test_institutions_read_and_answer_their_own_violations_and_a_stranger_finds_none(client):
    mine, theirs = seed(client, (HOSPITAL, "R-DUP-01", "12.00"), (CLINIC, "R-AGE-01", "5.00"))
    own = client.get(f"{OWN}/violations", headers=signed(HOSPITAL))
    assert own.status_code == 200
    assert [v["jr_id"] for v in own.json()["violations"]] == [mine]
    assert "reviewer" not in own.json()["violations"][0]

    for path in (f"{OWN}/violations/{theirs}", f"{OWN}/violations/JRNOTHING"):
        assert client.get(path, headers=signed(HOSPITAL)).status_code == 404
    stranger = client.post(f"{OWN}/violations/{theirs}/evidence", json={"text": "看看"}, headers=signed(HOSPITAL))
    assert stranger.status_code == 404 and stranger.headers["content-type"] == "application/problem+json"
    with client.app.state.runtime.factory() as session:
        assert session.execute(select(func.count()).select_from(violation_evidence)).scalar_one() == 0

    answered = client.post(
        f"{OWN}/violations/{mine}/evidence", json={"text": "附医嘱单与检查报告"}, headers=signed(HOSPITAL)
    )
    assert answered.status_code == 201
    assert (answered.json()["submitted_by"], answered.json()["text"]) == (HOSPITAL, "附医嘱单与检查报告")
    detail = client.get(f"{OWN}/violations/{mine}", headers=signed(HOSPITAL)).json()
    assert [e["text"] for e in detail["institution_evidence"]] == ["附医嘱单与检查报告"]
    operator_view = client.get(f"{ADMIN}/violations/{mine}", headers=AUDIT).json()
    assert operator_view["institution_evidence"] == detail["institution_evidence"]
    assert published(client)[-1][:2] == ("ViolationEvidenceSubmitted", mine)
    assert (
        client.post(f"{OWN}/violations/{mine}/evidence", json={"text": ""}, headers=signed(HOSPITAL)).status_code == 422
    )

    assert client.get(f"{OWN}/violations").status_code == 401
    forged = signed(HOSPITAL) | {"x-tif-signature": "0" * 64}
    assert client.get(f"{OWN}/violations", headers=forged).status_code == 401
    again = signed(HOSPITAL)
    assert client.get(f"{OWN}/violations", headers=again).status_code == 200
    replayed = client.get(f"{OWN}/violations", headers=again)
    assert replayed.status_code == 401 and "nonce" in replayed.json()["detail"]
    unknown = gateway_headers("H99999999999", "demo-H99999999999")
    assert client.get(f"{OWN}/violations", headers=unknown).status_code == 401
    centre = gateway_headers("mobile-pay-centre", "whatever")
    assert client.get(f"{OWN}/violations", headers=centre).status_code == 403
    assert client.get(f"{OWN}/violations", headers=signed(CLINIC)).json()["total"] == 1


def test_rule_sets_are_published_by_the_policy_role_and_a_broken_one_is_refused_naming_rule_and_field(client):
    from settlement.demo import load_demo

    demo = client.get(f"{ADMIN}/rule-sets", headers=CLEARING).json()
    assert [r["version"] for r in demo] == ["SUP-DEMO-2026"]  # the demo's, published once
    load_demo(client.app.state.runtime)
    assert client.get(f"{ADMIN}/rule-sets", headers=AUDIT).json() == demo
    body = client.get(f"{ADMIN}/rule-sets/SUP-DEMO-2026", headers=AUDIT).json()
    assert body["rule_count"] == len(body["rules"]) >= 8
    rules = [
        {k: r[k] for k in ("rule_id", "category", "name", "message", "severity", "action", "params")}
        for r in body["rules"]
    ]
    new = {"version": "SUP-2026-12", "valid_from": "2026-12-01", "rules": rules[:3]}

    for stranger in (CLEARING, AUDIT):
        assert client.post(f"{ADMIN}/rule-sets", json=new, headers=stranger).status_code == 403
    broken = new | {"version": "SUP-BROKEN", "rules": [rules[0], rules[1] | {"action": "delete"}]}
    refused = client.post(f"{ADMIN}/rule-sets", json=broken, headers=POLICY)
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
    assert (refused.json()["rule_id"], refused.json()["field"]) == (rules[1]["rule_id"], "action")
    assert rules[1]["rule_id"] in refused.json()["detail"] and "action" in refused.json()["detail"]
    extra = client.post(f"{ADMIN}/rule-sets", json=new | {"version": "SUP-EXTRA", "owner": "x"}, headers=POLICY)
    assert extra.status_code == 422 and "owner" in extra.json()["detail"]
    published_now = client.post(f"{ADMIN}/rule-sets", json=new, headers=POLICY)
    assert published_now.status_code == 201
    assert (published_now.json()["operator"], published_now.json()["rule_count"]) == ("policy-01", 3)
    duplicate = client.post(f"{ADMIN}/rule-sets", json=new, headers=POLICY)
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "version_exists"
    assert [r["version"] for r in client.get(f"{ADMIN}/rule-sets", headers=CLEARING).json()] == [
        "SUP-DEMO-2026",
        "SUP-2026-12",
    ]
    read = client.get(f"{ADMIN}/rule-sets/SUP-2026-12", headers=CLEARING).json()
    assert ([r["rule_id"] for r in read["rules"]], read["valid_from"]) == (
        [r["rule_id"] for r in rules[:3]],
        "2026-12-01",
    )
    assert client.get(f"{ADMIN}/rule-sets/SUP-NONE", headers=CLEARING).status_code == 404
    assert [o for _, a, o in trail(client) if a.endswith("/rule-sets")] == [
        "denied",
        "denied",
        "refused 422 invalid_rule_set",
        "refused 422 invalid_rule_set",
        "done",
        "refused 409 version_exists",
    ]
