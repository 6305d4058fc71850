"""Remote-care: HIS referral filings (2501 / 2502) are filed and revoked there."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from settlement.domain.errors import Refused

# A filing serial travels in a URL path: only what a serial can be, so no caller steers the path.
_SERIAL = re.compile(r"^[A-Za-z0-9_-]{1,30}$")


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
