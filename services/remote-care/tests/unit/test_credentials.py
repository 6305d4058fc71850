from __future__ import annotations

import pytest

from medshared.problems import Problem
from remote_care.api import auth
from remote_care.config import PartnerCredential

SECRET = "s3cret"
CREDS = {"partner-430000": PartnerCredential(province="430000", secret="hn")}


def test_a_mobile_token_minted_with_the_shared_secret_names_the_person() -> None:
    token = auth.mint_mobile_token(SECRET, "openid-1", "P1", exp=2_000)
    assert auth.read_mobile_token(f"Bearer {token}", SECRET, now=1_000) == auth.MobileSession(
        "openid-1", "P1", exp=2_000
    )


@pytest.mark.parametrize(
    "authorization, now",
    [
        (None, 1_000),
        ("Bearer " + auth.mint_mobile_token("other", "o", "P1", exp=2_000), 1_000),
        ("Bearer " + auth.mint_mobile_token(SECRET, "o", "P1", exp=2_000), 3_000),
        ("Bearer " + auth.mint_mobile_token(SECRET, "o", "P1", exp=2_000).replace("e", "f", 1), 1_000),
    ],
)
def test_a_missing_forged_tampered_or_expired_mobile_token_is_refused(authorization, now) -> None:
    with pytest.raises(Problem) as refused:
        auth.read_mobile_token(authorization, SECRET, now=now)
    assert refused.value.status == 401


def test_a_correctly_signed_partner_request_speaks_for_its_province() -> None:
    headers = auth.partner_headers("partner-430000", "hn", "GET", "/partner/v1/statements?period=2026-01", now=1_000)
    signed = auth.verify_partner(
        headers.get, CREDS, "GET", "/partner/v1/statements?period=2026-01", b"", 300, now=1_010
    )
    assert signed.province == "430000"


@pytest.mark.parametrize("change", ["secret", "path", "body", "old", "key"])
def test_a_partner_request_with_any_signed_part_changed_is_refused(change) -> None:
    headers = auth.partner_headers(
        "partner-430000", "other" if change == "secret" else "hn", "POST", "/partner/v1/filings", b"{}", now=1_000
    )
    if change == "key":
        headers["x-partner-key"] = "partner-999999"
    path = "/partner/v1/filings/x" if change == "path" else "/partner/v1/filings"
    body = b'{"a":1}' if change == "body" else b"{}"
    now = 1_000 + (301 if change == "old" else 0)
    with pytest.raises(Problem) as refused:
        auth.verify_partner(headers.get, CREDS, "POST", path, body, 300, now=now)
    assert refused.value.status == 401
