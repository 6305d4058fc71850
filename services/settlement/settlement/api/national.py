"""The national front door over HTTP: one door, reached by the path shapes deployed HIS software uses.

The canonical path is /fsi/api/rsfComIfsService/callService. Deployed clients also post to
…/callService/{infno} and to the per-service paths of the provincial gateways
(/fsi/api/<service>/<method>, e.g. /fsi/api/signInSignOutService/signIn, /fsi/api/fileupload/upload):
the infno in the body picks the transaction everywhere, and one in the path must agree with it. Two
gateway door paths seen in deployed configurations are aliases too. The body is read as bytes whatever
the content type (application/json or text/plain), so amounts never pass through float.

Files: a 9101 may come as multipart/form-data, the national envelope in the text part `jsonStr` and the
file in the part `file` (MultipartUploads takes them apart before the edge checks the body); a 9102
answers the file itself as application/octet-stream, and a refusal as the JSON envelope (infcode -1),
which clients tell apart by the content type or by a body that starts with `{`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, Request, Response

from medshared import jsonutil, openapi
from medshared.openapi import GATEWAY, NationalAnswer, national_request_schema
from settlement.domain.files import MIB, basename, size_text
from settlement.door import FrontDoor
from settlement.door.frontdoor import Attachment
from settlement.usecases.common import FileAnswer

CANONICAL_PATH = "/fsi/api/rsfComIfsService/callService"
# Gateways' own door paths, configured in deployed clients as fixed suffixes.
ALIASES = ("/uif-hsaf-med-api/api/medical/service", "/mbs/fmi/fsi/api/callFsiService/callService")
# Every door path, for the edge's upload limit: a 9101 body may carry a file of up to the configured size.
DOOR_PATHS = ("/fsi/api", *ALIASES)
# What a multipart 9101 may carry beside its file: the envelope and the parts' headers.
ENVELOPE_ROOM = 1 * MIB
ATTACHMENT_STATE = "national_attachment"


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]


_ENVELOPE = national_request_schema(
    description="the transaction's input node as the national interface defines it for the infno, e.g. "
    '{"data": {...}} (docs/his-integration.md lists every transaction the door answers)'
)
# The body is read as bytes whatever its content type; a 9101 may come as multipart/form-data.
DOOR_BODY = {
    "requestBody": {
        "required": True,
        "description": "the national envelope (入参公共报文); text/plain is read as JSON too",
        "content": {
            "application/json": {"schema": _ENVELOPE},
            "text/plain": {"schema": _ENVELOPE},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "jsonStr": {"type": "string", "description": "the 9101 envelope as JSON text"},
                        "file": {"type": "string", "format": "binary", "description": "the file's bytes"},
                    },
                    "required": ["jsonStr", "file"],
                }
            },
        },
    }
}
_REFUSED = "the national envelope with infcode -1 and err_msg naming the header or field to fix"
DOOR_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": NationalAnswer,
        "description": "the national envelope (出参公共报文): infcode 0 with output, or -1 with err_msg; a 9102 "
        "answers the file itself (application/octet-stream, named in Content-Disposition)",
        "content": openapi.file_response("application/octet-stream", "the 9102 file")["content"],
    },
    401: {"model": NationalAnswer, "description": "the x-tif signature is missing or wrong: " + _REFUSED},
    403: {"model": NationalAnswer, "description": "the credential may not act for this fixmedins_code: " + _REFUSED},
    429: {"model": NationalAnswer, "description": "too many calls from this institution: " + _REFUSED},
}


def router(front_door: FrontDoor) -> APIRouter:
    api = APIRouter(tags=["national interface"])

    def answer(request: Request, body: bytes, infno: str | None = None) -> Response:
        attachment = getattr(request.state, ATTACHMENT_STATE, None)
        status, output = front_door.call(request.headers, body, path_infno=infno, attachment=attachment)
        if isinstance(output, FileAnswer):
            return file_response(output)
        return Response(jsonutil.dumps(output), status_code=status, media_type="application/json")

    @api.post(
        CANONICAL_PATH,
        response_model=None,
        dependencies=GATEWAY,
        responses=DOOR_RESPONSES,
        openapi_extra=DOOR_BODY,
    )
    def call_service(request: Request, body: RawBody) -> Response:
        """National envelope in (infno, msgid, input), national envelope out (infcode, output, err_msg);
        9102 answers the file (application/octet-stream)."""
        return answer(request, body)

    @api.post(CANONICAL_PATH + "/{infno}", include_in_schema=False)
    def call_service_infno(infno: str, request: Request, body: RawBody) -> Response:
        """The same door with the infno in the path (…/callService/2207)."""
        return answer(request, body, infno)

    @api.post("/fsi/api/{service}/{method}", include_in_schema=False)
    def per_service(service: str, method: str, request: Request, body: RawBody) -> Response:
        """The provincial per-service paths (/fsi/api/<service>/<method>): the body's infno decides."""
        return answer(request, body)

    for alias in ALIASES:
        api.add_api_route(alias, call_service, methods=["POST"], include_in_schema=False)
    return api


def file_response(file: FileAnswer) -> Response:
    """The 9102 answer: the bytes, named in Content-Disposition (RFC 6266: an ASCII name, and the
    UTF-8 one for a Chinese filename)."""
    name = basename(file.filename) or "file.zip"
    ascii_name = name if name.isascii() and '"' not in name else "file" + _ending(name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return Response(file.content, media_type="application/octet-stream", headers={"Content-Disposition": disposition})


def _ending(name: str) -> str:
    match = re.search(r"(\.[A-Za-z0-9]{1,8})+$", name)
    return match.group(0) if match else ""


# ---------------------------------------------------------------- multipart/form-data 9101

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class MultipartUploads:
    """ASGI middleware, outside the edge: a multipart/form-data post to a door path is taken apart
    here. Its `jsonStr` part (the envelope, as UTF-8) goes on as the request body, which the edge
    checks as it checks every national body; its `file` part travels beside it in the request state
    (an Attachment). Reading stops once the body is over the largest file plus ENVELOPE_ROOM; the
    door then refuses the call naming the limit."""

    def __init__(self, app: ASGIApp, *, max_file_bytes: int) -> None:
        self.app = app
        self.max_file_bytes = max_file_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        content_type = _header(scope, b"content-type")
        if scope["type"] != "http" or not _on_door(scope) or not content_type.lower().startswith("multipart/"):
            await self.app(scope, receive, send)
            return
        limit = self.max_file_bytes + ENVELOPE_ROOM
        body = await _read_at_most(scope, receive, limit)
        if body is None:
            attachment, envelope = Attachment(refusal=self._too_large()), b""
        else:
            attachment, envelope = take_apart(body, content_type)
        del body  # the file goes on in the attachment, the envelope as the body: no third copy
        scope.setdefault("state", {})[ATTACHMENT_STATE] = attachment
        await self.app(scope, _replay(envelope, receive), send)

    def _too_large(self) -> str:
        return (
            f"the multipart body is over {size_text(self.max_file_bytes + ENVELOPE_ROOM)}; a 9101 file may be "
            f"at most {size_text(self.max_file_bytes)}: send a smaller file (split the detail into several uploads)"
        )


def take_apart(body: bytes, content_type: str) -> tuple[Attachment, bytes]:
    """The file part and the envelope (UTF-8) of a multipart/form-data 9101, or a refusal and no envelope."""
    parts = parse_multipart(body, content_type)
    if parts is None:
        return Attachment(refusal=_NOT_MULTIPART), b""
    by_name = {part.name.lower(): part for part in parts}
    envelope = by_name.get("jsonstr") or _only([p for p in parts if p.filename is None])
    file = by_name.get("file") or _only([p for p in parts if p.filename is not None and p is not envelope])
    if envelope is None or file is None or file is envelope:
        return Attachment(refusal=_NOT_MULTIPART), b""
    return Attachment(content=file.content, filename=basename(file.filename or "")), _as_utf8(envelope)


_NOT_MULTIPART = (
    "a multipart/form-data 9101 must have two parts: jsonStr (the national envelope as JSON text) and "
    "file (the file's bytes)"
)


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    filename: str | None  # None for a text part
    charset: str | None
    content: bytes


def parse_multipart(body: bytes, content_type: str) -> list[Part] | None:
    """The parts of a multipart/form-data body (RFC 7578), or None when it is not one. Lines end in CRLF
    or, from a few hand-written clients, in LF alone."""
    boundary = _parameter(content_type, "boundary")
    if not boundary:
        return None
    delimiter = b"--" + boundary.encode("latin-1")
    start = body.find(delimiter)
    if start < 0:
        return None
    parts: list[Part] = []
    position = start + len(delimiter)
    while not body.startswith(b"--", position):
        position = _after_line_end(body, position)
        head_end, gap = body.find(b"\r\n\r\n", position), 4
        lf_end = body.find(b"\n\n", position)
        if head_end < 0 or 0 <= lf_end < head_end:
            head_end, gap = lf_end, 2
        if head_end < 0:
            return None
        headers = _part_headers(body[position:head_end])
        content_start = head_end + gap
        end = body.find(b"\r\n" + delimiter, content_start)
        step = 2
        if end < 0:
            end, step = body.find(b"\n" + delimiter, content_start), 1
        if end < 0:
            return None
        disposition = headers.get("content-disposition", "")
        parts.append(
            Part(
                _parameter(disposition, "name") or "",
                _filename(disposition),
                _parameter(headers.get("content-type", ""), "charset"),
                body[content_start:end],
            )
        )
        position = end + step + len(delimiter)
    return parts


def _after_line_end(body: bytes, position: int) -> int:
    if body.startswith(b"\r\n", position):
        return position + 2
    if body.startswith(b"\n", position):
        return position + 1
    return position


def _part_headers(raw: bytes) -> dict[str, str]:
    text = _decode_text(raw, None)
    headers = {}
    for line in re.split(r"\r?\n", text):
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers


def _parameter(header: str, name: str) -> str | None:
    match = re.search(rf'(?:^|;)\s*{name}\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))', header, re.IGNORECASE)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def _filename(disposition: str) -> str | None:
    extended = _parameter(disposition, r"filename\*")
    if extended and "''" in extended:
        charset, _, encoded = extended.partition("''")
        return unquote(encoded, encoding=charset or "utf-8", errors="replace")
    return _parameter(disposition, "filename")


def _decode_text(raw: bytes, charset: str | None) -> str:
    """UTF-8, else the charset the part declares, else GB18030 (GBK), as Chinese HIS software writes."""
    for encoding in ("utf-8", charset, "gb18030"):
        if encoding:
            try:
                return raw.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                continue
    return raw.decode("utf-8", errors="replace")


def _as_utf8(part: Part) -> bytes:
    try:
        part.content.decode("utf-8")
        return part.content
    except UnicodeDecodeError:
        return _decode_text(part.content, part.charset).encode("utf-8")


def _only(parts: list[Part]) -> Part | None:
    return parts[0] if len(parts) == 1 else None


def _on_door(scope: Scope) -> bool:
    path = str(scope.get("path", "")).rstrip("/")
    return any(path == p or path.startswith(p + "/") for p in DOOR_PATHS)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return ""


async def _read_at_most(scope: Scope, receive: Receive, limit: int) -> bytes | None:
    """The body, or None once it is over `limit` (declared in Content-Length, or as it arrives)."""
    declared = _header(scope, b"content-length")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
