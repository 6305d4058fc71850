"""docs/partner-integration.md, walked by Anhui's IT team with the reference client, over real HTTP.

安徽 (partner-340000) files for 陈伟 (宿州 341300, a resident no other test uses) before his stay
in 北京 (H11010000001, 110100); the filing reaches settlement within the figure the guide states
and settlement prices the stay with the filed ratio. 北京 settles two stays and reverses one; the
open month's preview nets the reversal to the cent and cannot be confirmed. A month cannot close
inside a test run, so the same three settlement events are published again as last month's,
on the broker settlement publishes to: the bureau issues last month's statement, Anhui disputes
it, the bureau reissues it, Anhui confirms the province statement.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import httpx
import pytest
from clients import His, fee_line, settle_data, wait_for
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from medshared.events import Event
from remote_care.examples.partner_client import PartnerClient, PartnerError

CHEN_WEI = {"psn_no": "34130000000000000002", "certno": "341302199006060813", "insutype": "390", "pool": "341300"}
ANHUI = ("partner-340000", "dev-partner-secret-340000")  # pays for 341300's insured
BEIJING = ("partner-110000", "dev-partner-secret-110000")  # treats them, owed the money
TIBET = ("partner-540000", "dev-partner-secret-540000")  # a stranger to Anhui-Beijing
BUREAU = {"x-operator-token": "dev-clearing-token"}
SETTLEMENTS = "settlement.settlements.v1"
# docs/partner-integration.md promises a filing reaches settlement within this many seconds.
FILING_REACHES_SETTLEMENT_WITHIN = 2.0


def discharged(his: His, price: str) -> dict:
    """Admit 陈伟, bill an appendectomy (1 x price), discharge: the 2303/2304 input."""
    mdtrt_id = his.admit(CHEN_WEI)
    line = fee_line("1", "003301000010000", "1", price, mdtrt_id, CHEN_WEI["psn_no"])
    his.ok("2301", {"feedetail": [line]}, insuplc=CHEN_WEI["pool"])
    endtime = f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}"
    dscginfo = {"mdtrt_id": mdtrt_id, "psn_no": CHEN_WEI["psn_no"], "insutype": "390", "endtime": endtime}
    his.ok("2402", {"dscginfo": dscginfo}, insuplc=CHEN_WEI["pool"])
    return {"data": settle_data(CHEN_WEI, mdtrt_id, Decimal(price), med_type="21")}


def ratio(his: His, stay: dict) -> Decimal:
    return Decimal(his.ok("2303", stay, insuplc=CHEN_WEI["pool"])["setlinfo"]["pool_prop_selfpay"])


def seconds_until_settlement_applies(his: His, stay: dict, expected: str, filed_at: float) -> float:
    """From the filing's 201 answer to the first pre-settlement priced with the filed ratio."""
    while ratio(his, stay) != Decimal(expected):
        assert time.monotonic() - filed_at < 15, f"the filing did not reach settlement ({expected})"
    return time.monotonic() - filed_at


def events_of(bootstrap: str, psn_no: str) -> list[Event]:
    """What settlement published for the person, read back from the broker."""
    reader = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, request_timeout_ms=10000)
    try:
        partitions = [TopicPartition(SETTLEMENTS, p) for p in sorted(reader.partitions_for_topic(SETTLEMENTS) or ())]
        reader.assign(partitions)
        reader.seek_to_beginning(*partitions)
        ends = reader.end_offsets(partitions)
        found = []
        while any(reader.position(tp) < ends[tp] for tp in partitions):
            for records in reader.poll(timeout_ms=1000).values():
                found += [Event.from_json(r.value) for r in records if r.key == psn_no.encode()]
        return found
    finally:
        reader.close()


def as_last_months(event: Event, last_month: dt.date) -> Event:
    """The same settlement event, settled (or reversed) on the same day and time of last month."""
    payload = {**event.payload, "settlement": dict(event.payload["settlement"])}
    s = payload["settlement"]
    moment = dt.datetime.fromisoformat(s["setl_time"]).replace(year=last_month.year, month=last_month.month, day=15)
    s["setl_time"] = moment.isoformat()

    def moved(national_id: str) -> str:
        # admdvs + yyyyMMddHHmmss + 10 digits: the national shape. Only the date moves, and each id
        # keeps its own time of day: a reversal names its original, which may have been settled in
        # an earlier second than the reversal's own setl_time.
        return f"{national_id[:6]}{moment:%Y%m%d}{national_id[14:]}"

    s["setl_id"] = moved(s["setl_id"])
    if "original_setl_id" in payload:
        payload["original_setl_id"] = moved(payload["original_setl_id"])
    return Event(event.event_type, event.key, payload, event.producer)


def test_a_partner_province_follows_the_guide_from_signing_to_a_confirmed_province_statement(stack, capsys):
    remote_care = stack.urls["remote-care"]
    anhui, beijing, tibet = (PartnerClient(remote_care, *who) for who in (ANHUI, BEIJING, TIBET))
    his = His(stack.urls["settlement"], "H11010000001", "110100").sign_in()
    wait_for(lambda: his.knows(CHEN_WEI["certno"]))

    # Step 1 of the guide: a signed read of one of the province's insured people.
    person = anhui.person(CHEN_WEI["psn_no"])
    assert [e["insuplc_admdvs"] for e in person["enrollments"]] == ["341300"] and person["filings"] == []
    with pytest.raises(PartnerError) as stranger:
        tibet.person(CHEN_WEI["psn_no"])
    assert stranger.value.status == 403

    # Unfiled in Beijing his level-3 ratio 0.65 loses 15 points; filings take effect in settlement.
    stay = discharged(his, "3000")
    assert ratio(his, stay) == Decimal("0.50")
    today = dt.date.today().isoformat()
    delays = []
    for filing_type, expected in (("temporary_other", "0.55"), ("long_term_resident", "0.65")):
        filing = {"psn_no": CHEN_WEI["psn_no"], "filing_type": filing_type, "target_admdvs": "110100"}
        filed = anhui.file({**filing, "begndate": today})
        filed_at = time.monotonic()
        assert (filed["status"], filed["channel"], filed["created_by"]) == ("active", "partner", "partner-340000")
        delays.append(seconds_until_settlement_applies(his, stay, expected, filed_at))
    with capsys.disabled():
        print(f"\nfiling -> settlement: {', '.join(f'{d:.3f} s' for d in delays)}")
    assert max(delays) < FILING_REACHES_SETTLEMENT_WITHIN, delays

    # Two stays settled at 0.65 (deductible 1,000 per admission), the first reversed.
    first = his.ok("2304", stay, insuplc=CHEN_WEI["pool"])["setlinfo"]
    second = his.ok("2304", discharged(his, "4500"), insuplc=CHEN_WEI["pool"])["setlinfo"]
    assert (first["fund_pay_sumamt"], second["fund_pay_sumamt"]) == (Decimal("1300.00"), Decimal("2275.00"))
    reverse = {"mdtrt_id": first["mdtrt_id"], "setl_id": first["setl_id"], "psn_no": CHEN_WEI["psn_no"]}
    his.ok("2305", {"data": reverse}, insuplc=CHEN_WEI["pool"])
    reversed_at = time.monotonic()

    # The open month's preview: the reversal netted on its original's line, to the cent, not confirmable.
    this_month = f"{dt.date.today():%Y-%m}"
    issued_as = f"CLR-{this_month.replace('-', '')}-341300-110100"

    def preview() -> dict | None:
        found = [p for p in anhui.previews() if p["issued_as"] == issued_as]
        return found[0] if found and found[0]["setl_cnt"] == 1 and found[0]["medfee_sumamt"] == "4500.00" else None

    shown = wait_for(preview, timeout=15, interval=0.02)
    with capsys.disabled():
        print(f"reversal -> open-month preview: {time.monotonic() - reversed_at:.3f} s")
    assert (shown["preview"], shown["status"], shown["owed_amt"]) == (True, "preview", "2275.00")
    assert "statement_id" not in shown
    page = anhui.preview_lines(this_month, "341300", "110100")
    assert sorted((line["setl_id"], line["reversed"], line["owed_amt"]) for line in page["lines"]) == sorted(
        [(first["setl_id"], True, "0.00"), (second["setl_id"], False, "2275.00")]
    )
    with pytest.raises(PartnerError) as early:
        anhui.confirm(issued_as)
    assert (early.value.status, early.value.code) == (409, "preview_not_confirmable")

    # The same three events as last month's, through the broker; the bureau issues last month.
    last_month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    period = f"{last_month:%Y-%m}"
    ours = {first["setl_id"], second["setl_id"]}
    published = [
        e
        for e in events_of(stack.bootstrap, CHEN_WEI["psn_no"])
        if e.payload["settlement"]["setl_id"] in ours or e.payload.get("original_setl_id") in ours
    ]
    assert sorted(e.event_type for e in published) == ["SettlementReversed", "VisitSettled", "VisitSettled"]
    producer = KafkaProducer(bootstrap_servers=stack.bootstrap, acks="all")
    for event in published:
        producer.send(SETTLEMENTS, key=event.key.encode(), value=as_last_months(event, last_month).to_json().encode())
    producer.flush()
    producer.close()

    def items() -> list | None:
        found = httpx.get(
            remote_care + "/admin/v1/clearing/items",
            params={"period": period, "psn_no": CHEN_WEI["psn_no"]},
            headers=BUREAU,
        ).json()
        return found if len(found) == 3 else None

    wait_for(items, timeout=15)
    run = httpx.post(remote_care + "/admin/v1/clearing/runs", json={"period": period}, headers=BUREAU)
    assert run.status_code == 201, run.text
    sid = f"CLR-{period.replace('-', '')}-341300-110100"
    province_id = f"PRV-{period.replace('-', '')}-340000-110000"

    statement = anhui.statement(sid)
    assert (statement["status"], statement["setl_cnt"], statement["owed_amt"]) == ("issued", 1, "2275.00")
    assert statement["by_clr_type"]["21"]["medfee_sumamt"] == "4500.00"
    lines = list(anhui.all_lines(sid))
    assert sorted((line["setl_cnt"], line["reversed"], line["owed_amt"]) for line in lines) == [
        (0, True, "0.00"),
        (1, False, "2275.00"),
    ]
    province = anhui.province_statement(province_id)
    assert (province["status"], province["owed_amt"], province["paying_province"]) == ("issued", "2275.00", "340000")
    assert [line["statement_id"] for line in province["lines"]] == [sid]

    # The treating side reads but cannot accept; a stranger reads nothing.
    assert beijing.statement(sid)["owed_amt"] == "2275.00"
    with pytest.raises(PartnerError) as treating:
        beijing.confirm_province_statement(province_id)
    assert (treating.value.status, treating.value.code) == (403, "paying_side_only")
    with pytest.raises(PartnerError) as outsider:
        tibet.province_statement(province_id)
    assert outsider.value.status == 403

    # issued -> disputed -> reissued -> confirmed.
    reason = f"{first['setl_id']} was reversed; check the month's lines"
    assert anhui.dispute(sid, reason)["status"] == "disputed"
    reissue = httpx.post(f"{remote_care}/admin/v1/clearing/statements/{sid}/reissue", headers=BUREAU)
    assert reissue.status_code == 200, reissue.text
    reissued = anhui.statement(sid)
    assert (reissued["status"], reissued["revision"], reissued["dispute_reason"]) == ("reissued", 2, None)
    confirmed = anhui.confirm_province_statement(province_id)
    assert (confirmed["status"], confirmed["owed_amt"]) == ("confirmed", "2275.00")
    assert [(h["action"], h["status"], h["reason"]) for h in anhui.history(sid)] == [
        ("issue", "issued", None),
        ("dispute", "disputed", reason),
        ("reissue", "reissued", None),
        ("confirm", "confirmed", None),
    ]
