"""enrollment.people.v1: what enrollment's handlers stage is what settlement, remote-care and e-voucher read.

The events come from enrollment's outbox after its demo loader ran through its handlers (and
so through enrollment.messaging.contracts); settlement's own suite hand-writes these payloads,
and these tests are what keeps the two in step.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from enrollment.messaging.contracts import TOPIC as PEOPLE


def published(world, event_type: str, part: str) -> list[dict]:
    return [e.payload[part] for e in world.enrollment.published(PEOPLE) if e.event_type == event_type]


def day(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def test_enrollment_publishes_every_kind_of_event_its_consumers_are_checked_against(world):
    kinds = {e.event_type for e in world.enrollment.published(PEOPLE)}

    assert {"PersonRegistered", "PersonEnrolled", "IdentityGranted", "AccountCredited", "ContributionPaid"} <= kinds


def test_settlement_holds_every_person_enrollment_publishes_with_enrollments_values(world):
    from settlement.db import person

    people = published(world, "PersonRegistered", "person")
    assert len(people) >= 10
    for sent in people:
        (row,) = world.settlement.rows(person, psn_no=sent["psn_no"])
        assert (row.psn_cert_type, row.certno, row.psn_name, row.gend, row.naty) == (
            sent["psn_cert_type"],
            sent["certno"],
            sent["psn_name"],
            sent["gend"],
            sent["naty"],
        )
        assert row.brdy == day(sent["brdy"])
        assert row.death_date is None
        assert row.version == sent["version"]


def test_settlement_holds_every_enrollment_with_its_pool_type_tier_and_periods(world):
    import json

    from settlement.db import enrollment

    sent_enrollments = published(world, "PersonEnrolled", "enrollment")
    assert {e["insutype"] for e in sent_enrollments} == {"310", "390"}
    for sent in sent_enrollments:
        (row,) = world.settlement.rows(enrollment, enrollment_id=sent["enrollment_id"])
        assert (row.psn_no, row.insutype, row.insuplc_admdvs, row.psn_type, row.cvlserv_flag, row.tier, row.status) == (
            sent["psn_no"],
            sent["insutype"],
            sent["insuplc_admdvs"],
            sent["psn_type"],
            sent["cvlserv_flag"],
            sent["tier"],
            sent["status"],
        )
        assert (row.begndate, row.enddate) == (day(sent["begndate"]), day(sent["enddate"]))
        periods = json.loads(row.periods)
        assert [(p["status"], p["begndate"], p["enddate"]) for p in periods] == [
            (p["status"], p["begndate"], p["enddate"]) for p in sent["periods"]
        ]


def test_settlement_reads_an_identity_sent_as_dates_as_covering_its_whole_last_day(world):
    from settlement.db import identity

    granted = published(world, "IdentityGranted", "identity")
    assert granted
    for sent in granted:
        (row,) = world.settlement.rows(identity, identity_id=sent["identity_id"])
        assert (row.psn_no, row.psn_idet_type, row.revoked) == (sent["psn_no"], sent["psn_idet_type"], False)
        assert row.begntime == dt.datetime.combine(day(sent["begntime"]), dt.time(0, 0))
        assert row.endtime == dt.datetime.combine(day(sent["endtime"]), dt.time(23, 59, 59))


def test_settlement_credits_each_account_credit_once_with_the_amount_enrollment_sent(world):
    from settlement.db import account_entry

    credits = published(world, "AccountCredited", "credit")
    assert credits
    for sent in credits:
        (row,) = world.settlement.rows(account_entry, entry_id=f"credit:{sent['credit_id']}")
        assert (row.psn_no, row.insutype, row.kind) == (sent["psn_no"], sent["insutype"], sent["kind"])
        assert Decimal(row.amount) == Decimal(sent["amount"])


def test_remote_care_holds_every_person_and_enrollment_enrollment_publishes(world):
    from remote_care.db import enrollment, person

    for sent in published(world, "PersonRegistered", "person"):
        (row,) = world.remote_care.rows(person, psn_no=sent["psn_no"])
        assert (row.psn_name, row.certno, row.death_date, row.version) == (
            sent["psn_name"],
            sent["certno"],
            None,
            sent["version"],
        )
    for sent in published(world, "PersonEnrolled", "enrollment"):
        (row,) = world.remote_care.rows(enrollment, enrollment_id=sent["enrollment_id"])
        assert (row.psn_no, row.insutype, row.insuplc_admdvs, row.psn_type, row.status) == (
            sent["psn_no"],
            sent["insutype"],
            sent["insuplc_admdvs"],
            sent["psn_type"],
            sent["status"],
        )
        assert row.begndate == day(sent["begndate"])


def test_evoucher_holds_every_person_and_enrollment_enrollment_publishes(world):
    from evoucher.db import person, person_enrollment

    for sent in published(world, "PersonRegistered", "person"):
        (row,) = world.evoucher.rows(person, psn_no=sent["psn_no"])
        assert (row.psn_cert_type, row.certno, row.psn_name, row.version) == (
            sent["psn_cert_type"],
            sent["certno"],
            sent["psn_name"],
            sent["version"],
        )
    for sent in published(world, "PersonEnrolled", "enrollment"):
        (row,) = world.evoucher.rows(person_enrollment, enrollment_id=sent["enrollment_id"])
        assert (row.psn_no, row.insutype, row.insuplc_admdvs, row.status) == (
            sent["psn_no"],
            sent["insutype"],
            sent["insuplc_admdvs"],
            sent["status"],
        )
