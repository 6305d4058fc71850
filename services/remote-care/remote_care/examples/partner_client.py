"""A partner province's client for remote-care's /partner/v1, request signing included.

It needs only httpx and the Python standard library: copy this one file into your own system.
docs/partner-integration.md walks through it step by step; remote-care's tests and the
end-to-end suite run it against the service, so the guide and the service cannot drift apart.

    python -m remote_care.examples.partner_client --base-url http://127.0.0.1:8003 \\
        --key partner-430000 --secret dev-partner-secret-430000 statements --period 2026-01

Every request carries four headers: the key id, the unix time in seconds, a fresh nonce and
the signature, the lowercase hex HMAC-SHA256 (keyed with the partner's secret) of five lines
joined by "\\n": the method, the path with its query string exactly as sent, the timestamp,
the nonce and the lowercase hex SHA-256 of the body bytes exactly as sent.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import httpx

KEY_HEADER = "x-partner-key"
TIMESTAMP_HEADER = "x-partner-timestamp"
NONCE_HEADER = "x-partner-nonce"
SIGNATURE_HEADER = "x-partner-signature"


def body_digest(body: bytes) -> str:
    """Lowercase hex SHA-256 of the body bytes exactly as sent (of no bytes at all for a GET)."""
    return hashlib.sha256(body).hexdigest()


def string_to_sign(method: str, path_and_query: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Five lines joined by one "\\n", none after the last: METHOD, path?query, timestamp, nonce, body digest."""
    return "\n".join([method.upper(), path_and_query, timestamp, nonce, body_digest(body)])


def signature(secret: str, message: str) -> str:
    """Lowercase hex HMAC-SHA256 of the string to sign, both it and the secret encoded as UTF-8."""
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def signed_headers(
    key_id: str,
    secret: str,
    method: str,
    path_and_query: str,
    body: bytes = b"",
    *,
    timestamp: str | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The four headers of one request; a fresh nonce and the current time unless given."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(16)
    message = string_to_sign(method, path_and_query, timestamp, nonce, body)
    return {
        KEY_HEADER: key_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(secret, message),
    }


def path_with_query(path: str, params: Mapping[str, Any] | None = None) -> str:
    """The request target as sent and as signed: the path, then "?" and the encoded query, if any."""
    query = urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None})
    return f"{path}?{query}" if query else path


def encode_body(body: Any) -> bytes:
    """The JSON bytes sent (and hashed); no bytes at all when there is no body."""
    if body is None:
        return b""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class PartnerError(Exception):
    """remote-care refused the request: its RFC 9457 problem details (status, code, detail)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.code = str(problem.get("code", ""))
        self.detail = str(problem.get("detail", ""))
        super().__init__(f"{status} {self.code}: {self.detail}")


class PartnerClient:
    """One partner key's session with remote-care: every /partner/v1 route, each request signed."""

    def __init__(
        self, base_url: str, key_id: str, secret: str, *, http: httpx.Client | None = None, timeout: float = 10.0
    ) -> None:
        self.http = http or httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout, connect=3.0))
        self.key_id = key_id
        self.secret = secret

    def request(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> httpx.Response:
        """Send one signed request; the answer as it came (for the status and problem details)."""
        target = path_with_query(path, params)
        content = encode_body(body)
        headers = signed_headers(self.key_id, self.secret, method, target, content)
        if body is not None:
            headers["content-type"] = "application/json"
        return self.http.request(method, target, content=content, headers=headers)

    def call(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None) -> Any:
        """Send one signed request and return its JSON; a PartnerError for any refusal."""
        answer = self.request(method, path, params=params, body=body)
        if answer.status_code >= 400:
            raise PartnerError(answer.status_code, answer.json())
        return answer.json()

    # ---------------------------------------------------------------- people and filings

    def person(self, psn_no: str) -> Any:
        return self.call("GET", f"/partner/v1/people/{psn_no}")

    def file(self, filing: Mapping[str, Any]) -> Any:
        """File for a person insured in the province; the filing takes effect at once."""
        return self.call("POST", "/partner/v1/filings", body=dict(filing))

    def filings(self, *, psn_no: str | None = None, status: str | None = None) -> Any:
        return self.call("GET", "/partner/v1/filings", params={"psn_no": psn_no, "status": status})

    def revoke_filing(self, filing_id: str, memo: str | None = None) -> Any:
        return self.call("POST", f"/partner/v1/filings/{filing_id}/revoke", body={"memo": memo} if memo else {})

    # ---------------------------------------------------------------- city-pair statements

    def statements(self, period: str | None = None) -> Any:
        return self.call("GET", "/partner/v1/statements", params={"period": period})

    def statement(self, statement_id: str) -> Any:
        return self.call("GET", f"/partner/v1/statements/{statement_id}")

    def lines(self, statement_id: str, startrow: int = 1) -> Any:
        return self.call("GET", f"/partner/v1/statements/{statement_id}/lines", params={"startrow": startrow})

    def all_lines(self, statement_id: str) -> Iterator[dict[str, Any]]:
        """Every line of a statement, page after page (100 a page)."""
        startrow = 1
        while True:
            page = self.lines(statement_id, startrow)
            yield from page["lines"]
            startrow += len(page["lines"])
            if not page["lines"] or startrow > page["totalrow"]:
                return

    def history(self, statement_id: str) -> Any:
        return self.call("GET", f"/partner/v1/statements/{statement_id}/history")

    def confirm(self, statement_id: str) -> Any:
        return self.call("POST", f"/partner/v1/statements/{statement_id}/confirm")

    def dispute(self, statement_id: str, reason: str) -> Any:
        return self.call("POST", f"/partner/v1/statements/{statement_id}/dispute", body={"reason": reason})

    def previews(self, period: str | None = None) -> Any:
        """This month's statements (or another month's not yet issued) as they stand now; not confirmable."""
        return self.call("GET", "/partner/v1/statements/preview", params={"period": period})

    def preview_lines(self, period: str, insured_admdvs: str, treating_admdvs: str, startrow: int = 1) -> Any:
        params = {
            "period": period,
            "insured_admdvs": insured_admdvs,
            "treating_admdvs": treating_admdvs,
            "startrow": startrow,
        }
        return self.call("GET", "/partner/v1/statements/preview/lines", params=params)

    # ---------------------------------------------------------------- province-pair statements

    def province_statements(self, period: str | None = None) -> Any:
        return self.call("GET", "/partner/v1/province-statements", params={"period": period})

    def province_statement(self, province_statement_id: str) -> Any:
        return self.call("GET", f"/partner/v1/province-statements/{province_statement_id}")

    def confirm_province_statement(self, province_statement_id: str) -> Any:
        return self.call("POST", f"/partner/v1/province-statements/{province_statement_id}/confirm")

    def province_previews(self, period: str | None = None) -> Any:
        return self.call("GET", "/partner/v1/province-statements/preview", params={"period": period})


def main(argv: list[str] | None = None, http: httpx.Client | None = None) -> int:
    """The command line: one signed call, its answer (or problem details) printed as JSON."""
    parser = argparse.ArgumentParser(description="Call remote-care's partner API with a signed request.")
    parser.add_argument("--base-url", default="http://127.0.0.1:8003")
    parser.add_argument("--key", default="partner-430000", help="x-partner-key (development: partner-430000)")
    parser.add_argument("--secret", default="dev-partner-secret-430000", help="the key's shared secret")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("person").add_argument("psn_no")
    for name in ("statements", "preview", "province-statements", "province-preview"):
        commands.add_parser(name).add_argument("--period")
    for name in ("statement", "lines", "history", "confirm", "province-statement", "confirm-province-statement"):
        commands.add_parser(name).add_argument("statement_id")
    dispute = commands.add_parser("dispute")
    dispute.add_argument("statement_id")
    dispute.add_argument("reason")
    args = parser.parse_args(argv)

    client = PartnerClient(args.base_url, args.key, args.secret, http=http)
    calls: dict[str, Callable[[], Any]] = {
        "person": lambda: client.person(args.psn_no),
        "statements": lambda: client.statements(args.period),
        "preview": lambda: client.previews(args.period),
        "province-statements": lambda: client.province_statements(args.period),
        "province-preview": lambda: client.province_previews(args.period),
        "statement": lambda: client.statement(args.statement_id),
        "lines": lambda: list(client.all_lines(args.statement_id)),
        "history": lambda: client.history(args.statement_id),
        "confirm": lambda: client.confirm(args.statement_id),
        "province-statement": lambda: client.province_statement(args.statement_id),
        "confirm-province-statement": lambda: client.confirm_province_statement(args.statement_id),
        "dispute": lambda: client.dispute(args.statement_id, args.reason),
    }
    try:
        answer = calls[args.command]()
    except PartnerError as exc:
        print(json.dumps(exc.problem, ensure_ascii=False, indent=2), file=sys.stderr)
        return 1
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
