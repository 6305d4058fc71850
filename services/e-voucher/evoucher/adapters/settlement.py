"""The settlement service's national front door, called as the mobile-payment centre.

Thin on purpose: one envelope in, its output out. The order of transactions lives in
evoucher.adapters.settlement_script; this only speaks the wire format.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from evoucher.domain.errors import SettlementRefused, Unavailable
from medshared import jsonutil, tracing
from medshared.national import INF_TIME_FORMAT, gateway_headers

__all__ = ["SettlementClient", "SettlementRefused"]


class SettlementClient:
    def __init__(self, base_url: str, paasid: str, token: str, timeout: float) -> None:
        self._paasid = paasid
        self._token = token
        self._http = httpx.Client(
            base_url=base_url,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 3.0)),
            event_hooks=tracing.HTTPX_EVENT_HOOKS,
        )

    def call(
        self,
        infno: str,
        msgid: str,
        *,
        fixmedins_code: str,
        fixmedins_name: str,
        mdtrtarea_admvs: str,
        insuplc_admdvs: str,
        input: dict[str, Any],
        sign_no: str = "",
    ) -> Any:
        envelope = {
            "infno": infno,
            "msgid": msgid,
            "mdtrtarea_admvs": mdtrtarea_admvs,
            "insuplc_admdvs": insuplc_admdvs,
            "recer_sys_code": "YBXT",
            "infver": "V1.0",
            "opter_type": "3",
            "opter": "mobile-pay",
            "opter_name": "医保移动支付",
            "inf_time": dt.datetime.now().strftime(INF_TIME_FORMAT),
            "fixmedins_code": fixmedins_code,
            "fixmedins_name": fixmedins_name,
            "sign_no": sign_no,
            "input": input,
        }
        try:
            response = self._http.post(
                "/fsi/api/rsfComIfsService/callService",
                content=jsonutil.dumps(envelope),
                headers={**gateway_headers(self._paasid, self._token), "content-type": "application/json"},
            )
            body = jsonutil.loads(response.content)
        except (httpx.HTTPError, ValueError):
            raise Unavailable("settlement_unavailable", f"the settlement service did not answer {infno}") from None
        if not isinstance(body, dict) or "infcode" not in body:
            raise Unavailable("settlement_unavailable", f"the settlement service answered {infno} without an envelope")
        if str(body["infcode"]) != "0":
            raise SettlementRefused(infno, str(body.get("err_msg") or "refused"))
        return body.get("output")

    def close(self) -> None:
        self._http.close()
