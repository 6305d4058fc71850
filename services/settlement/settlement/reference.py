"""Catalogues and policies as versioned rows: publish a version effective from a date,
and find the one in force on a day. A settlement records the versions it used."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Integer, String, bindparam, cast, insert, literal, null, select, union_all
from sqlalchemy.orm import Session

from medshared import jsonutil
from medshared.events import utcnow
from medshared.hotsql import HotRead
from settlement.db import catalogue_version, policy_version
from settlement.db_supervision import supervision_rule_set
from settlement.domain.errors import Refused
from settlement.policy import AssistancePolicy, Catalogue, RegionPolicy

REGION = "region"
ASSISTANCE = "assistance"


def publish_catalogue(session: Session, body: dict[str, Any]) -> Catalogue:
    """Validate and store a catalogue version; PolicyDataError when the data is malformed.

    The same transaction writes the version's HI-list rows (1312/1318/1319 answer them), so the
    queries a HIS reads and the catalogue settlement prices with never disagree."""
    from settlement.store import SqlStore
    from settlement.usecases.catalogues import publish_hilist

    catalogue = Catalogue.from_dict(body)
    published_at = utcnow()
    session.execute(
        insert(catalogue_version).values(
            catalogue_id=catalogue.catalogue_id,
            version=catalogue.version,
            effective_from=catalogue.effective_from,
            body=jsonutil.dumps(catalogue.to_dict()),
            published_at=published_at,
        )
    )
    # National answers carry the platform's local time.
    publish_hilist(SqlStore(session), catalogue, published_at.astimezone().replace(tzinfo=None))
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


# A published version never changes, so each is parsed once per process. The lookup reads
# only the version's id; its body is fetched and parsed on first use. The key carries the
# publication time too, so two databases numbering their versions alike cannot mix.
_parsed: dict[tuple[str, int, Any], Any] = {}


def _parsed_version(session: Session, table: Any, row: Any, parse: Any) -> Any:
    key = (table.name, row.id, row.published_at)
    found = _parsed.get(key)
    if found is None:
        body = session.execute(select(table.c.body).where(table.c.id == row.id)).scalar_one()
        found = parse(jsonutil.loads(body))
        if len(_parsed) > 4096:  # a long-lived process that saw thousands of versions starts afresh
            _parsed.clear()
        _parsed[key] = found
    return found


_CATALOGUE_ON = (
    select(catalogue_version.c.id, catalogue_version.c.published_at)
    .where(catalogue_version.c.effective_from <= bindparam("day"))
    .order_by(catalogue_version.c.effective_from.desc(), catalogue_version.c.id.desc())
    .limit(1)
)
_POLICY_ON = (
    select(policy_version.c.id, policy_version.c.published_at)
    .where(
        policy_version.c.kind == bindparam("kind"),
        policy_version.c.admdvs == bindparam("admdvs"),
        policy_version.c.year == bindparam("year"),
        policy_version.c.effective_from <= bindparam("day"),
    )
    .order_by(policy_version.c.effective_from.desc(), policy_version.c.id.desc())
    .limit(1)
)
# The fund-supervision rule set in force (store/supervision.py parses it).
SUPERVISION_ON = (
    select(supervision_rule_set.c.version, supervision_rule_set.c.published_at)
    .where(supervision_rule_set.c.valid_from <= bindparam("day"))
    .order_by(supervision_rule_set.c.valid_from.desc(), supervision_rule_set.c.published_at.desc())
    .limit(1)
)
_CATALOGUE_READ = HotRead(_CATALOGUE_ON)
_POLICY_FOR_INSUTYPE_ON = _POLICY_ON.where(policy_version.c.insutype == bindparam("insutype"))


def catalogue_on(session: Session, day: dt.date) -> Catalogue:
    return catalogue_from(session, _CATALOGUE_READ.first(session, {"day": day}), day)


def catalogue_from(session: Session, row: Any, day: dt.date) -> Catalogue:
    if row is None:
        raise Refused(f"no catalogue is in force on {day}; the bureau must publish one", code="NO_CATALOGUE")
    return _parsed_version(session, catalogue_version, row, Catalogue.from_dict)  # type: ignore[no-any-return]


def _policy_row(session: Session, kind: str, admdvs: str, insutype: str | None, year: int, day: dt.date) -> Any:
    params = {"kind": kind, "admdvs": admdvs, "year": year, "day": day}
    if insutype is None:
        return session.execute(_POLICY_ON, params).first()
    return session.execute(_POLICY_FOR_INSUTYPE_ON, params | {"insutype": insutype}).first()


def region_policy_on(session: Session, admdvs: str, insutype: str, day: dt.date) -> RegionPolicy:
    return region_policy_from(
        session, _policy_row(session, REGION, admdvs, insutype, day.year, day), admdvs, insutype, day
    )


def region_policy_from(session: Session, row: Any, admdvs: str, insutype: str, day: dt.date) -> RegionPolicy:
    if row is None:
        raise Refused(
            f"no {day.year} policy of {admdvs} for insutype {insutype} is in force on {day}", code="NO_POLICY"
        )
    return _parsed_version(session, policy_version, row, RegionPolicy.from_dict)  # type: ignore[no-any-return]


def assistance_policy_on(session: Session, admdvs: str, day: dt.date) -> AssistancePolicy | None:
    return assistance_policy_from(session, _policy_row(session, ASSISTANCE, admdvs, None, day.year, day))


def assistance_policy_from(session: Session, row: Any) -> AssistancePolicy | None:
    return None if row is None else _parsed_version(session, policy_version, row, AssistancePolicy.from_dict)


def _policy_in_force(kind: str) -> Any:
    """_POLICY_ON with its kind fixed in the statement (both kinds sit in one statement)."""
    return (
        select(policy_version.c.id, policy_version.c.published_at)
        .where(
            policy_version.c.kind == literal(kind),
            policy_version.c.admdvs == bindparam("admdvs"),
            policy_version.c.year == bindparam("year"),
            policy_version.c.effective_from <= bindparam("day"),
        )
        .order_by(policy_version.c.effective_from.desc(), policy_version.c.id.desc())
        .limit(1)
    )


def _in_force(kind: str, query: Any) -> Any:
    """One branch of IN_FORCE: which row `query` finds, named by `kind` (id, version, published_at)."""
    found = query.subquery()
    version = found.c.version if "version" in found.c else cast(null(), String)
    row_id = found.c.id if "id" in found.c else cast(null(), Integer)
    return select(literal(kind).label("kind"), row_id.label("id"), version.label("version"), found.c.published_at)


# What a settlement prices with, found in one statement instead of one per kind: the catalogue, the
# insured region's policy for the insutype and its assistance policy in force on the day, and the
# fund-supervision rule set (store/supervision.py). Bound: day, admdvs, insutype, year.
IN_FORCE = HotRead(
    union_all(
        _in_force("catalogue", _CATALOGUE_ON),
        _in_force("region", _policy_in_force(REGION).where(policy_version.c.insutype == bindparam("insutype"))),
        _in_force("assistance", _policy_in_force(ASSISTANCE)),
        _in_force("supervision", SUPERVISION_ON),
    )
)


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
