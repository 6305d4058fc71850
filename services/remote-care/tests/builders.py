"""Builders for events and settings the tests share."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from decimal import Decimal
from typing import Any

from medshared.events import Event
from medshared.inbox import InboxConsumer
from medshared.runtime import Runtime
from remote_care.api.auth import partner_headers
from remote_care.config import Settings
from remote_care.db import inbox
from remote_care.messaging import consumer

OPERATOR = {"x-operator-token": "test-desk-7"}
REVIEWER = {"x-operator-token": "test-review"}
CLEARER = {"x-operator-token": "test-clearing"}
AUDITOR = {"x-operator-token": "test-audit"}
OPS = {"x-operator-token": "test-ops"}
OPERATOR_TOKENS = {
    "test-desk-7": {"operator": "desk-7", "roles": ["filing_review", "clearing"]},
    "test-review": {"operator": "review-1", "roles": ["filing_review"]},
    "test-clearing": {"operator": "clearing-1", "roles": ["clearing"]},
    "test-audit": {"operator": "audit-1", "roles": ["audit"]},
    "test-ops": {"operator": "ops-1", "roles": ["operations"]},
}
INTERNAL = {"x-internal-token": "dev-internal-token"}

ZHOU_MIN = "43060000000000000001"  # resident, 430600
WU_GANG = "43060000000000000002"  # retired employee, 430600
ZHAXI = "54010000000000000001"  # resident, 540100


def settings_for(url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "kafka_bootstrap_servers": "",
        "environment": "test",
        "log_json": False,
        "operator_tokens": OPERATOR_TOKENS,
        **overrides,
    }
    return Settings(database_url=url, **values)


def feed(rt: Runtime, *events: Event, topic: str = "enrollment.people.v1") -> int:
    """Deliver events the way the runtime's consumer does (inbox + handler, one transaction each)."""
    applier = InboxConsumer(rt.factory, inbox, "", [topic], "test", consumer.handle)
    return sum(applier.apply(topic, e.to_json().encode()) for e in events)


def person_enrolled(
    psn_no: str,
    *,
    pool: str = "430600",
    insutype: str = "390",
    psn_type: str = "1501",
    status: str = "active",
    version: int = 1,
    periods: list[dict[str, Any]] | None = None,
    death_date: str | None = None,
) -> Event:
    person = {
        "psn_no": psn_no,
        "psn_cert_type": "01",
        "certno": f"4306021970{psn_no[-8:]}",
        "psn_name": "演示",
        "death_date": death_date,
        "version": version,
    }
    enrollment = {
        "enrollment_id": f"E-{psn_no}-{insutype}",
        "psn_no": psn_no,
        "insutype": insutype,
        "insuplc_admdvs": pool,
        "psn_type": psn_type,
        "begndate": "2026-01-01",
        "enddate": None,
        "status": status,
        "periods": periods
        if periods is not None
        else [{"status": status, "begndate": "2026-01-01", "enddate": None, "reason": "enrolled"}],
        "version": version,
    }
    return Event("PersonEnrolled", psn_no, {"person": person, "enrollment": enrollment}, "enrollment")


_setl_ids = itertools.count(1)


def settled(
    *,
    insured: str = "430600",
    treating: str = "110100",
    pay_loc: str = "4",
    clr_type: str = "21",
    when: str = "2026-01-15T10:00:00",
    medfee: str = "1000.00",
    fund: str = "600.00",
    acct: str = "100.00",
    psn_no: str = WU_GANG,
    mdtrt_id: str | None = None,
) -> Event:
    setl_id = f"S{next(_setl_ids):010d}"
    return Event(
        "VisitSettled",
        psn_no,
        {
            "settlement": {
                "setl_id": setl_id,
                "mdtrt_id": mdtrt_id or f"M{setl_id}",
                "psn_no": psn_no,
                "psn_name": "演示",
                "certno": "430602195809091014",
                "fixmedins_code": f"H{treating}00001",
                "insutype": "310",
                "med_type": "21",
                "insuplc_admdvs": insured,
                "mdtrtarea_admvs": treating,
                "pay_loc": pay_loc,
                "clr_type": clr_type,
                "clr_optins": treating,
                "setl_time": when,
                "medfee_sumamt": medfee,
                "fund_pay_sumamt": fund,
                "acct_pay": acct,
                "reversed": False,
            }
        },
        "settlement",
    )


def reversal_of(original: Event, *, when: str | None = None) -> Event:
    s = dict(original.payload["settlement"])
    for name in ("medfee_sumamt", "fund_pay_sumamt", "acct_pay"):
        s[name] = str(-Decimal(s[name]))
    s["setl_id"] = f"R{next(_setl_ids):010d}"
    s["setl_time"] = when or s["setl_time"]
    s["reversed"] = True
    return Event(
        "SettlementReversed",
        original.key,
        {"settlement": s, "original_setl_id": original.payload["settlement"]["setl_id"]},
        "settlement",
    )


TODAY = dt.date(2026, 3, 10)


# Partner provinces' development keys (config._development_partners).
HUNAN = ("partner-430000", "dev-partner-secret-430000")
BEIJING = ("partner-110000", "dev-partner-secret-110000")
TIBET = ("partner-540000", "dev-partner-secret-540000")
ANHUI = ("partner-340000", "dev-partner-secret-340000")


def partner_call(
    client: Any, who: tuple[str, str], method: str, path: str, body: Any = None, **header_overrides: str
) -> Any:
    """A signed partner request, as a province's system sends it."""
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {**partner_headers(*who, method, path, raw), "content-type": "application/json", **header_overrides}
    return client.request(method, path, content=raw, headers=headers)
