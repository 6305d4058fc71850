"""Remote-care's use cases on an in-memory store: no HTTP, no database.

Each test runs a use case as a router would and reads the store afterwards: the rows it
holds, the events staged with them, the audit trail; a refusal leaves all three untouched.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fakes import FakeStore, FakeStores

from remote_care.domain.errors import Forbidden
from remote_care.domain.filings import Channel, EnrollmentView, FilingRequest, FilingType, Period, PersonView
from remote_care.messaging.contracts import CLEARING_TOPIC, FILINGS_TOPIC, settlement_item
from remote_care.usecases import clearing, filings
from remote_care.usecases.common import Actor

TODAY = dt.date(2026, 3, 10)
ZHOU_MIN = "43060000000000000001"  # resident (390), insured in 430600
DESK = Actor(Channel.ADMIN, "desk-7")
BUREAU = Actor(Channel.ADMIN, "clearing-desk")
HUNAN = Actor(Channel.PARTNER, "partner-430000", province="430000")  # the paying side of 430600's statements
BEIJING = Actor(Channel.PARTNER, "partner-110000", province="110000")  # the treating side, owed the money
FILER, OTHER_HOSPITAL = "H43060000001", "H43060000009"


def resident(psn_no: str = ZHOU_MIN, pool: str = "430600") -> PersonView:
    since = dt.date(2026, 1, 1)
    enrollment = EnrollmentView("390", pool, "1501", since, None, "active", (Period("active", since, None),))
    return PersonView(psn_no=psn_no, psn_name="周敏", death_date=None, enrollments=(enrollment,))


def referral() -> FilingRequest:
    details = {"diag_code": "I21.9", "diag_name": "急性心肌梗死", "refl_fixmedins_code": FILER}
    return FilingRequest(
        ZHOU_MIN, FilingType.REFERRAL, "110100", TODAY, insutype="390", insuplc_admdvs="430600", details=details
    )


def settlement(setl_id: str, *, clr_type: str = "21", fund: str = "600.00", acct: str = "100.00") -> dict:
    return {
        "settlement": {
            "setl_id": setl_id,
            "mdtrt_id": f"M{setl_id}",
            "psn_no": ZHOU_MIN,
            "certno": "430602199001010011",
            "fixmedins_code": "H11010000001",
            "insuplc_admdvs": "430600",
            "mdtrtarea_admvs": "110100",
            "pay_loc": "4",
            "clr_type": clr_type,
            "setl_time": "2026-01-15T10:00:00",
            "medfee_sumamt": "1000.00",
            "fund_pay_sumamt": fund,
            "acct_pay": acct,
        }
    }


@pytest.fixture
def stores() -> FakeStores:
    store = FakeStore()
    store.add_person(resident())
    return FakeStores(store)


def test_a_desk_filing_is_stored_with_its_created_event_staged(stores: FakeStores) -> None:
    request = FilingRequest(ZHOU_MIN, FilingType.LONG_TERM_RESIDENT, "110100", dt.date(2026, 4, 1))

    created = filings.create_filing(stores, request, DESK, memo="moved to Beijing", on=TODAY)

    row = stores.store.filing_rows[created["filing_id"]]
    assert (row.status, row.channel, row.created_by, row.insuplc_admdvs, row.version) == (
        "active",
        "admin",
        "desk-7",
        "430600",
        1,
    )
    assert row.trt_dcla_detl_sn is None  # only a HIS referral gets a national serial
    [event] = stores.store.staged(FILINGS_TOPIC)
    assert (event.event_type, event.key, event.producer) == ("FilingCreated", ZHOU_MIN, "remote-care")
    assert event.payload["filing"]["filing_id"] == created["filing_id"]
    assert event.payload["filing"]["begndate"] == "2026-04-01" and event.payload["filing"]["target_admdvs"] == "110100"
    assert created["memo"] == "moved to Beijing"


def test_a_referral_is_revoked_only_by_the_institution_that_filed_it(stores: FakeStores) -> None:
    filed = filings.create_filing(stores, referral(), Actor(Channel.HIS, FILER), on=TODAY)
    serial = filed["trt_dcla_detl_sn"]
    assert serial.startswith("430600") and len(serial) == 28

    with pytest.raises(Forbidden) as refused:
        filings.revoke_filing(
            stores,
            Actor(Channel.HIS, OTHER_HOSPITAL, psn_no=ZHOU_MIN),
            trt_dcla_detl_sn=serial,
            on=TODAY,
            filing_institution=OTHER_HOSPITAL,
        )
    assert refused.value.code == "not_filing_institution" and OTHER_HOSPITAL in refused.value.message
    assert stores.store.filing_rows[filed["filing_id"]].status == "active"
    assert [e.event_type for e in stores.store.staged(FILINGS_TOPIC)] == ["FilingCreated"]

    revoked = filings.revoke_filing(
        stores, Actor(Channel.HIS, FILER, psn_no=ZHOU_MIN), trt_dcla_detl_sn=serial, on=TODAY, filing_institution=FILER
    )
    assert revoked["status"] == "revoked" and revoked["revoked_by"] == FILER and revoked["version"] == 2
    assert [e.event_type for e in stores.store.staged(FILINGS_TOPIC)] == ["FilingCreated", "FilingRevoked"]


def test_a_death_lapses_the_active_filings_each_with_its_revoked_event(stores: FakeStores) -> None:
    request = FilingRequest(ZHOU_MIN, FilingType.LONG_TERM_RESIDENT, "110100", dt.date(2026, 4, 1))
    created = filings.create_filing(stores, request, DESK, on=TODAY)

    with stores.writing() as store:
        filings.lapse_filings(store, ZHOU_MIN, None, dt.date(2026, 5, 2), "died")

    row = stores.store.filing_rows[created["filing_id"]]
    assert (row.status, row.revoked_by, row.memo, row.version) == ("revoked", "enrollment", "died", 2)
    [_, lapsed] = stores.store.staged(FILINGS_TOPIC)
    assert lapsed.event_type == "FilingRevoked" and lapsed.payload["filing"]["status"] == "revoked"
    assert lapsed.payload["filing"]["enddate"] == row.enddate.isoformat()


def _issued_statement(stores: FakeStores) -> str:
    for setl_id, clr_type in (("S1", "21"), ("S2", "11")):
        stores.store.add_item(settlement_item(settlement(setl_id, clr_type=clr_type), reversal=False))
    [statement] = clearing.run_clearing(stores, "2026-01", BUREAU, on=TODAY)
    return str(statement["statement_id"])


def test_a_closed_month_is_cleared_into_one_statement_per_pair_with_its_issued_event(stores: FakeStores) -> None:
    statement_id = _issued_statement(stores)

    assert statement_id == "CLR-202601-430600-110100"
    row = stores.store.statement_rows[statement_id]
    assert (row.status, row.setl_cnt, row.fund_fen, row.acct_fen, row.revision) == ("issued", 2, 120_000, 20_000, 1)
    assert set(stores.store.statement_json(statement_id)) == {"11", "21"}
    [event] = stores.store.staged(CLEARING_TOPIC)
    assert event.event_type == "StatementIssued" and str(event.payload["statement"]["owed_amt"]) == "1400.00"
    assert [(a.action, a.actor) for a in stores.store.audit] == [("issue", "admin:clearing-desk")]
    # Running the month again issues nothing new.
    assert clearing.run_clearing(stores, "2026-01", BUREAU, on=TODAY)[0]["version"] == 1
    assert len(stores.store.staged(CLEARING_TOPIC)) == 1


def test_the_paying_side_confirms_a_statement_and_the_step_is_staged_and_audited(stores: FakeStores) -> None:
    statement_id = _issued_statement(stores)

    confirmed = clearing.decide_statement(stores, HUNAN, statement_id, "confirm")

    row = stores.store.statement_rows[statement_id]
    assert (row.status, row.version) == ("confirmed", 2) and confirmed["status"] == "confirmed"
    assert [e.event_type for e in stores.store.staged(CLEARING_TOPIC)] == ["StatementIssued", "StatementConfirmed"]
    assert [(a.action, a.status, a.actor, a.version) for a in stores.store.audit][-1] == (
        "confirm",
        "confirmed",
        "partner:partner-430000",
        2,
    )


def test_the_treating_side_reads_a_statement_but_cannot_confirm_it(stores: FakeStores) -> None:
    statement_id = _issued_statement(stores)

    assert clearing.get_statement(stores, BEIJING, statement_id)["status"] == "issued"
    with pytest.raises(Forbidden) as refused:
        clearing.decide_statement(stores, BEIJING, statement_id, "confirm")

    assert refused.value.code == "paying_side_only" and "430000" in refused.value.message
    row = stores.store.statement_rows[statement_id]
    assert (row.status, row.version) == ("issued", 1)
    assert [e.event_type for e in stores.store.staged(CLEARING_TOPIC)] == ["StatementIssued"]
    assert [a.action for a in stores.store.audit] == ["issue"]
