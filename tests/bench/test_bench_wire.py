"""The lean HTTP/1.1 client the load generator drives the services with: bodies by length or chunked, keep-alive, a closed connection retried once, a refused connection counted as an error."""

import asyncio

import pytest
from bench import wire

ANSWERS = {
    b"/len": b'HTTP/1.1 200 OK\r\nContent-Length: 11\r\ncontent-type: application/json\r\n\r\n{"a": 1.50}',
    b"/chunked": b'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n5\r\n: 2.5\r\n1\r\n}\r\n0\r\n\r\n',
    b"/close": b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbusy",
    b"/empty": b"HTTP/1.1 204 No Content\r\n\r\n",
}


async def serve(seen, close_after=None):
    async def handle(reader, writer):
        served = 0
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = await reader.readexactly(length)
            seen.append((head, body))
            path = head.split(b" ")[1]
            writer.write(ANSWERS[path])
            await writer.drain()
            served += 1
            if path == b"/close" or (close_after and served >= close_after):
                break
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def run(coro):
    return asyncio.run(coro)


def test_body_by_length_chunked_and_json_with_decimals():
    async def go():
        seen = []
        server = await serve(seen)
        port = server.sockets[0].getsockname()[1]
        async with wire.Client(f"http://127.0.0.1:{port}", limit=2) as c:
            a = await c.post("/len", json={"x": 1})
            b = await c.get("/chunked")
            e = await c.get("/empty")
        server.close()
        return seen, a, b, e

    seen, a, b, e = run(go())
    from decimal import Decimal

    assert a.status_code == 200 and a.json() == {"a": Decimal("1.50")}
    assert b.status_code == 201 and b.content == b'{"a": 2.5}'
    assert e.status_code == 204 and e.content == b""
    assert seen[0][1] == b'{"x":1}'
    assert b"Content-Length: 7\r\n" in seen[0][0] and b"content-type: application/json" in seen[0][0]
    assert len({id(x) for x in seen}) == 3


def test_connection_close_is_honoured_and_a_stale_keepalive_connection_is_retried_once():
    async def go():
        seen = []
        server = await serve(seen, close_after=1)
        port = server.sockets[0].getsockname()[1]
        async with wire.Client(f"http://127.0.0.1:{port}", limit=1) as c:
            first = await c.get("/len")
            await asyncio.sleep(0.05)  # the server has closed the idle connection
            second = await c.get("/len")
            refused = await c.get("/close")
            third = await c.get("/len")
        server.close()
        return first, second, refused, third, len(seen)

    first, second, refused, third, n = run(go())
    assert first.status_code == second.status_code == third.status_code == 200
    assert refused.status_code == 503 and refused.text == "busy"
    assert n == 4


def test_no_server_is_a_transport_error_which_counts_as_a_refusal():
    async def go():
        async with wire.Client("http://127.0.0.1:9", limit=1) as c:
            await c.get("/len")

    with pytest.raises(wire.Refused) as info:
        run(go())
    assert isinstance(info.value, wire.TransportError)
