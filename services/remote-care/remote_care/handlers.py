"""Use cases. Each opens one unit of work: the change, its outbox event and its audit record commit together."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from dataclasses import dataclass, replace
from typing import Any

from medshared.events import Event, utcnow
from medshared.outbox import stage
from medshared.runtime import Runtime
from medshared.security import first_use_of_nonce
from sqlalchemy import Row, and_, case, delete, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from remote_care.db import (
    clearing_item,
    enrollment,
    filing,
    outbox,
    partner_nonce,
    person,
    statement,
    statement_audit,
    statement_line,
    voucher,
)
from remote_care.domain import clearing as rules
from remote_care.domain.errors import Conflict, Forbidden, NotFound
from remote_care.domain.filings import (
    Channel,
    EnrollmentView,
    ExistingFiling,
    FilingRequest,
    FilingType,
    Period,
    PersonView,
    accept_filing,
    change_values,
    ensure_province_may_act,
    revocation_end,
)
from remote_care.messaging.contracts import (
    CLEARING_TOPIC,
    FILINGS_TOPIC,
    PRODUCER,
    filing_snapshot,
    parse_date,
    statement_snapshot,
)

PAGE_SIZE = 100


def today() -> dt.date:
    """Business days follow the server's local clock, as in every service (deployments set TZ=Asia/Shanghai)."""
    return dt.date.today()


@dataclass(frozen=True)
class Actor:
    """Who acts, through which channel; `psn_no` binds a person, `province` a partner."""

    channel: Channel
    name: str
    psn_no: str | None = None
    province: str | None = None


# ------------------------------------------------------------------ phone sessions


def why_session_ended(runtime: Runtime, psn_no: str, issued_at: int) -> str | None:
    """Why a phone session issued at `issued_at` (unix seconds) no longer works; None while it does.

    The session belongs to the voucher binding it was opened under. A person whose voucher
    remote-care has not heard of yet (events still on their way) keeps the session: the token
    itself is signed by e-voucher and expires on its own.
    """
    with runtime.factory() as session:
        rows = session.execute(select(voucher.c.status, voucher.c.activated_at).where(voucher.c.psn_no == psn_no)).all()
    if not rows:
        return None
    active = [r.activated_at for r in rows if r.status == "active"]
    if not active:
        states = {r.status for r in rows}
        state = "frozen" if "frozen" in states else "revoked"
        return f"this person's e-voucher is {state}; phone sessions end with it (activate or unfreeze it in the e-voucher app)"
    bound_at = max(_utc(a) for a in active)
    # To the second: e-voucher issues the activation's own token in the same second it binds.
    if issued_at < int(bound_at.timestamp()):
        return "the e-voucher was bound again after this session began (activated anew or reclaimed); log in again"
    return None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# ------------------------------------------------------------------ filings


def load_person(session: Session, psn_no: str, *, lock: bool = False) -> PersonView | None:
    """The person as enrollment last described them; `lock` serialises filings for one person."""
    query = select(person).where(person.c.psn_no == psn_no)
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        return None
    rows = session.execute(select(enrollment).where(enrollment.c.psn_no == psn_no)).all()
    return PersonView(
        psn_no=row.psn_no,
        psn_name=row.psn_name,
        death_date=row.death_date,
        enrollments=tuple(_enrollment_view(e) for e in rows),
    )


def _enrollment_view(e: Row[Any]) -> EnrollmentView:
    periods = tuple(
        Period(status=p["status"], begndate=parse_date(p["begndate"]), enddate=parse_date(p["enddate"]))  # type: ignore[arg-type]
        for p in json.loads(e.periods)
    )
    return EnrollmentView(
        insutype=e.insutype,
        insuplc_admdvs=e.insuplc_admdvs,
        psn_type=e.psn_type,
        begndate=e.begndate,
        enddate=e.enddate,
        status=e.status,
        periods=periods,
    )


def _existing(session: Session, psn_no: str) -> list[ExistingFiling]:
    rows = session.execute(select(filing).where(filing.c.psn_no == psn_no)).all()
    return [_existing_view(r) for r in rows]


def _existing_view(r: Row[Any]) -> ExistingFiling:
    return ExistingFiling(
        filing_id=r.filing_id,
        filing_type=FilingType(r.filing_type),
        target_admdvs=r.target_admdvs,
        begndate=r.begndate,
        enddate=r.enddate,
        status=r.status,
    )


def _stay_settled(session: Session, mdtrt_id: str | None) -> bool:
    if not mdtrt_id:
        return False
    net = session.execute(
        select(func.coalesce(func.sum(clearing_item.c.setl_cnt), 0)).where(clearing_item.c.mdtrt_id == mdtrt_id)
    ).scalar_one()
    return int(net) > 0


def _authorize_person(actor: Actor, psn_no: str, pools: list[str]) -> None:
    if actor.psn_no is not None and actor.psn_no != psn_no:
        raise Forbidden("you can only act on your own filings")
    if actor.province is not None:
        if not pools:
            raise Forbidden(f"person {psn_no} is not insured in a pool of province {actor.province}")
        for pool in pools:
            ensure_province_may_act(actor.province, pool)


def create_filing(
    runtime: Runtime,
    req: FilingRequest,
    actor: Actor,
    *,
    memo: str | None = None,
    mdtrt_id: str | None = None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    on = on or today()
    with runtime.unit_of_work() as session:
        found = load_person(session, req.psn_no, lock=True)
        _authorize_person(actor, req.psn_no, [e.insuplc_admdvs for e in found.active_enrollments(on)] if found else [])
        if mdtrt_id:
            req = replace(req, stay_settled=_stay_settled(session, mdtrt_id))
        accepted = accept_filing(found, _existing(session, req.psn_no), req, on)
        now = utcnow()
        row = {
            "filing_id": str(uuid.uuid4()),
            "psn_no": req.psn_no,
            "insutype": accepted.insutype,
            "insuplc_admdvs": accepted.insuplc_admdvs,
            "filing_type": accepted.filing_type.value,
            "target_admdvs": accepted.target_admdvs,
            "begndate": accepted.begndate,
            "enddate": accepted.enddate,
            "status": "active",
            "channel": actor.channel.value,
            "created_by": actor.name,
            "revoked_by": None,
            "trt_dcla_detl_sn": _detl_sn(accepted.insuplc_admdvs) if actor.channel is Channel.HIS else None,
            "details": json.dumps({**req.details, **({"mdtrt_id": mdtrt_id} if mdtrt_id else {})}, ensure_ascii=False),
            "memo": memo,
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        session.execute(insert(filing).values(**row))
        return _publish_filing(session, "FilingCreated", row["filing_id"])


def _detl_sn(admdvs: str) -> str:
    # admdvs(6) + time(14) + random(8): 28 characters, within the national C30.
    return f"{admdvs}{dt.datetime.now():%Y%m%d%H%M%S}{secrets.randbelow(10**8):08d}"


def _publish_filing(session: Session, event_type: str, filing_id: str) -> dict[str, Any]:
    row = session.execute(select(filing).where(filing.c.filing_id == filing_id)).one()
    snapshot = filing_snapshot(row)
    stage(session, outbox, FILINGS_TOPIC, Event(event_type, row.psn_no, {"filing": snapshot}, PRODUCER))
    return _filing_out(row)


def _filing_out(row: Row[Any]) -> dict[str, Any]:
    return {
        **filing_snapshot(row),
        "created_by": row.created_by,
        "revoked_by": row.revoked_by,
        "memo": row.memo,
        "details": json.loads(row.details),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def revoke_filing(
    runtime: Runtime,
    actor: Actor,
    *,
    filing_id: str | None = None,
    trt_dcla_detl_sn: str | None = None,
    memo: str | None = None,
    on: dt.date | None = None,
    filing_institution: str | None = None,
) -> dict[str, Any]:
    """`filing_institution`: a HIS revokes (2502) only what it filed itself (2501); the bureau anything."""
    on = on or today()
    with runtime.unit_of_work() as session:
        row = _find_filing(session, filing_id=filing_id, trt_dcla_detl_sn=trt_dcla_detl_sn, lock=True)
        if actor.psn_no is not None and actor.psn_no != row.psn_no:
            what = f"trt_dcla_detl_sn {trt_dcla_detl_sn}" if trt_dcla_detl_sn else "this filing"
            raise Forbidden(f"{what} belongs to another person; check psn_no")
        if filing_institution is not None and not (row.channel == Channel.HIS.value and row.created_by == filing_institution):
            raise Forbidden(
                f"trt_dcla_detl_sn {row.trt_dcla_detl_sn or trt_dcla_detl_sn} was filed by another institution; "
                f"fixmedins_code {filing_institution} may revoke only the referrals it filed with 2501 "
                "(ask the filing institution or the insurance bureau)",
                code="not_filing_institution",
            )
        if actor.province is not None:
            ensure_province_may_act(actor.province, row.insuplc_admdvs)
        enddate = revocation_end(_existing_view(row), on)
        session.execute(
            update(filing)
            .where(filing.c.filing_id == row.filing_id)
            .values(
                status="revoked",
                enddate=enddate,
                revoked_by=actor.name,
                memo=memo or row.memo,
                updated_at=utcnow(),
                version=row.version + 1,
            )
        )
        return _publish_filing(session, "FilingRevoked", row.filing_id)


def change_filing(
    runtime: Runtime,
    actor: Actor,
    filing_id: str,
    *,
    target_admdvs: str | None,
    enddate: dt.date | None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """A desk correction: move the target, or end a filing earlier than it would end."""
    on = on or today()
    with runtime.unit_of_work() as session:
        row = _find_filing(session, filing_id=filing_id, lock=True)
        values = change_values(_existing_view(row), row.insuplc_admdvs, target_admdvs, enddate, on)
        session.execute(
            update(filing)
            .where(filing.c.filing_id == filing_id)
            .values(**values, updated_at=utcnow(), version=row.version + 1)
        )
        return _publish_filing(session, "FilingChanged", filing_id)


def _find_filing(
    session: Session, *, filing_id: str | None = None, trt_dcla_detl_sn: str | None = None, lock: bool = False
) -> Row[Any]:
    if trt_dcla_detl_sn is not None:
        query = select(filing).where(filing.c.trt_dcla_detl_sn == trt_dcla_detl_sn)
        missing = f"no referral filing has trt_dcla_detl_sn {trt_dcla_detl_sn}; check the number returned by 2501"
    else:
        query = select(filing).where(filing.c.filing_id == filing_id)
        missing = f"no filing {filing_id}"
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(missing)
    return row


def get_filing(runtime: Runtime, actor: Actor, filing_id: str) -> dict[str, Any]:
    with runtime.factory() as session:
        row = _find_filing(session, filing_id=filing_id)
        _authorize_person(actor, row.psn_no, [row.insuplc_admdvs])
        return _filing_out(row)


def list_filings(
    runtime: Runtime, actor: Actor, *, psn_no: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    query = select(filing).order_by(filing.c.created_at, filing.c.filing_id)
    if actor.psn_no is not None:
        if psn_no is not None and psn_no != actor.psn_no:
            raise Forbidden("you can only see your own filings")
        psn_no = actor.psn_no
    if psn_no is not None:
        query = query.where(filing.c.psn_no == psn_no)
    if status is not None:
        query = query.where(filing.c.status == status)
    if actor.province is not None:
        query = query.where(func.substr(filing.c.insuplc_admdvs, 1, 2) == actor.province[:2])
    with runtime.factory() as session:
        return [_filing_out(r) for r in session.execute(query).all()]


def person_for_partner(runtime: Runtime, actor: Actor, psn_no: str) -> dict[str, Any]:
    with runtime.factory() as session:
        found = load_person(session, psn_no)
        if found is None:
            raise NotFound(f"person {psn_no} is not known")
        _authorize_person(actor, psn_no, [e.insuplc_admdvs for e in found.enrollments])
        rows = session.execute(select(filing).where(filing.c.psn_no == psn_no)).all()
        return {
            "psn_no": found.psn_no,
            "psn_name": found.psn_name,
            "death_date": found.death_date.isoformat() if found.death_date else None,
            "enrollments": [
                {
                    "insutype": e.insutype,
                    "insuplc_admdvs": e.insuplc_admdvs,
                    "psn_type": e.psn_type,
                    "status_today": e.status_on(today()),
                }
                for e in found.enrollments
            ],
            "filings": [_filing_out(r) for r in rows],
        }


# ------------------------------------------------------------------ clearing


def _statement_id_expr(period: str) -> Any:
    return (
        literal(f"CLR-{period.replace('-', '')}-")
        + clearing_item.c.insuplc_admdvs
        + "-"
        + clearing_item.c.mdtrtarea_admvs
    )


def _insert_lines(
    session: Session, period: str, *, only: str | None = None, skip: frozenset[str] | set[str] = frozenset()
) -> None:
    """Group the month's items into one line per original settlement, in SQL."""
    ci = clearing_item
    sid = _statement_id_expr(period).label("statement_id")
    query = (
        select(
            sid,
            ci.c.line_setl_id,
            func.max(ci.c.clr_type),
            func.max(ci.c.psn_no),
            func.max(ci.c.certno),
            func.max(ci.c.mdtrt_id),
            func.max(ci.c.fixmedins_code),
            func.min(ci.c.setl_time),
            func.sum(ci.c.setl_cnt),
            func.sum(case((ci.c.setl_cnt < 0, 1), else_=0)),
            func.sum(ci.c.medfee_fen),
            func.sum(ci.c.fund_fen),
            func.sum(ci.c.acct_fen),
        )
        .where(ci.c.period == period)
        .group_by(ci.c.insuplc_admdvs, ci.c.mdtrtarea_admvs, ci.c.line_setl_id)
    )
    if only is not None:
        insured, treating = only.split("-")[2:4]
        query = query.where(and_(ci.c.insuplc_admdvs == insured, ci.c.mdtrtarea_admvs == treating))
    if skip:
        query = query.where(_statement_id_expr(period).not_in(sorted(skip)))
    columns = [
        "statement_id",
        "setl_id",
        "clr_type",
        "psn_no",
        "certno",
        "mdtrt_id",
        "fixmedins_code",
        "setl_time",
        "setl_cnt",
        "reversal_cnt",
        "medfee_fen",
        "fund_fen",
        "acct_fen",
    ]
    session.execute(insert(statement_line).from_select(columns, query))


def _totals(session: Session, statement_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
    sl = statement_line
    rows = session.execute(
        select(
            sl.c.statement_id,
            sl.c.clr_type,
            func.sum(sl.c.setl_cnt),
            func.sum(sl.c.medfee_fen),
            func.sum(sl.c.fund_fen),
            func.sum(sl.c.acct_fen),
        )
        .where(sl.c.statement_id.in_(statement_ids))
        .group_by(sl.c.statement_id, sl.c.clr_type)
    ).all()
    out: dict[str, dict[str, dict[str, int]]] = {sid: {} for sid in statement_ids}
    for sid, clr_type, cnt, medfee, fund, acct in rows:
        out[sid][clr_type] = {
            "setl_cnt": int(cnt),
            "medfee_fen": int(medfee),
            "fund_fen": int(fund),
            "acct_fen": int(acct),
        }
    return out


def _sum_values(by_clr_type: dict[str, dict[str, int]]) -> dict[str, int]:
    keys = ("setl_cnt", "medfee_fen", "fund_fen", "acct_fen")
    return {k: sum(v[k] for v in by_clr_type.values()) for k in keys}


def _audit(session: Session, row: Row[Any], action: str, actor: Actor, reason: str | None) -> None:
    session.execute(
        insert(statement_audit).values(
            statement_id=row.statement_id,
            action=action,
            status=row.status,
            actor=f"{actor.channel.value}:{actor.name}",
            reason=reason,
            at=utcnow(),
            version=row.version,
        )
    )


def _publish_statement(
    session: Session, event_type: str, statement_id: str, action: str, actor: Actor, reason: str | None
) -> dict[str, Any]:
    row = session.execute(select(statement).where(statement.c.statement_id == statement_id)).one()
    snapshot = statement_snapshot(row)
    stage(session, outbox, CLEARING_TOPIC, Event(event_type, statement_id, {"statement": snapshot}, PRODUCER))
    _audit(session, row, action, actor, reason)
    return snapshot


def run_clearing(runtime: Runtime, period: str, actor: Actor, *, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Issue the month's statements for every pair that has none yet; running it again issues nothing new."""
    rules.ensure_closed(period, on or today())
    try:
        with runtime.unit_of_work() as session:
            _issue_statements(session, period, actor)
    except IntegrityError:
        raise Conflict(
            f"another clearing run for {period} committed first; run it again to see its statements", code="run_raced"
        ) from None
    return list_statements(runtime, actor, period=period)


def _issue_statements(session: Session, period: str, actor: Actor) -> None:
    existing = set(session.execute(select(statement.c.statement_id).where(statement.c.period == period)).scalars())
    _insert_lines(session, period, skip=existing)
    new_ids = sorted(
        set(
            session.execute(
                select(statement_line.c.statement_id)
                .where(statement_line.c.statement_id.like(f"CLR-{period.replace('-', '')}-%"))
                .distinct()
            ).scalars()
        )
        - existing
    )
    now = utcnow()
    for sid, by_clr_type in _totals(session, new_ids).items():
        insured, treating = sid.split("-")[2:4]
        session.execute(
            insert(statement).values(
                statement_id=sid,
                period=period,
                insured_admdvs=insured,
                treating_admdvs=treating,
                status="issued",
                revision=1,
                **_sum_values(by_clr_type),
                by_clr_type=json.dumps(by_clr_type),
                dispute_reason=None,
                issued_at=now,
                updated_at=now,
                version=1,
            )
        )
        _publish_statement(session, "StatementIssued", sid, "issue", actor, None)


def _find_statement(session: Session, statement_id: str, actor: Actor, *, lock: bool = False) -> Row[Any]:
    query = select(statement).where(statement.c.statement_id == statement_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no statement {statement_id}")
    if actor.province is not None:
        rules.ensure_party(actor.province, row.insured_admdvs, row.treating_admdvs, statement_id)
    return row


def list_statements(runtime: Runtime, actor: Actor, *, period: str | None = None) -> list[dict[str, Any]]:
    query = select(statement).order_by(statement.c.period, statement.c.statement_id)
    if period is not None:
        rules.parse_period(period)
        query = query.where(statement.c.period == period)
    if actor.province is not None:
        prefix = actor.province[:2]
        query = query.where(
            (func.substr(statement.c.insured_admdvs, 1, 2) == prefix)
            | (func.substr(statement.c.treating_admdvs, 1, 2) == prefix)
        )
    with runtime.factory() as session:
        return [statement_snapshot(r) for r in session.execute(query).all()]


def get_statement(runtime: Runtime, actor: Actor, statement_id: str) -> dict[str, Any]:
    with runtime.factory() as session:
        return statement_snapshot(_find_statement(session, statement_id, actor))


def statement_lines(runtime: Runtime, actor: Actor, statement_id: str, *, startrow: int = 1) -> dict[str, Any]:
    with runtime.factory() as session:
        _find_statement(session, statement_id, actor)
        where = statement_line.c.statement_id == statement_id
        total = session.execute(select(func.count()).select_from(statement_line).where(where)).scalar_one()
        rows = session.execute(
            select(statement_line)
            .where(where)
            .order_by(statement_line.c.setl_time, statement_line.c.setl_id)
            .offset(max(startrow, 1) - 1)
            .limit(PAGE_SIZE)
        ).all()
        return {
            "statement_id": statement_id,
            "totalrow": total,
            "startrow": startrow,
            "lines": [_line_out(r) for r in rows],
        }


def _line_out(r: Row[Any]) -> dict[str, Any]:
    return {
        "setl_id": r.setl_id,
        "clr_type": r.clr_type,
        "psn_no": r.psn_no,
        "mdtrt_id": r.mdtrt_id,
        "fixmedins_code": r.fixmedins_code,
        "setl_time": r.setl_time.isoformat(sep=" "),
        "setl_cnt": r.setl_cnt,
        "reversed": r.reversal_cnt > 0,
        "medfee_sumamt": rules.yuan(r.medfee_fen),
        "fund_pay_sumamt": rules.yuan(r.fund_fen),
        "acct_pay": rules.yuan(r.acct_fen),
        "owed_amt": rules.yuan(r.fund_fen + r.acct_fen),
    }


def statement_audit_trail(runtime: Runtime, actor: Actor, statement_id: str) -> list[dict[str, Any]]:
    with runtime.factory() as session:
        _find_statement(session, statement_id, actor)
        rows = session.execute(
            select(statement_audit).where(statement_audit.c.statement_id == statement_id).order_by(statement_audit.c.id)
        ).all()
        return [
            {
                "action": r.action,
                "status": r.status,
                "actor": r.actor,
                "reason": r.reason,
                "at": r.at.isoformat(),
                "version": r.version,
            }
            for r in rows
        ]


_EVENTS = {"confirm": "StatementConfirmed", "dispute": "StatementDisputed", "reissue": "StatementReissued"}


def decide_statement(
    runtime: Runtime, actor: Actor, statement_id: str, action: str, reason: str | None = None
) -> dict[str, Any]:
    """Confirm or dispute (the paying side), or reissue a disputed statement (the bureau)."""
    if action == "dispute":
        reason = rules.require_reason(reason)
    with runtime.unit_of_work() as session:
        row = _find_statement(session, statement_id, actor, lock=True)
        rules.ensure_may_decide(action, actor.province, row.insured_admdvs, statement_id)
        status = rules.next_status(action, row.status, statement_id)
        values: dict[str, Any] = {"status": status, "updated_at": utcnow(), "version": row.version + 1}
        if action == "dispute":
            values["dispute_reason"] = reason
        if action == "reissue":
            session.execute(delete(statement_line).where(statement_line.c.statement_id == statement_id))
            _insert_lines(session, row.period, only=statement_id)
            by_clr_type = _totals(session, [statement_id])[statement_id]
            values.update(_sum_values(by_clr_type), by_clr_type=json.dumps(by_clr_type), revision=row.revision + 1)
        session.execute(update(statement).where(statement.c.statement_id == statement_id).values(**values))
        return _publish_statement(session, _EVENTS[action], statement_id, action, actor, reason)


def clearing_items(runtime: Runtime, *, period: str, psn_no: str | None) -> list[dict[str, Any]]:
    """What the treating side advanced in a month, item by item (reversals as negative items)."""
    rules.parse_period(period)
    ci = clearing_item
    where = [ci.c.period == period]
    if psn_no:
        where.append(ci.c.psn_no == psn_no)
    with runtime.factory() as session:
        rows = session.execute(select(ci).where(*where).order_by(ci.c.setl_time, ci.c.setl_id)).all()
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
            "setl_time": r.setl_time.isoformat(sep=" "),
            "setl_cnt": r.setl_cnt,
            "medfee_sumamt": rules.yuan(r.medfee_fen),
            "advanced_amt": rules.yuan(r.fund_fen + r.acct_fen),
        }
        for r in rows
    ]


def treating_side_lines(
    runtime: Runtime, *, trt_year: int, trt_month: int, startrow: int, mdtrtarea: str | None
) -> dict[str, Any]:
    """3260-style extraction: the month's cleared lines of incoming patients, 100 per page."""
    period = f"{trt_year:04d}-{trt_month:02d}"
    rules.parse_period(period)
    sl, st = statement_line, statement
    where = [st.c.period == period]
    if mdtrtarea:
        where.append(st.c.treating_admdvs == mdtrtarea)
    joined = sl.join(st, sl.c.statement_id == st.c.statement_id)
    with runtime.factory() as session:
        total = session.execute(select(func.count()).select_from(joined).where(*where)).scalar_one()
        rows = session.execute(
            select(sl, st.c.treating_admdvs)
            .select_from(joined)
            .where(*where)
            .order_by(sl.c.statement_id, sl.c.setl_time, sl.c.setl_id)
            .offset(max(startrow, 1) - 1)
            .limit(PAGE_SIZE)
        ).all()
    data = [
        {
            "seqno": max(startrow, 1) + i,
            "mdtrtarea": r.treating_admdvs,
            "medins_no": r.fixmedins_code,
            "certno": r.certno,
            "mdtrt_id": r.mdtrt_id,
            "mdtrt_setl_time": r.setl_time.isoformat(sep=" "),
            "setl_sn": r.setl_id,
            "fulamt_advpay_flag": "0",
            "medfee_sumamt": rules.yuan(r.medfee_fen),
            "optins_pay_sumamt": rules.yuan(r.fund_fen + r.acct_fen),
        }
        for i, r in enumerate(rows)
    ]
    return {"trt_year": trt_year, "trt_month": trt_month, "startrow": startrow, "totalrow": total, "data": data}


def record_partner_nonce(runtime: Runtime, key_id: str, nonce: str, window_seconds: int) -> bool:
    """False when the nonce was already used inside the window (a replayed request).

    The common nonce store: two replicas that see one nonce at the same instant meet on the
    primary key (INSERT ... ON CONFLICT DO NOTHING), so one serves and the other refuses.
    """
    with runtime.unit_of_work() as session:
        return first_use_of_nonce(session, partner_nonce, key_id, nonce, window_seconds, caller_column="key_id")
