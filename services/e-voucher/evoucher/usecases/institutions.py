"""Institutions: who signed a gateway request, and the callback origins they registered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from evoucher.domain import orders
from evoucher.domain.errors import Forbidden, Unauthenticated
from medshared.national import GatewayHeaders, GatewayRefused

from .ports import Units


def authenticate_institution(
    units: Units, headers: dict[str, str], claimed_code: str, *, production: bool, skew: int, now: dt.datetime
) -> Any:
    """Gateway headers -> the institution, which must be the one the body speaks for; each nonce serves once."""
    try:
        gateway = GatewayHeaders(headers)
    except GatewayRefused as exc:
        raise Unauthenticated("gateway", str(exc)) from None
    paasid, nonce = gateway.paasid, gateway.nonce
    with units() as store:
        row = store.institution(paasid)
        if row is None:
            raise Unauthenticated("gateway", f"x-tif-paasid {paasid} is not a registered institution")
        if production and row.gateway_token.startswith("demo-"):
            raise Unauthenticated(
                "gateway", f"{paasid} still has its demo credential; ask the bureau for a production token"
            )
        try:
            gateway.verify(row.gateway_token, max_skew_seconds=skew, now=now.timestamp())
        except GatewayRefused as exc:
            raise Unauthenticated("gateway", str(exc)) from None
        fresh = store.first_use_of_nonce(paasid, nonce, skew)
    if not fresh:
        raise Unauthenticated(
            "gateway", "x-tif-nonce was already used: sign every request, retries too, with a new nonce"
        )
    if claimed_code != paasid:
        raise Forbidden("gateway", f"the credential of {paasid} cannot act for {claimed_code or 'an empty orgId'}")
    return row


def register_callback_origins(units: Units, fixmedins_code: str, urls: list[str]) -> list[str]:
    """Register the origins (scheme://host[:port]) an institution's 6201 callbackUrl may use."""
    origins = [orders.callback_origin(url, "callback origin") for url in urls]
    with units() as store:
        for origin in origins:
            store.add_callback_origin(fixmedins_code, origin)
    return origins
