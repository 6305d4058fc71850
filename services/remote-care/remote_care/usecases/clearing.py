"""Inter-region clearing: the month's statements issued by the bureau, confirmed or disputed
by the paying side, reissued after a dispute; their lines, audit trail and the items behind
them. Each step stages its statement event and writes its audit record."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from medshared.events import Event, utcnow
from medshared.national import INF_TIME_FORMAT
from remote_care.domain import clearing as rules
from remote_care.domain.errors import Conflict, NotFound
from remote_care.messaging.contracts import CLEARING_TOPIC, PRODUCER, statement_snapshot

from .common import PAGE_SIZE, Actor, today
from .ports import Raced, Store, Stores

_EVENTS = {"confirm": "StatementConfirmed", "dispute": "StatementDisputed", "reissue": "StatementReissued"}
_AMOUNTS = ("setl_cnt", "medfee_fen", "fund_fen", "acct_fen")


def _sum_values(by_clr_type: dict[str, dict[str, int]]) -> dict[str, int]:
    return {key: sum(amounts[key] for amounts in by_clr_type.values()) for key in _AMOUNTS}


def _national_time(moment: dt.datetime) -> str:
    return moment.strftime(INF_TIME_FORMAT)


def _publish(
    store: Store, event_type: str, statement_id: str, action: str, actor: Actor, reason: str | None
) -> dict[str, Any]:
    row = store.statement(statement_id)
    if row is None:
        raise NotFound(f"no statement {statement_id}")
    snapshot = statement_snapshot(row)
    store.stage(CLEARING_TOPIC, Event(event_type, statement_id, {"statement": snapshot}, PRODUCER))
    store.add_audit(
        {
            "statement_id": row.statement_id,
            "action": action,
            "status": row.status,
            "actor": f"{actor.channel.value}:{actor.name}",
            "reason": reason,
            "at": utcnow(),
            "version": row.version,
        }
    )
    return snapshot


def _find(store: Store, statement_id: str, actor: Actor, *, lock: bool = False) -> Any:
    row = store.statement(statement_id, lock=lock)
    if row is None:
        raise NotFound(f"no statement {statement_id}")
    if actor.province is not None:
        rules.ensure_party(actor.province, row.insured_admdvs, row.treating_admdvs, statement_id)
    return row


def run_clearing(stores: Stores, period: str, actor: Actor, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Issue the month's statements for every pair that has none yet; running it again issues nothing new."""
    rules.ensure_closed(period, on or today())
    try:
        with stores.writing() as store:
            _issue_statements(store, period, actor)
    except Raced:
        raise Conflict(
            f"another clearing run for {period} committed first; run it again to see its statements", code="run_raced"
        ) from None
    return list_statements(stores, actor, period=period)


def _issue_statements(store: Store, period: str, actor: Actor) -> None:
    existing = store.statement_ids(period)
    store.build_lines(period, skip=existing)
    new_ids = sorted(store.line_statement_ids(period) - existing)
    now = utcnow()
    for statement_id, by_clr_type in store.totals(new_ids).items():
        insured, treating = statement_id.split("-")[2:4]
        store.add_statement(
            {
                "statement_id": statement_id,
                "period": period,
                "insured_admdvs": insured,
                "treating_admdvs": treating,
                "status": "issued",
                "revision": 1,
                **_sum_values(by_clr_type),
                "by_clr_type": json.dumps(by_clr_type),
                "dispute_reason": None,
                "issued_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        _publish(store, "StatementIssued", statement_id, "issue", actor, None)


def decide_statement(
    stores: Stores,
    actor: Actor,
    statement_id: str,
    action: str,
    reason: str | None = None,
    *,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Confirm or dispute (the paying side), or reissue a disputed statement (the bureau)."""
    if action == "dispute":
        reason = rules.require_reason(reason)
    with stores.writing() as store:
        row = store.statement(statement_id, lock=True)
        if row is None:
            raise _not_issued(store, actor, statement_id, on or today())
        if actor.province is not None:
            rules.ensure_party(actor.province, row.insured_admdvs, row.treating_admdvs, statement_id)
        return decide(store, actor, row, action, reason)


def _not_issued(store: Store, actor: Actor, statement_id: str, on: dt.date) -> Exception:
    """A statement id that is not issued: a preview (409 naming when it will be), else 404."""
    parsed = rules.parse_statement_id(statement_id)
    if parsed is not None:
        period, insured, treating = parsed
        if actor.province is not None:
            rules.ensure_party(actor.province, insured, treating, statement_id)
        has_lines = store.preview_lines(period, insured, treating, offset=0, limit=0)[0] > 0
        if rules.is_open(period, on) or has_lines:
            return rules.not_confirmable(statement_id, period, on)
    return NotFound(f"no statement {statement_id}")


def decide(store: Store, actor: Actor, row: Any, action: str, reason: str | None) -> dict[str, Any]:
    """One step on a locked statement row, inside the caller's unit of work."""
    statement_id = row.statement_id
    rules.ensure_may_decide(action, actor.province, row.insured_admdvs, statement_id)
    status = rules.next_status(action, row.status, statement_id)
    values: dict[str, Any] = {"status": status, "updated_at": utcnow(), "version": row.version + 1}
    if action == "dispute":
        values["dispute_reason"] = reason
    if action == "reissue":
        store.delete_lines(statement_id)
        store.build_lines(row.period, only=statement_id)
        by_clr_type = store.totals([statement_id])[statement_id]
        # A reissue answers the dispute: it starts without a reason; the audit trail keeps the old one.
        values.update(
            _sum_values(by_clr_type),
            by_clr_type=json.dumps(by_clr_type),
            revision=row.revision + 1,
            dispute_reason=None,
        )
    store.update_statement(statement_id, **values)
    return _publish(store, _EVENTS[action], statement_id, action, actor, reason)


def list_statements(stores: Stores, actor: Actor, *, period: str | None = None) -> list[dict[str, Any]]:
    if period is not None:
        rules.parse_period(period)
    prefix = actor.province[:2] if actor.province is not None else None
    with stores.reading() as store:
        return [statement_snapshot(r) for r in store.statements(period=period, province_prefix=prefix)]


def get_statement(stores: Stores, actor: Actor, statement_id: str) -> dict[str, Any]:
    with stores.reading() as store:
        return statement_snapshot(_find(store, statement_id, actor))


def statement_lines(stores: Stores, actor: Actor, statement_id: str, *, startrow: int = 1) -> dict[str, Any]:
    with stores.reading() as store:
        _find(store, statement_id, actor)
        total = store.count_lines(statement_id)
        rows = store.lines(statement_id, offset=max(startrow, 1) - 1, limit=PAGE_SIZE)
        return {
            "statement_id": statement_id,
            "totalrow": total,
            "startrow": startrow,
            "lines": [line_out(r) for r in rows],
        }


def line_out(row: Any) -> dict[str, Any]:
    return {
        "setl_id": row.setl_id,
        "clr_type": row.clr_type,
        "psn_no": row.psn_no,
        "mdtrt_id": row.mdtrt_id,
        "fixmedins_code": row.fixmedins_code,
        "setl_time": _national_time(row.setl_time),
        "setl_cnt": row.setl_cnt,
        "reversed": row.reversal_cnt > 0,
        "medfee_sumamt": rules.yuan(row.medfee_fen),
        "fund_pay_sumamt": rules.yuan(row.fund_fen),
        "acct_pay": rules.yuan(row.acct_fen),
        "owed_amt": rules.yuan(row.fund_fen + row.acct_fen),
    }


def statement_audit_trail(stores: Stores, actor: Actor, statement_id: str) -> list[dict[str, Any]]:
    with stores.reading() as store:
        _find(store, statement_id, actor)
        return [
            {
                "action": r.action,
                "status": r.status,
                "actor": r.actor,
                "reason": r.reason,
                "at": r.at.isoformat(),
                "version": r.version,
            }
            for r in store.audit_trail(statement_id)
        ]


def clearing_items(stores: Stores, *, period: str, psn_no: str | None) -> list[dict[str, Any]]:
    """What the treating side advanced in a month, item by item (reversals as negative items)."""
    rules.parse_period(period)
    with stores.reading() as store:
        rows = store.clearing_items(period, psn_no or None)
    return [
        {
            "setl_id": r.setl_id,
            "line_setl_id": r.line_setl_id,
            "psn_no": r.psn_no,
            "insuplc_admdvs": r.insuplc_admdvs,
            "mdtrtarea_admvs": r.mdtrtarea_admvs,
            "pay_loc": r.pay_loc,
            "clr_type": r.clr_type,
            "fixmedins_code": r.fixmedins_code,
            "setl_time": _national_time(r.setl_time),
            "setl_cnt": r.setl_cnt,
            "medfee_sumamt": rules.yuan(r.medfee_fen),
            "advanced_amt": rules.yuan(r.fund_fen + r.acct_fen),
        }
        for r in rows
    ]


def treating_side_lines(
    stores: Stores, *, trt_year: int, trt_month: int, startrow: int, mdtrtarea: str | None
) -> dict[str, Any]:
    """3260-style extraction: the month's cleared lines of incoming patients, 100 per page."""
    period = f"{trt_year:04d}-{trt_month:02d}"
    rules.parse_period(period)
    first = max(startrow, 1)
    with stores.reading() as store:
        total, rows = store.treating_side_lines(period, mdtrtarea or None, offset=first - 1, limit=PAGE_SIZE)
    data = [
        {
            "seqno": first + index,
            "mdtrtarea": r.treating_admdvs,
            "medins_no": r.fixmedins_code,
            "certno": r.certno,
            "mdtrt_id": r.mdtrt_id,
            "mdtrt_setl_time": _national_time(r.setl_time),
            "setl_sn": r.setl_id,
            "fulamt_advpay_flag": "0",
            "medfee_sumamt": rules.yuan(r.medfee_fen),
            "optins_pay_sumamt": rules.yuan(r.fund_fen + r.acct_fen),
        }
        for index, r in enumerate(rows)
    ]
    return {"trt_year": trt_year, "trt_month": trt_month, "startrow": startrow, "totalrow": total, "data": data}
