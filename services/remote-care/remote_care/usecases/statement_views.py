"""What partners settle on, and what they can read before a month closes.

Province statements: the month's city-pair statements between two provinces gathered as the
lines of one statement per pair of provinces (the rules net per month and per pair of
provinces), summed in fen; confirming one confirms each of its open lines in one unit of
work. Previews: the statements a run would issue for a month, computed from the lines now on
record, with no statement id: nothing about them can be confirmed or disputed.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from medshared.events import utcnow
from remote_care.domain import clearing as rules
from remote_care.domain.errors import Conflict, NotFound
from remote_care.messaging.contracts import amounts

from .clearing import decide, line_out
from .common import PAGE_SIZE, Actor, today
from .ports import Store, Stores


def _prefix(actor: Actor) -> str | None:
    return actor.province[:2] if actor.province is not None else None


def _money(fen: dict[str, int]) -> dict[str, Any]:
    return amounts(fen["setl_cnt"], fen["medfee_fen"], fen["fund_fen"], fen["acct_fen"])


def _by_clr_type(by_clr_type: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {clr_type: _money(v) for clr_type, v in sorted(by_clr_type.items())}


def _totals(by_clr_type: dict[str, dict[str, int]]) -> dict[str, Any]:
    fen = rules.add_amounts(*by_clr_type.values())
    return {
        **_money(fen),
        "by_fund": {"fund_pay_sumamt": rules.yuan(fen["fund_fen"]), "acct_pay": rules.yuan(fen["acct_fen"])},
        "by_clr_type": _by_clr_type(by_clr_type),
    }


def _preview_note(period: str, on: dt.date) -> str:
    if rules.is_open(period, on):
        return (
            f"preview: month {period} is still open; the figures change as settlements arrive and the bureau "
            "issues the statement once the month has ended"
        )
    return f"preview: the bureau has not issued the statements of {period} yet"


# ------------------------------------------------------------------ previews


def _pending(store: Store, period: str, actor: Actor) -> dict[str, dict[str, dict[str, int]]]:
    """Per pair of the month with no statement yet: what its statement would hold now, in fen."""
    return store.preview_totals(period, skip=store.statement_ids(period), province_prefix=_prefix(actor))


def _pair(statement_id: str) -> tuple[str, str]:
    parsed = rules.parse_statement_id(statement_id)
    if parsed is None:  # ids are built by the store from 6-digit admdvs
        raise ValueError(f"not a statement id: {statement_id}")
    return parsed[1], parsed[2]


def previews(stores: Stores, actor: Actor, *, period: str | None = None, on: dt.date | None = None) -> list[Any]:
    """City-pair statements of a month as a run would issue them now, for pairs not yet issued."""
    on = on or today()
    period = period or rules.current_period(on)
    rules.parse_period(period)
    with stores.reading() as store:
        pending = _pending(store, period, actor)
    as_of, note = utcnow().isoformat(), _preview_note(period, on)
    out = []
    for statement_id, by_clr_type in sorted(pending.items()):
        insured, treating = _pair(statement_id)
        out.append(
            {
                "preview": True,
                "status": "preview",
                "issued_as": statement_id,
                "period": period,
                "insured_admdvs": insured,
                "treating_admdvs": treating,
                "scope": rules.scope(insured, treating),
                **_totals(by_clr_type),
                "as_of": as_of,
                "note": note,
            }
        )
    return out


def preview_lines(
    stores: Stores,
    actor: Actor,
    *,
    period: str,
    insured_admdvs: str,
    treating_admdvs: str,
    startrow: int = 1,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """The lines a run would issue for one pair now, 100 per page from startrow."""
    rules.parse_period(period)
    statement_id = rules.statement_id(period, insured_admdvs, treating_admdvs)
    if actor.province is not None:
        rules.ensure_party(actor.province, insured_admdvs, treating_admdvs, statement_id)
    with stores.reading() as store:
        if store.statement(statement_id) is not None:
            raise Conflict(
                f"statement {statement_id} is issued; read its lines at /partner/v1/statements/{statement_id}/lines",
                code="already_issued",
            )
        total, rows = store.preview_lines(
            period, insured_admdvs, treating_admdvs, offset=max(startrow, 1) - 1, limit=PAGE_SIZE
        )
    return {
        "preview": True,
        "issued_as": statement_id,
        "period": period,
        "totalrow": total,
        "startrow": startrow,
        "lines": [line_out(r) for r in rows],
        "note": _preview_note(period, on or today()),
    }


def province_previews(
    stores: Stores, actor: Actor, *, period: str | None = None, on: dt.date | None = None
) -> list[Any]:
    """Province-pair statements of a month as a run would issue them now, the city-pair previews as lines."""
    on = on or today()
    period = period or rules.current_period(on)
    rules.parse_period(period)
    with stores.reading() as store:
        pending = _pending(store, period, actor)
    groups: dict[tuple[str, str], list[str]] = {}
    for statement_id in sorted(pending):
        groups.setdefault(rules.province_pair(*_pair(statement_id)), []).append(statement_id)
    as_of, note = utcnow().isoformat(), _preview_note(period, on)
    out = []
    for (insured, treating), ids in sorted(groups.items()):
        lines = []
        for statement_id in ids:
            insured_admdvs, treating_admdvs = _pair(statement_id)
            fen = rules.add_amounts(*pending[statement_id].values())
            lines.append(
                {
                    "issued_as": statement_id,
                    "insured_admdvs": insured_admdvs,
                    "treating_admdvs": treating_admdvs,
                    "status": "preview",
                    **_money(fen),
                }
            )
        out.append(
            {
                "preview": True,
                "status": "preview",
                "issued_as": rules.province_statement_id(period, insured, treating),
                "period": period,
                "insured_province": insured,
                "treating_province": treating,
                "paying_province": insured,
                "scope": rules.scope(insured, treating),
                **_totals(rules.sum_by_clr_type([pending[i] for i in ids])),
                "lines": lines,
                "as_of": as_of,
                "note": note,
            }
        )
    return out


# ------------------------------------------------------------------ province statements


def _province_view(period: str, insured: str, treating: str, rows: list[Any]) -> dict[str, Any]:
    by_clr_type = rules.sum_by_clr_type([json.loads(r.by_clr_type) for r in rows])
    return {
        "province_statement_id": rules.province_statement_id(period, insured, treating),
        "preview": False,
        "period": period,
        "insured_province": insured,
        "treating_province": treating,
        "paying_province": insured,
        "scope": rules.scope(insured, treating),
        "status": rules.province_status([r.status for r in rows]),
        **_totals(by_clr_type),
        "lines": [
            {
                "statement_id": r.statement_id,
                "insured_admdvs": r.insured_admdvs,
                "treating_admdvs": r.treating_admdvs,
                "status": r.status,
                "revision": r.revision,
                "dispute_reason": r.dispute_reason,
                **amounts(r.setl_cnt, r.medfee_fen, r.fund_fen, r.acct_fen),
            }
            for r in rows
        ],
    }


def _grouped(rows: list[Any]) -> dict[tuple[str, str, str], list[Any]]:
    groups: dict[tuple[str, str, str], list[Any]] = {}
    for r in rows:
        insured, treating = rules.province_pair(r.insured_admdvs, r.treating_admdvs)
        groups.setdefault((r.period, insured, treating), []).append(r)
    return groups


def province_statements(stores: Stores, actor: Actor, *, period: str | None = None) -> list[Any]:
    """Issued province-pair statements the caller is a party to (the bureau: all), optionally of one month."""
    if period is not None:
        rules.parse_period(period)
    with stores.reading() as store:
        rows = store.statements(period=period, province_prefix=_prefix(actor))
    return [_province_view(*key, group) for key, group in sorted(_grouped(rows).items())]


def _province_rows(store: Store, actor: Actor, province_statement_id: str, on: dt.date) -> tuple[str, list[Any]]:
    period, insured, treating = rules.parse_province_statement_id(province_statement_id)
    if actor.province is not None:
        rules.ensure_province_party(actor.province, insured, treating, province_statement_id)
    rows = _grouped(store.statements(period=period, province_prefix=insured[:2])).get((period, insured, treating))
    if not rows:
        pending = store.preview_totals(period, province_prefix=insured[:2])
        if rules.is_open(period, on) or any(rules.province_pair(*_pair(i)) == (insured, treating) for i in pending):
            raise NotFound(
                f"province statement {province_statement_id} is not issued yet; read its preview at "
                f"/partner/v1/province-statements/preview?period={period}",
                code="not_issued",
            )
        raise NotFound(f"no province statement {province_statement_id}: no out-of-area settlement between them")
    return period, rows


def province_statement(
    stores: Stores, actor: Actor, province_statement_id: str, *, on: dt.date | None = None
) -> dict[str, Any]:
    with stores.reading() as store:
        period, rows = _province_rows(store, actor, province_statement_id, on or today())
    return _province_view(period, *rules.province_pair(rows[0].insured_admdvs, rows[0].treating_admdvs), rows)


def confirm_province_statement(
    stores: Stores, actor: Actor, province_statement_id: str, *, on: dt.date | None = None
) -> dict[str, Any]:
    """The paying province confirms every open line at once; none while a line is disputed."""
    on = on or today()
    period = rules.parse_province_statement_id(province_statement_id)[0]
    if rules.is_open(period, on):
        raise rules.not_confirmable(province_statement_id, period, on)
    with stores.writing() as store:
        _, rows = _province_rows(store, actor, province_statement_id, on)
        rules.ensure_may_decide("confirm", actor.province, rows[0].insured_admdvs, province_statement_id)
        disputed = [r.statement_id for r in rows if r.status == "disputed"]
        if disputed:
            raise Conflict(
                f"province statement {province_statement_id} has disputed lines ({', '.join(disputed)}); the bureau "
                "reissues them first, then confirm the province statement",
                code="wrong_status",
            )
        open_rows = [r for r in rows if r.status in ("issued", "reissued")]
        if not open_rows:
            raise Conflict(f"province statement {province_statement_id} is already confirmed", code="wrong_status")
        for row in open_rows:
            locked = store.statement(row.statement_id, lock=True)
            decide(store, actor, locked, "confirm", None)
    return province_statement(stores, actor, province_statement_id, on=on)
