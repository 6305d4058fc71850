"""What a request may carry, checked before any route or transaction sees it.

A body that is too large, not UTF-8, nested absurdly deep, or that carries text no
database column can hold (NUL characters, unpaired surrogates) is refused here, in the
words its caller reads: problem details on REST paths, infcode -1 on the national
gateway paths. PostgreSQL refuses NUL in text and every driver refuses lone surrogates,
so letting them through would turn a bad request into a 500 deep inside a handler.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.responses import JSONResponse, Response

from medshared import jsonutil, national
from medshared.problems import problem_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 1024 * 1024
# Bulk uploads (the yearly resident collection as CSV) are the one place a large body is expected:
# only the paths a service names as its upload routes take this much, whatever the content type says.
MAX_UPLOAD_BYTES = 32 * 1024 * 1024
# The national envelope nests three levels; REST payloads a few more. Deep nesting only serves to
# exhaust recursive parsers and validators.
MAX_JSON_DEPTH = 32
NATIONAL_PREFIX = "/fsi/"
QR_QUERY_PREFIX = "/fsi/api/hsecfc/"


class Refusal(Exception):
    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


# Whether this request may send an upload-sized body (e.g. it carries a credential allowed to import).
MayUpload = Callable[[Scope], bool]


def install(
    app: Any,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_upload_bytes: int = MAX_UPLOAD_BYTES,
    upload_paths: Iterable[str] = (),
    may_upload: MayUpload | None = None,
) -> None:
    """`upload_paths`: the routes (a path and everything under it) that take bodies up to
    `max_upload_bytes`; with `may_upload`, only for requests it allows. Everything else: `max_body_bytes`."""
    app.add_middleware(
        RequestGuard,
        max_body_bytes=max_body_bytes,
        max_upload_bytes=max_upload_bytes,
        upload_paths=tuple(upload_paths),
        may_upload=may_upload,
    )


class RequestGuard:
    """ASGI middleware: reads the body once (bounded), checks it, then replays it to the app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
        upload_paths: tuple[str, ...] = (),
        may_upload: MayUpload | None = None,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = tuple(path.rstrip("/") for path in upload_paths)
        self.may_upload = may_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            check_target(scope.get("raw_path") or scope["path"].encode(), scope.get("query_string", b""))
            body = await self._read_body(scope, receive)
            if body and (_is_national(scope) or _declares_json(scope)):
                check_json(body)
        except Refusal as refusal:
            await _answer(scope, refusal)(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    def _limit(self, scope: Scope) -> int:
        path = str(scope["path"]).rstrip("/")
        on_upload_route = any(path == p or path.startswith(p + "/") for p in self.upload_paths)
        if on_upload_route and (self.may_upload is None or self.may_upload(scope)):
            return self.max_upload_bytes
        return self.max_body_bytes

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        limit = self._limit(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise too_large(limit)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise too_large(limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


def too_large(limit: int) -> Refusal:
    return Refusal(
        413,
        "body_too_large",
        "Request body too large",
        f"the request body is over {limit} bytes; send less per request",
    )


def check_target(raw_path: bytes, query: bytes) -> None:
    """A NUL in the path or query reaches database lookups as text no column can hold."""
    if b"\x00" in unquote_to_bytes(raw_path) or b"\x00" in unquote_to_bytes(query):
        raise Refusal(400, "bad_text", "Invalid request", "the address contains a NUL character (%00); remove it")
    try:
        unquote_to_bytes(raw_path).decode("utf-8")
        unquote_to_bytes(query.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "bad_encoding", "Invalid request", "the address is not UTF-8 once percent-decoded") from None


def check_json(body: bytes) -> None:
    """Refuse JSON no handler can store safely. Malformed JSON is left to the route's own message."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refusal(
            400,
            "bad_encoding",
            "Invalid request",
            f"the body is not UTF-8 (byte {exc.start}); send JSON encoded as UTF-8",
        ) from None
    # A JSON string holds a NUL or a lone surrogate only through a \u escape (raw control characters
    # are malformed, and valid UTF-8 carries no surrogate), and no value nests deeper than the brackets
    # sent: most bodies need no parse here, and one without escapes needs no look at its strings.
    escaped = "\\u" in text
    if not escaped and text.count("{") + text.count("[") <= MAX_JSON_DEPTH:
        return
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    except ValueError:
        return
    _check_value(value, strings=escaped)


def _too_deep() -> Refusal:
    return Refusal(400, "too_deep", "Invalid request", f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")


def _check_value(value: Any, *, strings: bool = True) -> None:
    # Iterative, so the walk itself cannot be exhausted by the nesting it is there to bound.
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if strings:
                _check_text(item)
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise _too_deep()
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if strings and isinstance(key, str):
                    _check_text(key)
                stack.append((child, depth + 1))


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise Refusal(422, "bad_text", "Invalid request", "a text value contains a NUL character (\\u0000); remove it")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise Refusal(
            422, "bad_text", "Invalid request", "a text value contains an unpaired UTF-16 surrogate (\\ud800-\\udfff)"
        ) from None


def _answer(scope: Scope, refusal: Refusal) -> Response:
    if not _is_national(scope):
        return problem_response(refusal.status, refusal.title, refusal.detail, code=refusal.code)
    # National callers read infcode/code, never the HTTP status, as the national gateway answers.
    if scope["path"].startswith(QR_QUERY_PREFIX):
        return JSONResponse({"orgId": "", "code": -1, "message": refusal.detail, "data": None})
    now = dt.datetime.now()
    answer = national.response(admdvs=_admdvs(scope), received=now, err_msg=refusal.detail)
    return Response(jsonutil.dumps(answer), media_type="application/json")


def _admdvs(scope: Scope) -> str:
    """The receiving pool that prefixes inf_refmsgid, from the service's own settings."""
    settings = getattr(getattr(scope.get("app"), "state", None), "settings", None)
    return str(getattr(settings, "platform_admdvs", None) or getattr(settings, "admdvs", None) or "000000")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _content_type(scope: Scope) -> str:
    return (_header(scope, b"content-type") or "").split(";")[0].strip().lower()


def _declares_json(scope: Scope) -> bool:
    kind = _content_type(scope)
    return kind == "application/json" or kind.endswith("+json")


def _is_national(scope: Scope) -> bool:
    return str(scope["path"]).startswith(NATIONAL_PREFIX)
