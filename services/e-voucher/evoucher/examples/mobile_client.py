"""A phone app's and a hospital's client for the e-voucher platform (医保电子凭证), signing included.

It needs only httpx and the Python standard library: copy this one file into your own system.
docs/mobile-integration.md walks through it step by step; e-voucher's tests and the end-to-end
suite run it against the services, so the guide and the services cannot drift apart.

- PhoneClient: what the mini-program does for the person holding the phone: WeChat login, the
  identity check's ticket, activation, family consent, the dynamic QR code, authorising a
  hospital's payment order, and remote-care's /mobile/v1 with the remote_care_token.
- Institution: what a hospital HIS does at a national door: ec.query and 6201 / 6202 / 6203 /
  6301 at e-voucher, 9001 and 1101 at settlement; every call gateway-signed with a fresh nonce.
- callback_is_genuine: how the HIS checks the x-evoucher-signature of a mobile-payment callback.

A QR code for a demo person, in development (the WeChat stand-in turns code-<x> into openid-<x>):

    python -m evoucher.examples.mobile_client --evoucher-url http://127.0.0.1:8004 \\
        qr --wechat-code code-zhaxi --name 扎西 --certno 540102198005010110
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import itertools
import json
import secrets
import sys
import time
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import httpx

SIGNATURE_HEADER = "x-evoucher-signature"

# ---------------------------------------------------------------- signing and JSON


def gateway_signature(timestamp: str, token: str, nonce: str) -> str:
    """x-tif-signature: lowercase hex SHA-256 of timestamp + token + nonce + timestamp (UTF-8)."""
    return hashlib.sha256(f"{timestamp}{token}{nonce}{timestamp}".encode()).hexdigest()


def gateway_headers(
    paasid: str, token: str, *, timestamp: str | None = None, nonce: str | None = None
) -> dict[str, str]:
    """The four gateway headers of one call: the current Unix time and a fresh nonce unless given."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(16)
    return {
        "x-tif-paasid": paasid,
        "x-tif-timestamp": timestamp,
        "x-tif-nonce": nonce,
        "x-tif-signature": gateway_signature(timestamp, token, nonce),
    }


def callback_signature(token: str, body: bytes) -> str:
    """Lowercase hex HMAC-SHA256 of the callback body bytes as received, keyed with the e-voucher token."""
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def callback_is_genuine(token: str, body: bytes, signature: str) -> bool:
    """True when x-evoucher-signature is the platform's: check it before you parse the body."""
    return hmac.compare_digest(callback_signature(token, body), signature.strip().lower())


def encode_json(body: Any) -> bytes:
    """UTF-8 JSON; Decimal amounts go as decimal strings ("339.83"), which every door reads exactly."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=_exact).encode("utf-8")


def decode_json(raw: bytes) -> Any:
    """JSON with every number that has a fraction read as a Decimal, never a float: 301.13 stays 301.13."""
    return json.loads(raw, parse_float=Decimal)


def _exact(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


# ---------------------------------------------------------------- refusals


class MobileError(Exception):
    """A /mobile/v1 or /dev/v1 refusal: its RFC 9457 problem details (status, code, detail)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.code = str(problem.get("code", ""))
        self.detail = str(problem.get("detail", ""))
        # 429 only: whole seconds to wait (also the Retry-After header).
        self.retry_after_seconds = problem.get("retry_after_seconds")
        super().__init__(f"{status} {self.code}: {self.detail}")


class NationalRefusal(Exception):
    """A national-style call answered infcode -1 (code -1 for ec.query): err_msg names what to fix."""

    def __init__(self, what: str, err_msg: str, answer: dict[str, Any]) -> None:
        self.what = what
        self.err_msg = err_msg
        self.answer = answer
        super().__init__(f"{what}: {err_msg}")


def _problem_or_json(answer: httpx.Response) -> Any:
    if answer.status_code >= 400:
        try:
            problem = answer.json()
        except ValueError:
            problem = {"detail": answer.text}
        raise MobileError(answer.status_code, problem if isinstance(problem, dict) else {"detail": str(problem)})
    return decode_json(answer.content)


def _http(base_url: str, timeout: float) -> httpx.Client:
    return httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=3.0))


# ---------------------------------------------------------------- the phone


class PhoneClient:
    """One person's phone: a WeChat login at e-voucher, then /mobile/v1 at e-voucher and remote-care."""

    def __init__(
        self,
        evoucher_url: str,
        remote_care_url: str = "",
        *,
        http: httpx.Client | None = None,
        remote_care_http: httpx.Client | None = None,
        timeout: float = 10.0,
    ) -> None:
        self.http = http or _http(evoucher_url, timeout)
        self.remote_care_http = remote_care_http or (_http(remote_care_url, timeout) if remote_care_url else None)
        self.session_token = ""
        self.remote_care_token: str | None = None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """One e-voucher call with the session's bearer token; a MobileError for any refusal."""
        headers = {"authorization": f"Bearer {self.session_token}"} if self.session_token else {}
        content = encode_json(body) if body is not None else None
        if content is not None:
            headers["content-type"] = "application/json"
        return _problem_or_json(self.http.request(method, path, content=content, headers=headers))

    def log_in(self, wechat_code: str) -> dict[str, Any]:
        """Exchange the code wx.login() returned (once, within 5 minutes) for a session."""
        session = self.call("POST", "/mobile/v1/sessions", {"code": wechat_code})
        self.session_token = session["session_token"]
        # null until this account holds an active voucher; then the token for remote-care.
        self.remote_care_token = session["remote_care_token"]
        return dict(session)

    def face_check(self, psn_name: str, certno: str) -> str:
        """Development only: the identity ticket the stand-in face check issues to this phone."""
        body = {"psn_name": psn_name, "certno": certno}
        return str(self.call("POST", "/dev/v1/face-checks", body)["identity_ticket"])

    def activate(self, psn_name: str, certno: str, identity_ticket: str) -> dict[str, Any]:
        """Real-name binding: the voucher of the person the ticket names, bound to this WeChat account."""
        body = {"psn_name": psn_name, "certno": certno, "identity_ticket": identity_ticket}
        voucher = self.call("POST", "/mobile/v1/voucher/activation", body)
        self.remote_care_token = voucher["remote_care_token"]
        return dict(voucher)

    def my_voucher(self) -> dict[str, Any]:
        return dict(self.call("GET", "/mobile/v1/voucher"))

    def change_voucher(self, command: str, reason: str = "") -> dict[str, Any]:
        """command: freeze | unfreeze | revoke."""
        return dict(self.call("POST", f"/mobile/v1/voucher/{command}", {"reason": reason}))

    def show_code(self, psn_no: str | None = None) -> dict[str, Any]:
        """A fresh QR code (your own, or a consenting family member's): {qr_code, expires_in}."""
        return dict(self.call("POST", "/mobile/v1/qrcodes", {"psn_no": psn_no}))

    def ask_to_add(self, psn_name: str, certno: str, relation: str, identity_ticket: str) -> dict[str, Any]:
        """Ask to show a family member's code; the ticket is your own face check, not theirs."""
        body = {"psn_name": psn_name, "certno": certno, "relation": relation, "identity_ticket": identity_ticket}
        return dict(self.call("POST", "/mobile/v1/family", body))

    def family(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/mobile/v1/family"))

    def consent(self, binding_id: str) -> dict[str, Any]:
        """As the family member, on your own phone: let the guardian show your code."""
        return dict(self.call("POST", f"/mobile/v1/family/{binding_id}/consent"))

    def withdraw(self, binding_id: str) -> dict[str, Any]:
        return dict(self.call("POST", f"/mobile/v1/family/{binding_id}/withdraw"))

    def usage(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/mobile/v1/usage"))

    def settlements(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/mobile/v1/settlements"))

    def pay_order(self, pay_ord_id: str) -> dict[str, Any]:
        return dict(self.call("GET", f"/mobile/v1/pay-orders/{pay_ord_id}"))

    def authorise(self, pay_ord_id: str) -> dict[str, Any]:
        """The person agrees to pay: {payAuthNo, payOrdId, expires_at}; the HIS quotes payAuthNo in 6202."""
        return dict(self.call("POST", f"/mobile/v1/pay-orders/{pay_ord_id}/authorisation"))

    # ------------------------------------------------------------ remote-care's /mobile/v1

    def remote_care(self, method: str, path: str, body: Any = None) -> Any:
        """One remote-care call with the remote_care_token from login or activation."""
        if self.remote_care_http is None:
            raise ValueError("give PhoneClient the remote-care URL to call remote-care")
        headers = {"authorization": f"Bearer {self.remote_care_token}"} if self.remote_care_token else {}
        answer = self.remote_care_http.request(method, path, json=body, headers=headers)
        return _problem_or_json(answer)

    def file_out_of_area(self, filing: Mapping[str, Any]) -> dict[str, Any]:
        """File an out-of-area filing (异地就医备案) for yourself; it takes effect at once."""
        return dict(self.remote_care("POST", "/mobile/v1/filings", dict(filing)))

    def my_filings(self) -> list[dict[str, Any]]:
        return list(self.remote_care("GET", "/mobile/v1/filings"))

    def revoke_filing(self, filing_id: str, memo: str | None = None) -> dict[str, Any]:
        return dict(self.remote_care("POST", f"/mobile/v1/filings/{filing_id}/revoke", {"memo": memo}))


# ---------------------------------------------------------------- the hospital


class Institution:
    """One institution at one national door: e-voucher (token demo-ec-<code> in development) or
    settlement (token demo-<code>, and a sign_no from 9001 on every business call)."""

    def __init__(
        self,
        base_url: str,
        fixmedins_code: str,
        token: str,
        *,
        admdvs: str,
        fixmedins_name: str,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.http = http or _http(base_url, timeout)
        self.code = fixmedins_code
        self.token = token
        self.admdvs = admdvs
        self.name = fixmedins_name
        self.sign_no = ""
        self._serial = itertools.count(secrets.randbelow(10000))

    def post(self, path: str, body: Mapping[str, Any]) -> Any:
        """POST a JSON body signed with this institution's gateway headers (paasid = its code)."""
        headers = {**gateway_headers(self.code, self.token), "content-type": "application/json"}
        answer = self.http.post(path, content=encode_json(body), headers=headers)
        try:
            return decode_json(answer.content)
        except ValueError:
            raise NationalRefusal(path, f"HTTP {answer.status_code}: {answer.text[:200]}", {}) from None

    def ec_query(
        self,
        qr_code: str,
        *,
        operator_id: str,
        operator_name: str,
        business_type: str = "01101",
        office_id: str = "",
        office_name: str = "",
    ) -> dict[str, Any]:
        """Decode the patient's QR code: identity fields and an ecToken good at this institution only."""
        data = {
            "qrCode": qr_code,
            "businessType": business_type,
            "operatorId": operator_id,
            "operatorName": operator_name,
            "officeId": office_id,
            "officeName": office_name,
        }
        answer = self.post(
            "/fsi/api/hsecfc/localQrCodeQuery", {"orgId": self.code, "transType": "ec.query", "data": data}
        )
        if answer.get("code") != 0:
            raise NationalRefusal("ec.query", str(answer.get("message")), answer)
        return dict(answer["data"])

    def msgid(self) -> str:
        """fixmedins_code + yyyyMMddHHmmss + 4 digits: unique for every call this credential sends."""
        return f"{self.code}{dt.datetime.now():%Y%m%d%H%M%S}{next(self._serial) % 10000:04d}"

    def call(self, infno: str, input_: Mapping[str, Any], *, insuplc_admdvs: str = "", msgid: str = "") -> Any:
        """One national envelope to callService; its output, or a NationalRefusal with err_msg."""
        envelope = {
            "infno": infno,
            "msgid": msgid or self.msgid(),
            "mdtrtarea_admvs": self.admdvs,
            "insuplc_admdvs": insuplc_admdvs,
            "recer_sys_code": "YBXT",
            "infver": "V1.0",
            "opter_type": "1",
            "opter": "001",
            "opter_name": "收费员",
            "inf_time": f"{dt.datetime.now():%Y-%m-%d %H:%M:%S}",
            "fixmedins_code": self.code,
            "fixmedins_name": self.name,
            "sign_no": self.sign_no,
            "input": dict(input_),
        }
        answer = self.post("/fsi/api/rsfComIfsService/callService", envelope)
        if str(answer.get("infcode")) != "0":
            raise NationalRefusal(infno, str(answer.get("err_msg")), answer)
        return answer["output"]

    def sign_in(self, opter_no: str = "001") -> str:
        """9001 at settlement: the sign_no every later settlement call carries (e-voucher needs none)."""
        out = self.call("9001", {"signIn": {"opter_no": opter_no, "mac": "", "ip": "127.0.0.1"}})
        self.sign_no = str(out["signinoutb"]["sign_no"])
        return self.sign_no

    # ------------------------------------------------------------ mobile payment at e-voucher

    def upload_order(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """6201: the order and its fee lines -> {payOrdId, payToken}."""
        return dict(self.call("6201", {"data": dict(data)}))

    def place_order(self, pay_ord_id: str, pay_token: str, pay_auth_no: str) -> dict[str, Any]:
        """6202: settle and charge an order the patient authorised; the answer is where it stands."""
        data = {"payOrdId": pay_ord_id, "payToken": pay_token, "payAuthNo": pay_auth_no}
        return dict(self.call("6202", {"data": data}))

    def query_order(self, pay_ord_id: str, pay_token: str) -> dict[str, Any]:
        """6301: the order, and whether its callback was delivered."""
        return dict(self.call("6301", {"data": {"payOrdId": pay_ord_id, "payToken": pay_token}}))

    def refund_order(self, pay_ord_id: str, pay_token: str) -> dict[str, Any]:
        """6203: reverse a paid order's settlement and refund the person's payment."""
        return dict(self.call("6203", {"data": {"payOrdId": pay_ord_id, "payToken": pay_token}}))


# ---------------------------------------------------------------- command line


def main(argv: list[str] | None = None, http: httpx.Client | None = None) -> int:
    """Development: log in, activate with the stand-in face check if need be, print a fresh QR code."""
    parser = argparse.ArgumentParser(description="Show a demo person's e-voucher QR code (development).")
    parser.add_argument("--evoucher-url", default="http://127.0.0.1:8004")
    commands = parser.add_subparsers(dest="command", required=True)
    qr = commands.add_parser("qr", help="log in, activate if needed, print {qr_code, expires_in}")
    qr.add_argument("--wechat-code", required=True, help="development: code-<anything>")
    qr.add_argument("--name", required=True)
    qr.add_argument("--certno", required=True)
    args = parser.parse_args(argv)

    phone = PhoneClient(args.evoucher_url, http=http)
    try:
        if phone.log_in(args.wechat_code)["voucher"] is None:
            phone.activate(args.name, args.certno, phone.face_check(args.name, args.certno))
        code = phone.show_code()
    except MobileError as exc:
        print(json.dumps(exc.problem, ensure_ascii=False, indent=2), file=sys.stderr)
        return 1
    print(json.dumps(code, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
