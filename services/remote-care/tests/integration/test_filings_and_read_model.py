"""Filings commit with their outbox event; the people read model follows enrollment's versions."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import WU_GANG, ZHOU_MIN, feed, person_enrolled, settled
from sqlalchemy import func, select

from medshared.events import Event
from remote_care.db import filing, outbox
from remote_care.domain.errors import Conflict, Refused
from remote_care.domain.filings import Channel, FilingRequest, FilingType
from remote_care.store import SqlStores
from remote_care.usecases import filings
from remote_care.usecases.common import Actor

TODAY = dt.date(2026, 3, 10)
DESK = Actor(Channel.ADMIN, "desk-7")


def _outbox(runtime) -> list[Event]:
    with runtime.factory() as session:
        bodies = session.execute(
            select(outbox.c.body).where(outbox.c.topic == "remote_care.filings.v1").order_by(outbox.c.id)
        ).scalars()
        return [Event.from_json(b) for b in bodies]


def test_a_filing_and_its_event_are_written_together_with_the_full_snapshot(runtime) -> None:
    feed(runtime, person_enrolled(WU_GANG, insutype="310", psn_type="1201"))
    request = FilingRequest(WU_GANG, FilingType.RESETTLED_RETIREE, "110100", dt.date(2026, 4, 1))

    created = filings.create_filing(SqlStores(runtime), request, DESK, on=TODAY)
    revoked = filings.revoke_filing(SqlStores(runtime), DESK, filing_id=created["filing_id"], on=dt.date(2026, 6, 30))

    [first, second] = _outbox(runtime)
    assert (first.event_type, first.key, first.producer) == ("FilingCreated", WU_GANG, "remote-care")
    assert first.payload["filing"] == {
        "filing_id": created["filing_id"],
        "psn_no": WU_GANG,
        "insutype": "310",
        "insuplc_admdvs": "430600",
        "filing_type": "resettled_retiree",
        "target_admdvs": "110100",
        "begndate": "2026-04-01",
        "enddate": None,
        "status": "active",
        "channel": "admin",
        "trt_dcla_detl_sn": None,
        "version": 1,
    }
    assert second.event_type == "FilingRevoked"
    assert second.payload["filing"]["version"] == 2 and second.payload["filing"]["enddate"] == "2026-06-30"
    assert revoked["revoked_by"] == "desk-7"


def test_a_refused_filing_leaves_neither_a_row_nor_an_event(runtime) -> None:
    feed(runtime, person_enrolled(ZHOU_MIN))
    with pytest.raises(Refused, match="retirees only"):
        filings.create_filing(
            SqlStores(runtime), FilingRequest(ZHOU_MIN, FilingType.RESETTLED_RETIREE, "110100", TODAY), DESK, on=TODAY
        )
    with runtime.factory() as session:
        assert session.execute(select(func.count()).select_from(filing)).scalar_one() == 0
    assert _outbox(runtime) == []


def test_one_active_long_term_filing_per_person_is_enforced_against_stored_filings(runtime) -> None:
    feed(runtime, person_enrolled(WU_GANG, insutype="310", psn_type="1201"))
    filings.create_filing(
        SqlStores(runtime), FilingRequest(WU_GANG, FilingType.RESETTLED_RETIREE, "110100", TODAY), DESK, on=TODAY
    )
    with pytest.raises(Conflict, match="revoke it"):
        filings.create_filing(
            SqlStores(runtime), FilingRequest(WU_GANG, FilingType.LONG_TERM_RESIDENT, "540100", TODAY), DESK, on=TODAY
        )


def test_an_older_enrollment_snapshot_never_overwrites_a_newer_one(runtime) -> None:
    terminated = [
        {"status": "active", "begndate": "2026-01-01", "enddate": "2026-02-28"},
        {"status": "terminated", "begndate": "2026-03-01", "enddate": None},
    ]
    feed(
        runtime,
        person_enrolled(ZHOU_MIN, status="terminated", version=2, periods=terminated),
        person_enrolled(ZHOU_MIN, version=1),
    )
    with pytest.raises(Refused, match="no active enrollment"):
        filings.create_filing(
            SqlStores(runtime), FilingRequest(ZHOU_MIN, FilingType.TEMPORARY_OTHER, "110100", TODAY), DESK, on=TODAY
        )


def test_a_filing_during_a_stay_is_refused_once_that_stay_was_settled(runtime) -> None:
    feed(runtime, person_enrolled(ZHOU_MIN))
    feed(
        runtime,
        settled(psn_no=ZHOU_MIN, mdtrt_id="M-STAY-1", when="2026-03-08T10:00:00"),
        topic="settlement.settlements.v1",
    )
    stay = FilingRequest(
        ZHOU_MIN, FilingType.TEMPORARY_OTHER, "110100", dt.date(2026, 3, 1), admission_date=dt.date(2026, 3, 1)
    )
    with pytest.raises(Refused, match="already been settled"):
        filings.create_filing(SqlStores(runtime), stay, DESK, mdtrt_id="M-STAY-1", on=TODAY)
    created = filings.create_filing(SqlStores(runtime), stay, DESK, mdtrt_id="M-STAY-2", on=TODAY)
    assert created["begndate"] == "2026-03-01" and created["details"] == {"mdtrt_id": "M-STAY-2"}


def test_a_death_from_enrollment_revokes_active_filings_from_the_next_day_once(runtime) -> None:
    feed(runtime, person_enrolled(WU_GANG, insutype="310", psn_type="1201"))
    created = filings.create_filing(
        SqlStores(runtime), FilingRequest(WU_GANG, FilingType.RESETTLED_RETIREE, "110100", TODAY), DESK, on=TODAY
    )
    died = person_enrolled(WU_GANG, insutype="310", psn_type="1201", version=2, death_date="2026-05-20")

    feed(runtime, died)
    feed(runtime, Event(died.event_type, died.key, died.payload, died.producer))

    revoked = [e for e in _outbox(runtime) if e.event_type == "FilingRevoked"]
    assert [e.payload["filing"]["filing_id"] for e in revoked] == [created["filing_id"]]
    assert revoked[0].payload["filing"]["enddate"] == "2026-05-20"
    assert filings.get_filing(SqlStores(runtime), DESK, created["filing_id"])["revoked_by"] == "enrollment"
