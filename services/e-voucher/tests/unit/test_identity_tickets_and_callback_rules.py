"""Identity-check tickets and callback rules, without I/O."""

from __future__ import annotations

import pytest

from evoucher.domain import identity, orders
from evoucher.domain.errors import DomainError, Forbidden, Invalid

KEY = "provider-key"
NOW = 1_764_633_600


def _ticket(**overrides: object) -> str:
    values: dict[str, object] = {
        "certno": "540102198005010110",
        "psn_name": "扎西",
        "openid": "openid-a",
        "now": NOW,
        "ttl_seconds": 300,
    }
    values.update(overrides)
    return identity.mint(KEY, **values)


def test_a_ticket_names_the_person_and_account_it_was_issued_for() -> None:
    verified = identity.read(KEY, _ticket(certno="540102198005010110 "), NOW + 299)
    assert (verified.certno, verified.psn_name, verified.openid, verified.expires_at) == (
        "540102198005010110",
        "扎西",
        "openid-a",
        NOW + 300,
    )
    identity.check_presented(verified, "openid-a", "540102198005010110", "扎西", "the person")


@pytest.mark.parametrize(
    ("ticket", "now", "message"),
    [
        (_ticket(), NOW + 300, "expired"),
        (
            identity.mint("another-key", certno="1", psn_name="a", openid="o", now=NOW, ttl_seconds=60),
            NOW,
            "not issued",
        ),
        ("not-a-ticket", NOW, "not issued"),
        (_ticket(ttl_seconds=2 * 86400), NOW, "more than a day"),
    ],
)
def test_a_ticket_that_is_expired_forged_or_too_long_lived_is_refused(ticket: str, now: int, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        identity.read(KEY, ticket, now)


def test_a_ticket_presented_from_another_account_or_for_another_person_is_refused() -> None:
    verified = identity.read(KEY, _ticket(), NOW)
    refusals: list[type[DomainError]] = []
    for openid, certno in (("openid-b", "540102198005010110"), ("openid-a", "540102201003040021")):
        with pytest.raises(DomainError) as refused:
            identity.check_presented(verified, openid, certno, "扎西", "the person")
        refusals.append(type(refused.value))
    assert refusals == [Forbidden, Invalid]


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://HIS.Example.org/notify?x=1", "https://his.example.org"),
        ("https://his.example.org:443/a", "https://his.example.org"),
        ("http://127.0.0.1:8003/admin", "http://127.0.0.1:8003"),
        ("http://[::1]:80/x", "http://[::1]"),
    ],
)
def test_a_callback_url_is_reduced_to_its_origin(url: str, origin: str) -> None:
    assert orders.callback_origin(url) == origin


@pytest.mark.parametrize(
    "url", ["ftp://his.example.org", "http://user:pw@his.example.org/", "http://[::1", "http://h:99999", "/relative"]
)
def test_a_callback_url_that_is_not_a_plain_http_url_is_refused(url: str) -> None:
    with pytest.raises(Invalid, match="callbackUrl"):
        orders.callback_origin(url)


def test_callback_tries_back_off_exponentially_up_to_a_cap_and_stop() -> None:
    policy = orders.CallbackPolicy(max_attempts=12, backoff_seconds=2, backoff_max_seconds=600)
    assert [policy.delay_after(n) for n in range(1, 12)] == [2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
    assert not policy.exhausted(11) and policy.exhausted(12)
