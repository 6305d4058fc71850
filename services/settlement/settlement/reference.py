"""Catalogues and policies as versioned rows: publish a version effective from a date,
and find the one in force on a day. A settlement records the versions it used."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from medshared import jsonutil
from medshared.events import utcnow
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from settlement.db import catalogue_version, policy_version
from settlement.domain.errors import Refused
from settlement.policy import AssistancePolicy, Catalogue, RegionPolicy

REGION = "region"
ASSISTANCE = "assistance"


def publish_catalogue(session: Session, body: dict[str, Any]) -> Catalogue:
    """Validate and store a catalogue version; PolicyDataError when the data is malformed."""
    catalogue = Catalogue.from_dict(body)
    session.execute(
        insert(catalogue_version).values(
            catalogue_id=catalogue.catalogue_id,
            version=catalogue.version,
            effective_from=catalogue.effective_from,
            body=jsonutil.dumps(catalogue.to_dict()),
            published_at=utcnow(),
        )
    )
    return catalogue


def publish_policy(session: Session, kind: str, body: dict[str, Any]) -> RegionPolicy | AssistancePolicy:
    policy: RegionPolicy | AssistancePolicy = (
        RegionPolicy.from_dict(body) if kind == REGION else AssistancePolicy.from_dict(body)
    )
    session.execute(
        insert(policy_version).values(
            policy_id=policy.policy_id,
            version=policy.version,
            kind=kind,
            admdvs=policy.admdvs,
            insutype=policy.insutype if isinstance(policy, RegionPolicy) else None,
            year=policy.year,
            effective_from=policy.effective_from,
            body=jsonutil.dumps(policy.to_dict()),
            published_at=utcnow(),
        )
    )
    return policy


# A published version never changes, so each distinct body is parsed once per process.
# Keyed by the stored text itself: nothing stale can be served, whatever the database.
@lru_cache(maxsize=256)
def _catalogue(body: str) -> Catalogue:
    return Catalogue.from_dict(jsonutil.loads(body))


@lru_cache(maxsize=1024)
def _region_policy(body: str) -> RegionPolicy:
    return RegionPolicy.from_dict(jsonutil.loads(body))


@lru_cache(maxsize=256)
def _assistance_policy(body: str) -> AssistancePolicy:
    return AssistancePolicy.from_dict(jsonutil.loads(body))


def catalogue_on(session: Session, day: dt.date) -> Catalogue:
    row = session.execute(
        select(catalogue_version.c.body)
        .where(catalogue_version.c.effective_from <= day)
        .order_by(catalogue_version.c.effective_from.desc(), catalogue_version.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        raise Refused(f"no catalogue is in force on {day}; the bureau must publish one", code="NO_CATALOGUE")
    return _catalogue(row.body)


def _policy_row(session: Session, kind: str, admdvs: str, insutype: str | None, year: int, day: dt.date) -> Any:
    query = (
        select(policy_version.c.body)
        .where(
            policy_version.c.kind == kind,
            policy_version.c.admdvs == admdvs,
            policy_version.c.year == year,
            policy_version.c.effective_from <= day,
        )
        .order_by(policy_version.c.effective_from.desc(), policy_version.c.id.desc())
        .limit(1)
    )
    if insutype is not None:
        query = query.where(policy_version.c.insutype == insutype)
    return session.execute(query).first()


def region_policy_on(session: Session, admdvs: str, insutype: str, day: dt.date) -> RegionPolicy:
    row = _policy_row(session, REGION, admdvs, insutype, day.year, day)
    if row is None:
        raise Refused(
            f"no {day.year} policy of {admdvs} for insutype {insutype} is in force on {day}", code="NO_POLICY"
        )
    return _region_policy(row.body)


def assistance_policy_on(session: Session, admdvs: str, day: dt.date) -> AssistancePolicy | None:
    row = _policy_row(session, ASSISTANCE, admdvs, None, day.year, day)
    return None if row is None else _assistance_policy(row.body)


def list_catalogues(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(catalogue_version).order_by(catalogue_version.c.id)).all()
    return [
        {
            "catalogue_id": r.catalogue_id,
            "version": r.version,
            "effective_from": r.effective_from.isoformat(),
            "published_at": r.published_at.isoformat(),
            "items": len(jsonutil.loads(r.body)["items"]),
        }
        for r in rows
    ]


def list_policies(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(select(policy_version).order_by(policy_version.c.id)).all()
    return [
        {
            "policy_id": r.policy_id,
            "version": r.version,
            "kind": r.kind,
            "admdvs": r.admdvs,
            "insutype": r.insutype,
            "year": r.year,
            "effective_from": r.effective_from.isoformat(),
            "published_at": r.published_at.isoformat(),
            "policy": jsonutil.loads(r.body),
        }
        for r in rows
    ]
