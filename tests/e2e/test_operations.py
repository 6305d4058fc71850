"""Operations on the running system: readiness, metrics, one settlement followed by its trace id
through every service's logs, and masked logs from a real request."""

from __future__ import annotations

import json
import secrets

import httpx
from clients import PEOPLE, His, wait_for


def log_lines(stack, package: str) -> list[dict]:
    text = (stack.var / f"{package}.log").read_text(encoding="utf-8", errors="replace")
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_every_service_is_ready_with_its_database_and_the_broker_and_serves_metrics(stack):
    for name in ("enrollment", "settlement", "remote-care", "e-voucher"):
        ready = httpx.get(stack.urls[name] + "/readyz", timeout=5)
        assert ready.status_code == 200 and ready.json()["broker"] == "ok", (name, ready.text)
        assert "outbox_backlog " in httpx.get(stack.urls[name] + "/metrics", timeout=5).text


def test_one_settlement_is_followed_by_its_trace_id_from_the_hospital_through_every_service_it_reaches(stack):
    trace_id = secrets.token_hex(16)
    person = PEOPLE["扎西"]
    his = His(stack.urls["settlement"], "H54010000001", "540100").sign_in()
    wait_for(lambda: his.knows(person["certno"]))
    his.http.headers["traceparent"] = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    his.stay(person, [("003301000010000", "1", "2000")])

    def applied_in(package: str) -> list[dict]:
        return [
            line
            for line in log_lines(stack, package)
            if line.get("trace_id") == trace_id and line["msg"].startswith("applied")
        ]

    for package in ("remote_care", "evoucher"):
        lines = wait_for(lambda package=package: applied_in(package), timeout=20)
        assert any("settlement.settlements.v1" in line["msg"] for line in lines)
    national = [
        line for line in log_lines(stack, "settlement") if line.get("trace_id") == trace_id and line.get("infno")
    ]
    assert [line["infno"] for line in national] == ["2401", "2301", "2402", "2303", "2304"]
    assert all(line["result"] == "ok" for line in national)
    metrics = httpx.get(stack.urls["settlement"] + "/metrics", timeout=5).text
    assert 'national_calls_total{infno="2304",result="ok"}' in metrics


def test_a_real_lookup_by_id_number_and_name_leaves_both_masked_in_the_logs(stack):
    certno, name = PEOPLE["扎西"]["certno"], "扎西"
    answer = httpx.get(
        stack.urls["enrollment"] + "/admin/v1/people",
        params={"certno": certno, "psn_name": name},
        headers={"x-operator-token": "dev-operator-token", "x-request-id": "lookup-zhaxi"},
        timeout=5,
    )
    assert answer.status_code == 200 and answer.headers["x-request-id"] == "lookup-zhaxi"
    lines = wait_for(
        lambda: [line for line in log_lines(stack, "enrollment") if line.get("request_id") == "lookup-zhaxi"]
    )
    assert lines[0]["query"] == {"certno": "540102********0110", "psn_name": "扎*"}
    text = (stack.var / "enrollment.log").read_text(encoding="utf-8")
    assert certno not in text and f'"{name}"' not in text
