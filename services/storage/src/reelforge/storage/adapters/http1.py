"""One HTTP/1.1 GET over one connection to an already checked address, built for big bodies.

The downloader needs little from HTTP: one GET per connection (no keep-alive, no proxy, no
cookies, no redirects), to a pinned IP address with the original host name in ``Host`` and in
the TLS SNI / certificate check. What it needs is speed on multi-GB bodies, where a general
client (httpcore + h11) copies every byte four to five times in Python (h11's receive buffer
appends, slices twice and deletes; httpcore copies once more). Here:

* the socket is read by an :class:`asyncio.BufferedProtocol` straight into a preallocated buffer
  (``recv_into``, no intermediate bytes object), up to `read_bytes` per chunk, with flow control
  (reading pauses while the consumer has not taken the buffer);
* the status line and headers are parsed by h11 (the same strict parser httpcore uses);
* a ``Content-Length`` body is then read directly: one copy per chunk (buffer -> bytes);
  chunked bodies and bodies delimited by the connection's end go through h11's readers.

Errors are :class:`TransportError` subclasses so the caller can retry them as network errors.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import AsyncIterator, Sequence
from typing import cast

import h11

MAX_HEADER_BYTES = 64 * 1024


class TransportError(Exception):
    """The connection failed, timed out or broke the protocol; worth retrying."""


class ConnectError(TransportError):
    """No connection (refused, unreachable, TLS handshake or certificate failure)."""


class ReadTimeoutError(TransportError):
    """The source sent nothing for longer than the read timeout."""


class ProtocolError(TransportError):
    """The source broke HTTP/1.1 (malformed head, early close, oversized headers)."""


class _Reader(asyncio.BufferedProtocol):
    """Receives into one buffer; :meth:`read` hands its content out and reading resumes."""

    def __init__(self, read_bytes: int) -> None:
        self._buffer = bytearray(read_bytes)
        self._view = memoryview(self._buffer)
        self._filled = 0
        self._eof = False
        self._error: Exception | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Not an isinstance check: uvloop's transports (uvicorn's loop) are not asyncio classes.
        self.transport = cast(asyncio.Transport, transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._view[self._filled :]

    def buffer_updated(self, nbytes: int) -> None:
        self._filled += nbytes
        if self._filled == len(self._buffer) and self.transport is not None:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._eof = True
        if exc is not None:
            self._error = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def read(self, timeout_s: float | None) -> bytes:
        """The bytes received since the last call (waiting for some); b"" at the end."""
        while self._filled == 0 and not self._eof:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(timeout_s):
                    await self._waiter
            except TimeoutError:
                raise ReadTimeoutError(f"nothing received for {timeout_s:g} s") from None
            finally:
                self._waiter = None
        if self._filled == 0:
            if self._error is not None:
                raise ProtocolError(f"connection broken: {self._error}") from self._error
            return b""
        data = bytes(self._view[: self._filled])
        self._filled = 0
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        return data


class Response:
    """Status and headers of a GET, and its body as a stream of chunks (read it once)."""

    def __init__(
        self,
        reader: _Reader,
        h11_conn: h11.Connection,
        status: int,
        headers: list[tuple[bytes, bytes]],
        rest: bytes,
        read_timeout_s: float | None,
    ) -> None:
        self._reader = reader
        self._h11 = h11_conn
        self.status = status
        self.headers = headers
        self._rest = rest
        self._read_timeout_s = read_timeout_s

    def header(self, name: str) -> str | None:
        wanted = name.lower().encode("ascii")
        for key, value in self.headers:
            if key == wanted:
                return value.decode("latin-1")
        return None

    async def aiter_stream(self) -> AsyncIterator[bytes]:
        length = self.header("content-length")
        chunked = self.header("transfer-encoding") is not None
        if length is not None and not chunked:
            async for chunk in self._sized_body(int(length)):
                yield chunk
        else:
            async for chunk in self._framed_body():
                yield chunk

    async def _sized_body(self, remaining: int) -> AsyncIterator[bytes]:
        data = self._rest
        self._rest = b""
        while remaining > 0:
            if not data:
                data = await self._reader.read(self._read_timeout_s)
                if not data:
                    raise ProtocolError(
                        f"the source closed the connection with {remaining} bytes still to send"
                    )
            if len(data) > remaining:
                data = data[:remaining]
            remaining -= len(data)
            yield data
            data = b""

    async def _framed_body(self) -> AsyncIterator[bytes]:
        """Chunked, or delimited by the end of the connection: h11 frames it."""
        pending = self._rest
        self._rest = b""
        while True:
            if pending:
                self._h11.receive_data(pending)
                pending = b""
            try:
                event = self._h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise ProtocolError(str(exc)) from exc
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                return
            elif event is h11.NEED_DATA:
                pending = await self._reader.read(self._read_timeout_s)
                if not pending:
                    self._h11.receive_data(b"")
            else:
                raise ProtocolError(f"unexpected {type(event).__name__} in the body")

    async def aclose(self) -> None:
        transport = self._reader.transport
        if transport is not None and not transport.is_closing():
            transport.abort()


async def get(
    *,
    address: str,
    port: int,
    target: str,
    headers: Sequence[tuple[str, str]],
    tls: ssl.SSLContext | None,
    server_hostname: str | None,
    connect_timeout_s: float,
    read_timeout_s: float,
    read_bytes: int,
) -> Response:
    """Send ``GET target`` to `address`:`port` (TLS when `tls` is given) and read the head."""
    loop = asyncio.get_running_loop()
    reader = _Reader(read_bytes)
    try:
        async with asyncio.timeout(connect_timeout_s):
            await loop.create_connection(
                lambda: reader,
                host=address,
                port=port,
                ssl=tls,
                server_hostname=(server_hostname or address) if tls is not None else None,
                ssl_handshake_timeout=connect_timeout_s if tls is not None else None,
            )
    except TimeoutError:
        raise ConnectError(f"connecting took longer than {connect_timeout_s:g} s") from None
    except ssl.SSLError as exc:
        raise ConnectError(f"TLS failed: {exc.reason or exc}") from exc
    except OSError as exc:
        raise ConnectError(f"connection failed: {exc.strerror or exc}") from exc
    transport = reader.transport
    assert transport is not None
    conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEADER_BYTES)
    try:
        transport.write(conn.send(h11.Request(method="GET", target=target, headers=list(headers))))
        transport.write(conn.send(h11.EndOfMessage()))
        status, response_headers, rest = await _read_head(conn, reader, read_timeout_s)
    except BaseException:
        transport.abort()
        raise
    return Response(reader, conn, status, response_headers, rest, read_timeout_s)


async def _read_head(
    conn: h11.Connection, reader: _Reader, read_timeout_s: float
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    """Status, headers (names lower-case) and the body bytes that came with the head.

    The head is cut off at its blank line here and only the head is given to h11, so the body
    that follows can be read without h11 (and is fed to it later only when it frames the body).
    """
    buffer = b""
    while True:
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(buffer) > MAX_HEADER_BYTES:
                raise ProtocolError(f"response head larger than {MAX_HEADER_BYTES} bytes")
            data = await reader.read(read_timeout_s)
            if not data:
                raise ProtocolError("the source closed the connection before its response")
            buffer += data
            continue
        head, buffer = buffer[: end + 4], buffer[end + 4 :]
        conn.receive_data(head)
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise ProtocolError(f"malformed response: {exc}") from exc
        if isinstance(event, h11.InformationalResponse):
            continue
        if isinstance(event, h11.Response):
            return event.status_code, [(k.lower(), v) for k, v in event.headers], buffer
        raise ProtocolError(f"unexpected {type(event).__name__} in the response head")
