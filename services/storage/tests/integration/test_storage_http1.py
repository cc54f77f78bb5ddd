"""The downloader's HTTP/1.1 GET against a raw local TCP server that answers byte for byte."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from reelforge.storage.adapters import http1

pytestmark = pytest.mark.integration

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class RawServer:
    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[bytes] = []
        self.port = 0

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.requests.append(await reader.readuntil(b"\r\n\r\n"))
        try:
            await self.answer(reader, writer)
        finally:
            writer.close()


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[Answer], Awaitable[RawServer]]]:
    servers: list[asyncio.Server] = []

    async def start(answer: Answer) -> RawServer:
        raw = RawServer(answer)
        server = await asyncio.start_server(raw._handle, "127.0.0.1", 0)
        raw.port = server.sockets[0].getsockname()[1]
        servers.append(server)
        return raw

    yield start
    for server in servers:
        server.close()


async def get(port: int, read_bytes: int = 64 * 1024) -> http1.Response:
    return await http1.get(
        address="127.0.0.1",
        port=port,
        target="/v.mp4?sig=1",
        headers=[("Host", "videos.provider.test"), ("User-Agent", "test")],
        tls=None,
        server_hostname=None,
        connect_timeout_s=5,
        read_timeout_s=5,
        read_bytes=read_bytes,
    )


async def body_of(response: http1.Response) -> bytes:
    try:
        return b"".join([chunk async for chunk in response.aiter_stream()])
    finally:
        await response.aclose()


async def test_a_sized_body_arrives_whole_in_bounded_chunks_and_the_request_is_exact(
    raw_server,
) -> None:
    body = bytes(range(256)) * 4096  # 1 MiB

    async def answer(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Head and the first body bytes in one write, then the rest, then extra garbage.
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        writer.write(
            f'HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nETag: "v"\r\n\r\n'.encode()
            + body[:1000]
        )
        await writer.drain()
        writer.write(body[1000:] + b"not part of the body")
        await writer.drain()

    server = await raw_server(answer)
    response = await get(server.port, read_bytes=64 * 1024)
    assert (response.status, response.header("ETag")) == (200, '"v"')
    sizes: list[int] = []
    digest = hashlib.sha256()
    async for chunk in response.aiter_stream():
        sizes.append(len(chunk))
        digest.update(chunk)
    await response.aclose()
    assert digest.hexdigest() == hashlib.sha256(body).hexdigest()
    assert max(sizes) <= 64 * 1024
    assert server.requests[0].startswith(b"GET /v.mp4?sig=1 HTTP/1.1\r\n")
    assert b"host: videos.provider.test\r\n" in server.requests[0].lower()


async def test_chunked_and_connection_delimited_bodies_are_framed_by_h11(raw_server) -> None:
    async def chunked(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await writer.drain()
        writer.write(b"6\r\n world\r\n0\r\n\r\n")

    async def until_close(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")

    assert await body_of(await get((await raw_server(chunked)).port)) == b"hello world"
    assert await body_of(await get((await raw_server(until_close)).port)) == b"until the end"


async def test_broken_answers_are_transport_errors(raw_server) -> None:
    async def short(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this")

    async def huge_head(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\n" + b"X-Filler: " + b"a" * (2 * http1.MAX_HEADER_BYTES))
        await writer.drain()

    async def garbage(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"SSH-2.0-OpenSSH\r\n\r\n")

    with pytest.raises(http1.ProtocolError, match="91 bytes still to send"):
        await body_of(await get((await raw_server(short)).port))
    with pytest.raises(http1.ProtocolError, match="head larger"):
        await get((await raw_server(huge_head)).port)
    with pytest.raises(http1.ProtocolError, match="malformed"):
        await get((await raw_server(garbage)).port)


async def test_silence_is_a_read_timeout_and_a_closed_port_a_connect_error(raw_server) -> None:
    release = asyncio.Event()

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await release.wait()

    server = await raw_server(silent)
    with pytest.raises(http1.ReadTimeoutError):
        await http1.get(
            address="127.0.0.1",
            port=server.port,
            target="/",
            headers=[("Host", "x")],
            tls=None,
            server_hostname=None,
            connect_timeout_s=5,
            read_timeout_s=0.2,
            read_bytes=1024,
        )
    release.set()
    unused = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    free_port = unused.sockets[0].getsockname()[1]
    unused.close()
    await unused.wait_closed()
    with pytest.raises(http1.ConnectError):
        await get(free_port)


def test_it_works_on_uvloop_which_the_service_runs_under() -> None:
    """uvicorn runs the service on uvloop, whose transports are not asyncio's classes."""
    uvloop = pytest.importorskip("uvloop")
    body = b"x" * 300_000

    async def scenario() -> bytes:
        async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        async with server:
            return await body_of(await get(server.sockets[0].getsockname()[1]))

    assert uvloop.run(scenario()) == body
