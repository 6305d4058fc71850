"""Calls that need an answer now: ecToken resolution (e-voucher) and HIS referral
filings (remote-care). Built once in create_app with explicit timeouts; tests pass their
own httpx transport."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
from medshared import observability

from settlement.domain.errors import Refused


# A filing serial travels in a URL path: only what a serial can be, so no caller steers the path.
_SERIAL = re.compile(r"^[A-Za-z0-9_-]{1,30}$")


class EvoucherClient:
    def __init__(self, http: httpx.Client, base_url: str, token: str) -> None:
        self._http = http
        self._url = base_url.rstrip("/") + "/internal/v1/ectokens/resolve"
        self._token = token

    def resolve(self, ec_token: str, fixmedins_code: str) -> dict[str, Any]:
        """ecToken -> {psn_no, psn_cert_type, certno, psn_name, insuplc_admdvs, expires_at}."""
        try:
            answer = self._http.post(
                self._url,
                json={"ecToken": ec_token, "fixmedins_code": fixmedins_code},
                headers={"x-internal-token": self._token},
            )
        except httpx.HTTPError:
            raise Refused(
                "the e-voucher service is unavailable; retry, or identify the person by ID number (mdtrt_cert_type 02)",
                code="EVOUCHER_UNAVAILABLE",
            ) from None
        if answer.status_code == 404:
            raise Refused(
                "the e-voucher token is unknown or expired; ask the patient to show a fresh QR code",
                code="ECTOKEN_UNKNOWN",
            )
        if answer.status_code == 403:
            raise Refused(
                "this e-voucher token was decoded by another institution; scan the patient's QR code again here",
                code="ECTOKEN_OTHER_INSTITUTION",
            )
        if answer.status_code != 200:
            raise Refused("the e-voucher service could not resolve the token; retry", code="EVOUCHER_UNAVAILABLE")
        return dict(answer.json())


class RemoteCareClient:
    def __init__(self, http: httpx.Client, base_url: str, token: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/") + "/internal/v1/referral-filings"
        self._token = token

    def file_referral(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._post(self._base, body)

    def revoke_referral(self, trt_dcla_detl_sn: str, psn_no: str, memo: str, fixmedins_code: str) -> dict[str, Any]:
        """Only the filing institution may revoke; remote-care checks `fixmedins_code` against the filing."""
        if not _SERIAL.match(trt_dcla_detl_sn):
            raise Refused(
                f"trt_dcla_detl_sn must be the serial 2501 answered (letters and digits, at most 30; got "
                f"{trt_dcla_detl_sn[:40]!r})",
                code="INPUT_INVALID",
            )
        url = f"{self._base}/{quote(trt_dcla_detl_sn, safe='')}/revoke"
        return self._post(url, {"psn_no": psn_no, "memo": memo, "fixmedins_code": fixmedins_code})

    def _post(self, url: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            answer = self._http.post(url, json=body, headers={"x-internal-token": self._token})
        except httpx.HTTPError:
            raise Refused("remote-care unavailable, retry", code="REMOTE_CARE_UNAVAILABLE") from None
        if answer.status_code >= 500:
            raise Refused("remote-care unavailable, retry", code="REMOTE_CARE_UNAVAILABLE")
        if answer.status_code >= 400:
            detail = _detail(answer)
            raise Refused(f"remote-care refused the filing: {detail}", code="FILING_REFUSED")
        return dict(answer.json())


def _detail(answer: httpx.Response) -> str:
    try:
        body = answer.json()
    except ValueError:
        return f"HTTP {answer.status_code}"
    return str(body.get("detail") or body.get("title") or f"HTTP {answer.status_code}")


def make_http(timeout_seconds: float, transport: httpx.BaseTransport | None = None) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(timeout_seconds, connect=min(timeout_seconds, 2.0)),
        transport=transport,
        event_hooks=observability.HTTPX_EVENT_HOOKS,
    )
