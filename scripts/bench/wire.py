"""A lean HTTP/1.1 keep-alive client on raw asyncio streams, for the load generator.

The load generator shares two cores with the system under test, so every microsecond it spends
per call is taken from the services it measures. This client does only what the benchmark's
calls need: the request is built as one bytes object and written in one go; the answer's status
line and headers are read in one `readuntil`, its body by Content-Length (or chunked, should a
service answer so). Connections are kept alive and reused, one per concurrent caller.

    async with Client("http://127.0.0.1:8000", limit=16) as client:
        answer = await client.post("/path", content=b"{...}", headers={"content-type": "application/json"})
        answer.status_code, answer.content, answer.json()

A transport failure raises `TransportError`; it is a `Refused`, so a caller that counts refusals
as errors counts these too, with the message kept.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from medshared import jsonutil

_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 64 * 1024


class Refused(Exception):
    """The system answered, but not with success (or did not answer at all: `TransportError`)."""


class TransportError(Refused):
    """The connection failed, was closed mid-answer, or the answer was not HTTP/1.1."""


class Response:
    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonutil.loads(self.content)


class _Connection:
    __slots__ = ("reader", "used", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.used = False

    def close(self) -> None:
        self.writer.close()


def _body_length(head: bytes) -> tuple[int, bool, bool]:
    """(Content-Length or -1, chunked, connection: close) from the raw header block."""
    lower = head.lower()
    length, chunked, close = -1, False, False
    at = lower.find(b"\r\ncontent-length:")
    if at >= 0:
        end = lower.find(b"\r\n", at + 17)
        length = int(lower[at + 17 : end if end >= 0 else None].strip())
    at = lower.find(b"\r\ntransfer-encoding:")
    if at >= 0:
        end = lower.find(b"\r\n", at + 20)
        chunked = b"chunked" in lower[at + 20 : end if end >= 0 else None]
    at = lower.find(b"\r\nconnection:")
    if at >= 0:
        end = lower.find(b"\r\n", at + 13)
        close = b"close" in lower[at + 13 : end if end >= 0 else None]
    return length, chunked, close


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip(), 16)
        if size == 0:
            # Trailers (normally none) up to the empty line.
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass
            return b"".join(parts)
        parts.append((await reader.readexactly(size + 2))[:-2])


async def read_response(reader: asyncio.StreamReader, method: str = "GET") -> tuple[Response, bool]:
    """One answer from the stream: (response, the server will close the connection)."""
    head = await reader.readuntil(_HEAD_END)
    if not head.startswith(b"HTTP/1."):
        raise TransportError(f"not an HTTP/1.x answer: {head[:60]!r}")
    status = int(head[9:12])
    length, chunked, close = _body_length(head[:-2])
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        body = b""
    elif chunked:
        body = await _read_chunked(reader)
    elif length >= 0:
        body = await reader.readexactly(length) if length else b""
    else:
        body, close = await reader.read(), True  # no length: the body runs to the end of the connection
    return Response(status, body), close


class Client:
    """Keep-alive connections to one origin, at most `limit` open; one caller uses one at a time."""

    def __init__(self, base_url: str, limit: int = 16, timeout: float = 60.0, connect_timeout: float = 5.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http":
            raise ValueError(f"only plain http is supported, not {base_url!r}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.host_header = f"Host: {parts.netloc}\r\n"
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.idle: list[_Connection] = []
        self.slots = asyncio.Semaphore(limit)
        self.open: set[_Connection] = set()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for conn in list(self.open):
            conn.close()
        self.open.clear()
        self.idle.clear()

    def build(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
        """The whole request as one bytes object."""
        lines = [f"{method} {self.prefix}{path} HTTP/1.1\r\n", self.host_header]
        if headers:
            lines += [f"{k}: {v}\r\n" for k, v in headers.items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}\r\n")
        lines.append("\r\n")
        return "".join(lines).encode() + body

    async def _connect(self) -> _Connection:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, limit=_MAX_HEAD), self.connect_timeout
            )
        except (OSError, TimeoutError) as exc:
            raise TransportError(f"cannot connect to {self.host}:{self.port}: {exc!r}") from exc
        conn = _Connection(reader, writer)
        self.open.add(conn)
        return conn

    def _drop(self, conn: _Connection) -> None:
        self.open.discard(conn)
        conn.close()

    async def send(self, method: str, request: bytes) -> Response:
        """Send prebuilt request bytes; a reused connection the server has closed is retried once on a new one."""
        async with self.slots:
            while True:
                conn = self.idle.pop() if self.idle else await self._connect()
                reused = conn.used
                try:
                    conn.writer.write(request)
                    async with asyncio.timeout(self.timeout):
                        response, close = await read_response(conn.reader, method)
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                    self._drop(conn)
                    stale = isinstance(exc, (ConnectionError, asyncio.IncompleteReadError)) and (
                        not isinstance(exc, asyncio.IncompleteReadError) or not exc.partial
                    )
                    if reused and stale:
                        continue  # the server closed an idle keep-alive connection: once more, fresh
                    raise TransportError(f"{method}: {exc!r}") from exc
                except TimeoutError as exc:
                    self._drop(conn)
                    raise TransportError(f"{method}: no answer within {self.timeout} s") from exc
                conn.used = True
                if close:
                    self._drop(conn)
                else:
                    self.idle.append(conn)
                return response

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Response:
        return await self.send("GET", self.build("GET", path, b"", headers))

    async def post(
        self, path: str, *, content: bytes | None = None, json: Any = None, headers: dict[str, str] | None = None
    ) -> Response:
        if json is not None:
            content = jsonutil.dumps(json).encode()
            headers = {"content-type": "application/json", **(headers or {})}
        return await self.send("POST", self.build("POST", path, content or b"", headers))
