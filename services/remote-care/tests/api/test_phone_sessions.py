"""A phone session lives only as long as the voucher binding it was opened under."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from builders import ZHOU_MIN, feed, person_enrolled

from medshared.events import Event
from remote_care.api.auth import mint_mobile_token

SECRET = "dev-mobile-session-secret"
TTL = 7200  # e-voucher's session lifetime, as remote-care is told (voucher_session_ttl_seconds)
VOUCHERS = "evoucher.vouchers.v1"


def session_opened(seconds_ago: float, openid: str = "openid-old") -> dict[str, str]:
    """The token e-voucher hands out at login: it expires a session lifetime after it was issued."""
    issued = int(time.time() - seconds_ago)
    return {"authorization": "Bearer " + mint_mobile_token(SECRET, openid, ZHOU_MIN, exp=issued + TTL)}


def voucher_event(
    event_type: str, voucher_id: str, status: str, version: int, activated: dt.datetime, **extra
) -> Event:
    voucher = {
        "voucher_id": voucher_id,
        "psn_no": ZHOU_MIN,
        "insuplc_admdvs": "430600",
        "status": status,
        "activated_at": activated.isoformat(),
        "version": version,
    }
    return Event(event_type, ZHOU_MIN, {"voucher": voucher, **extra}, "e-voucher")


@pytest.fixture
def phone_client(client):
    feed(client.app.state.runtime, person_enrolled(ZHOU_MIN))
    return client


def my_filings(client, headers):
    return client.get("/mobile/v1/filings", headers=headers)


def test_a_session_stops_working_once_its_voucher_is_revoked(phone_client) -> None:
    rt = phone_client.app.state.runtime
    headers = session_opened(600)
    activated = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    feed(rt, voucher_event("VoucherActivated", "V1", "active", 1, activated), topic=VOUCHERS)
    assert my_filings(phone_client, headers).status_code == 200

    feed(rt, voucher_event("VoucherRevoked", "V1", "revoked", 2, activated), topic=VOUCHERS)
    answer = my_filings(phone_client, headers)
    assert (answer.status_code, answer.json()["code"]) == (401, "session_ended")
    assert "revoked" in answer.json()["detail"] and answer.json()["detail"].startswith("sign in again")
    body = {"filing_type": "temporary_other", "target_admdvs": "110100", "begndate": dt.date.today().isoformat()}
    assert phone_client.post("/mobile/v1/filings", json=body, headers=headers).status_code == 401


def test_a_frozen_voucher_holds_its_sessions_until_it_is_unfrozen(phone_client) -> None:
    rt = phone_client.app.state.runtime
    headers = session_opened(60)
    activated = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    feed(rt, voucher_event("VoucherFrozen", "V1", "frozen", 2, activated), topic=VOUCHERS)
    assert my_filings(phone_client, headers).status_code == 401
    feed(rt, voucher_event("VoucherUnfrozen", "V1", "active", 3, activated), topic=VOUCHERS)
    assert my_filings(phone_client, headers).status_code == 200


def test_a_voucher_reclaimed_on_another_account_ends_the_old_accounts_sessions_and_not_the_new_ones(
    phone_client,
) -> None:
    rt = phone_client.app.state.runtime
    old_session = session_opened(1800, openid="openid-stranger")
    first = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    reclaimed = dt.datetime.now(dt.UTC).replace(microsecond=999_999) - dt.timedelta(seconds=1)
    feed(
        rt,
        voucher_event("VoucherActivated", "V1", "active", 1, first),
        voucher_event("VoucherRevoked", "V1", "revoked", 2, first, reason="reclaimed", replaced_by="V2"),
        voucher_event("VoucherActivated", "V2", "active", 1, reclaimed, reclaimed_from="V1"),
        topic=VOUCHERS,
    )
    # The holder's token is issued in the very second of the reclaim (e-voucher's activation answer).
    holders = {
        "authorization": "Bearer "
        + mint_mobile_token(SECRET, "openid-holder", ZHOU_MIN, exp=int(reclaimed.timestamp()) + TTL)
    }
    assert my_filings(phone_client, old_session).status_code == 401
    assert "bound again" in my_filings(phone_client, old_session).json()["detail"]
    assert my_filings(phone_client, holders).status_code == 200


def test_a_session_for_a_person_whose_voucher_is_not_known_here_yet_keeps_working(phone_client) -> None:
    assert my_filings(phone_client, session_opened(5)).status_code == 200


def test_an_issue_time_in_the_token_is_taken_over_the_one_derived_from_its_expiry(phone_client) -> None:
    import base64
    import hashlib
    import hmac
    import json

    rt = phone_client.app.state.runtime
    activated = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    feed(rt, voucher_event("VoucherActivated", "V1", "active", 1, activated), topic=VOUCHERS)
    now = int(time.time())

    def token(iat: int) -> dict[str, str]:
        claims = {"openid": "o", "psn_no": ZHOU_MIN, "exp": now + 60, "iat": iat}
        first = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        return {
            "authorization": f"Bearer {first}." + hmac.new(SECRET.encode(), first.encode(), hashlib.sha256).hexdigest()
        }

    assert my_filings(phone_client, token(now)).status_code == 200
    assert my_filings(phone_client, token(int(activated.timestamp()) - 10)).status_code == 401
