"""Out-of-area filings: filed from the phone, the bureau desk, a partner province or a HIS
referral (2501), revoked (2502 only by the filing institution), corrected at the desk, and
lapsed when the holder dies or leaves the pool. Each change stages its filing event."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import uuid
from dataclasses import replace
from typing import Any

from medshared.events import Event, utcnow
from remote_care.domain.errors import Forbidden, NotFound
from remote_care.domain.filings import (
    Channel,
    ExistingFiling,
    FilingRequest,
    FilingType,
    accept_filing,
    change_values,
    end_when_cover_lapses,
    ensure_province_may_act,
    revocation_end,
)
from remote_care.messaging.contracts import FILINGS_TOPIC, PRODUCER, filing_snapshot

from .common import Actor, today
from .ports import Store, Stores


def existing_view(row: Any) -> ExistingFiling:
    return ExistingFiling(
        filing_id=row.filing_id,
        filing_type=FilingType(row.filing_type),
        target_admdvs=row.target_admdvs,
        begndate=row.begndate,
        enddate=row.enddate,
        status=row.status,
    )


def filing_out(row: Any) -> dict[str, Any]:
    return {
        **filing_snapshot(row),
        "created_by": row.created_by,
        "revoked_by": row.revoked_by,
        "memo": row.memo,
        "details": json.loads(row.details),
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _authorize_person(actor: Actor, psn_no: str, pools: list[str]) -> None:
    if actor.psn_no is not None and actor.psn_no != psn_no:
        raise Forbidden("you can only act on your own filings")
    if actor.province is not None:
        if not pools:
            raise Forbidden(f"person {psn_no} is not insured in a pool of province {actor.province}")
        for pool in pools:
            ensure_province_may_act(actor.province, pool)


def _detl_sn(admdvs: str) -> str:
    # admdvs(6) + local time(14) + random(8): 28 characters, within the national C30.
    return f"{admdvs}{dt.datetime.now():%Y%m%d%H%M%S}{secrets.randbelow(10**8):08d}"


def _publish(store: Store, event_type: str, filing_id: str) -> dict[str, Any]:
    row = _find(store, filing_id=filing_id)
    store.stage(FILINGS_TOPIC, Event(event_type, row.psn_no, {"filing": filing_snapshot(row)}, PRODUCER))
    return filing_out(row)


def _find(
    store: Store, *, filing_id: str | None = None, trt_dcla_detl_sn: str | None = None, lock: bool = False
) -> Any:
    row = store.filing(filing_id=filing_id, trt_dcla_detl_sn=trt_dcla_detl_sn, lock=lock)
    if row is None:
        if trt_dcla_detl_sn is not None:
            raise NotFound(
                f"no referral filing has trt_dcla_detl_sn {trt_dcla_detl_sn}; check the number returned by 2501"
            )
        raise NotFound(f"no filing {filing_id}")
    return row


def create_filing(
    stores: Stores,
    req: FilingRequest,
    actor: Actor,
    *,
    memo: str | None = None,
    mdtrt_id: str | None = None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    on = on or today()
    with stores.writing() as store:
        found = store.person(req.psn_no, lock=True)
        _authorize_person(actor, req.psn_no, [e.insuplc_admdvs for e in found.active_enrollments(on)] if found else [])
        if mdtrt_id:
            req = replace(req, stay_settled=store.stay_settled(mdtrt_id))
        accepted = accept_filing(found, [existing_view(r) for r in store.filings(psn_no=req.psn_no)], req, on)
        now = utcnow()
        filing_id = str(uuid.uuid4())
        store.add_filing(
            {
                "filing_id": filing_id,
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
                "details": json.dumps(
                    {**req.details, **({"mdtrt_id": mdtrt_id} if mdtrt_id else {})}, ensure_ascii=False
                ),
                "memo": memo,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
        return _publish(store, "FilingCreated", filing_id)


def revoke_filing(
    stores: Stores,
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
    with stores.writing() as store:
        row = _find(store, filing_id=filing_id, trt_dcla_detl_sn=trt_dcla_detl_sn, lock=True)
        if actor.psn_no is not None and actor.psn_no != row.psn_no:
            what = f"trt_dcla_detl_sn {trt_dcla_detl_sn}" if trt_dcla_detl_sn else "this filing"
            raise Forbidden(f"{what} belongs to another person; check psn_no")
        if filing_institution is not None and not (
            row.channel == Channel.HIS.value and row.created_by == filing_institution
        ):
            raise Forbidden(
                f"trt_dcla_detl_sn {row.trt_dcla_detl_sn or trt_dcla_detl_sn} was filed by another institution; "
                f"fixmedins_code {filing_institution} may revoke only the referrals it filed with 2501 "
                "(ask the filing institution or the insurance bureau)",
                code="not_filing_institution",
            )
        if actor.province is not None:
            ensure_province_may_act(actor.province, row.insuplc_admdvs)
        store.update_filing(
            row.filing_id,
            status="revoked",
            enddate=revocation_end(existing_view(row), on),
            revoked_by=actor.name,
            memo=memo or row.memo,
            updated_at=utcnow(),
            version=row.version + 1,
        )
        return _publish(store, "FilingRevoked", row.filing_id)


def change_filing(
    stores: Stores,
    actor: Actor,
    filing_id: str,
    *,
    target_admdvs: str | None,
    enddate: dt.date | None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """A desk correction: move the target, or end a filing earlier than it would end."""
    on = on or today()
    with stores.writing() as store:
        row = _find(store, filing_id=filing_id, lock=True)
        values = change_values(existing_view(row), row.insuplc_admdvs, target_admdvs, enddate, on)
        store.update_filing(filing_id, **values, updated_at=utcnow(), version=row.version + 1)
        return _publish(store, "FilingChanged", filing_id)


def lapse_filings(store: Store, psn_no: str, insutype: str | None, lapse_day: dt.date, reason: str) -> None:
    """Revoke active filings whose holder died or left the pool, so settlement stops applying them.

    Runs inside the consumer's unit of work, with the read-model change that caused it.
    """
    for row in store.filings(psn_no=psn_no, status="active", insutype=insutype):
        store.update_filing(
            row.filing_id,
            status="revoked",
            enddate=end_when_cover_lapses(existing_view(row), lapse_day),
            revoked_by="enrollment",
            memo=reason,
            updated_at=utcnow(),
            version=row.version + 1,
        )
        _publish(store, "FilingRevoked", row.filing_id)


def get_filing(stores: Stores, actor: Actor, filing_id: str) -> dict[str, Any]:
    with stores.reading() as store:
        row = _find(store, filing_id=filing_id)
        _authorize_person(actor, row.psn_no, [row.insuplc_admdvs])
        return filing_out(row)


def list_filings(
    stores: Stores, actor: Actor, *, psn_no: str | None = None, status: str | None = None
) -> list[dict[str, Any]]:
    if actor.psn_no is not None:
        if psn_no is not None and psn_no != actor.psn_no:
            raise Forbidden("you can only see your own filings")
        psn_no = actor.psn_no
    prefix = actor.province[:2] if actor.province is not None else None
    with stores.reading() as store:
        return [filing_out(r) for r in store.filings(psn_no=psn_no, status=status, province_prefix=prefix)]


def person_for_partner(stores: Stores, actor: Actor, psn_no: str) -> dict[str, Any]:
    with stores.reading() as store:
        found = store.person(psn_no)
        if found is None:
            raise NotFound(f"person {psn_no} is not known")
        _authorize_person(actor, psn_no, [e.insuplc_admdvs for e in found.enrollments])
        rows = store.filings(psn_no=psn_no)
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
            "filings": [filing_out(r) for r in rows],
        }
