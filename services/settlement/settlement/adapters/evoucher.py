"""E-voucher: whose e-voucher an ecToken (mdtrt_cert_type 01) is."""

from __future__ import annotations

from typing import Any

import httpx

from settlement.domain.errors import Refused


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
