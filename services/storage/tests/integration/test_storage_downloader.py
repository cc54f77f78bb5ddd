"""The downloader against a real local HTTP(S) server that breaks, redirects and lies."""

from __future__ import annotations

import hashlib
import ipaddress
import ssl
import threading
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from reelforge.storage.adapters.downloader import Downloader
from reelforge.storage.adapters.object_store import LocalObjectStore
from reelforge.storage.domain.download_policy import (
    DownloadError,
    DownloadErrorCode,
    DownloadPolicy,
    IPAddress,
    parse_networks,
)

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
NAMES = {
    "videos.provider.test": "127.0.0.1",
    "cdn.provider.test": "127.0.0.1",
    "internal.provider.test": "10.0.0.7",
    "metadata.provider.test": "169.254.169.254",
}


class FakeDNS:
    """Resolves the test names; records every lookup. The system resolver knows none of them."""

    def __init__(self) -> None:
        self.lookups: list[str] = []

    async def __call__(self, host: str, port: int) -> Sequence[IPAddress]:
        self.lookups.append(host)
        return [ipaddress.ip_address(NAMES[host])]


def make_policy(*, loopback_allowed: bool = True, **overrides: Any) -> DownloadPolicy:
    settings: dict[str, Any] = {
        "allowed_hosts": {"heygen": ["*.provider.test", "127.0.0.1"]},
        "allow_http_hosts": frozenset({"*.provider.test", "127.0.0.1"}),
        "allowed_networks": parse_networks(["127.0.0.0/8"] if loopback_allowed else []),
        "max_redirects": 3,
    }
    settings.update(overrides)
    return DownloadPolicy(**settings)


def make_downloader(policy: DownloadPolicy | None = None, **options: Any) -> Downloader:
    options.setdefault("resolver", FakeDNS())
    options.setdefault("retry_backoff_s", 0.0)
    options.setdefault("max_attempts", 4)
    return Downloader(policy or make_policy(), **options)


class RecordingSink:
    """Collects the chunks of each call, so a test can see restarts."""

    def __init__(self) -> None:
        self.calls: list[bytes] = []

    async def __call__(self, chunks: AsyncIterator[bytes]) -> int:
        self.calls.append(b"")
        async for chunk in chunks:
            self.calls[-1] += chunk
        return len(self.calls[-1])


def local_store(root: Path) -> LocalObjectStore:
    return LocalObjectStore(
        root,
        public_base_url="http://127.0.0.1:1",
        signing_key=SecretStr("s" * 32),
        part_bytes=5 * MIB,
        max_concurrency=2,
    )


async def test_a_download_cut_half_way_resumes_with_range_and_the_checksum_is_right(
    source_server, make_bytes, tmp_path: Path, route
) -> None:
    body = make_bytes(6 * MIB)
    served = source_server.add("/v.mp4", route(body=body, cut_after=3 * MIB + 123))
    store = local_store(tmp_path)

    async def upload(chunks: AsyncIterator[bytes]) -> None:
        await store.put_stream("t/v.mp4", chunks, content_type="video/mp4")

    async with make_downloader() as downloader:
        _, result = await downloader.fetch(
            source_server.url("/v.mp4", "videos.provider.test"), "heygen", upload
        )
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.size_bytes == len(body)
    assert (result.resumes, result.restarts, result.attempts) == (1, 0, 2)
    assert (tmp_path / "t/v.mp4").read_bytes() == body
    resumed_from = int(served.requests[1]["range"].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= 3 * MIB + 123
    assert served.requests[1]["if-range"] == '"v1"'


async def test_a_cut_download_restarts_from_zero_when_the_source_has_no_ranges(
    source_server, make_bytes, tmp_path: Path, route
) -> None:
    body = make_bytes(3 * MIB)
    served = source_server.add("/v.mp4", route(body=body, ranges=False, cut_after=MIB))
    sink = RecordingSink()
    async with make_downloader() as downloader:
        size, result = await downloader.fetch(
            source_server.url("/v.mp4", "videos.provider.test"), "heygen", sink
        )
    assert len(sink.calls) == 2
    assert len(sink.calls[0]) <= MIB
    assert sink.calls[1] == body
    assert size == len(body) == result.size_bytes
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert (result.restarts, result.resumes) == (1, 0)
    assert "range" not in served.requests[1]


async def test_a_changed_source_is_not_spliced_it_restarts(
    source_server, make_bytes, route
) -> None:
    old, new = make_bytes(2 * MIB, seed=1), make_bytes(2 * MIB, seed=2)
    served = source_server.add("/v.mp4", route(body=old, cut_after=MIB))

    class SwapAfterFirstChunk(RecordingSink):
        async def __call__(self, chunks: AsyncIterator[bytes]) -> int:
            self.calls.append(b"")
            async for chunk in chunks:
                served.body, served.etag = new, '"v2"'
                self.calls[-1] += chunk
            return len(self.calls[-1])

    sink = SwapAfterFirstChunk()
    async with make_downloader() as downloader:
        _, result = await downloader.fetch(
            source_server.url("/v.mp4", "videos.provider.test"), "heygen", sink
        )
    assert sink.calls[-1] == new
    assert result.sha256 == hashlib.sha256(new).hexdigest()
    assert result.restarts == 1


async def test_server_errors_are_retried_then_succeed(source_server, make_bytes, route) -> None:
    body = make_bytes(100_000)
    served = source_server.add("/v.mp4", route(body=body, failures_before_success=2))
    async with make_downloader() as downloader:
        _, result = await downloader.fetch(
            source_server.url("/v.mp4", "videos.provider.test"), "heygen", RecordingSink()
        )
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.attempts == 3
    assert len(served.requests) == 3


async def test_a_source_that_keeps_breaking_fails_with_download_failed(
    source_server, make_bytes, route
) -> None:
    source_server.add("/v.mp4", route(body=make_bytes(MIB), cut_after=1000, cuts=99))
    async with make_downloader(max_attempts=3) as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(
                source_server.url("/v.mp4", "videos.provider.test"), "heygen", RecordingSink()
            )
    assert caught.value.code.value == "download_failed"
    assert caught.value.retryable
    assert "3 times" in caught.value.message


async def test_client_errors_fail_at_once(source_server, route) -> None:
    served = source_server.add("/gone.mp4", route(status=403))
    async with make_downloader() as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(
                source_server.url("/gone.mp4", "videos.provider.test"), "heygen", RecordingSink()
            )
    assert caught.value.code.value == "download_failed"
    assert "403" in caught.value.message
    assert not caught.value.retryable
    assert len(served.requests) == 1


async def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    source_server, make_bytes, route
) -> None:
    body = make_bytes(1000)
    served = source_server.add("/v.mp4", route(body=body))
    dns = FakeDNS()
    async with make_downloader(resolver=dns) as downloader:
        _, result = await downloader.fetch(
            source_server.url("/v.mp4", "videos.provider.test"), "heygen", RecordingSink()
        )
    # The system resolver cannot resolve *.test: the request arrived, so the connection used
    # the address our resolver returned, with the original name in the Host header.
    assert result.size_bytes == 1000
    assert dns.lookups == ["videos.provider.test"]
    assert served.requests[0]["host"] == f"videos.provider.test:{source_server.port}"


async def test_https_connects_to_the_checked_address_and_verifies_the_certificate_name(
    tls_source_server, tls_material: tuple[Path, Path], make_bytes, route
) -> None:
    cert, _ = tls_material
    body = make_bytes(200_000)
    tls_source_server.add("/v.mp4", route(body=body))
    trust = ssl.create_default_context(cafile=str(cert))
    policy = make_policy(allow_http_hosts=frozenset())
    async with make_downloader(policy, verify=trust) as downloader:
        _, result = await downloader.fetch(
            tls_source_server.url("/v.mp4", "videos.provider.test"), "heygen", RecordingSink()
        )
        assert result.sha256 == hashlib.sha256(body).hexdigest()
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(
                tls_source_server.url("/v.mp4", "cdn.provider.test"), "heygen", RecordingSink()
            )
        assert "certificate" in caught.value.message.lower()


async def test_a_failed_name_lookup_is_retried(source_server, make_bytes, route) -> None:
    body = make_bytes(1000)
    source_server.add("/v.mp4", route(body=body))
    dns = FakeDNS()

    async def flaky(host: str, port: int) -> Sequence[IPAddress]:
        if not dns.lookups:
            dns.lookups.append("failed")
            raise DownloadError(DownloadErrorCode.FAILED, "temporary failure", retryable=True)
        return await dns(host, port)

    async with make_downloader(resolver=flaky) as downloader:
        _, result = await downloader.fetch(
            source_server.url("/v.mp4", "videos.provider.test"), "heygen", RecordingSink()
        )
    assert result.size_bytes == len(body)
    assert dns.lookups == ["failed", "videos.provider.test"]


async def test_a_name_that_does_not_resolve_fails_with_download_failed() -> None:
    policy = make_policy(allowed_hosts={"heygen": ["*.invalid"]})
    async with Downloader(policy, max_attempts=2, retry_backoff_s=0.0) as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(
                "https://videos.reelforge.invalid/v.mp4", "heygen", RecordingSink()
            )
    assert caught.value.code.value == "download_failed"
    assert "could not be resolved" in caught.value.message


# ------------------------------------------------------------------ SSRF: each refused, with code


async def test_link_local_metadata_address_is_refused(source_server) -> None:
    async with make_downloader() as downloader:
        for url in (
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            f"http://metadata.provider.test:{source_server.port}/latest/meta-data/",
        ):
            with pytest.raises(DownloadError) as caught:
                await downloader.fetch(url, "heygen", RecordingSink())
            assert caught.value.code.value == "download_address_refused"
            assert "link-local" in caught.value.message


async def test_loopback_is_refused_when_not_allowed(source_server, make_bytes, route) -> None:
    served = source_server.add("/v.mp4", route(body=make_bytes(10)))
    async with make_downloader(make_policy(loopback_allowed=False)) as downloader:
        for host in ("videos.provider.test", "127.0.0.1"):
            with pytest.raises(DownloadError) as caught:
                await downloader.fetch(source_server.url("/v.mp4", host), "heygen", RecordingSink())
            assert caught.value.code.value == "download_address_refused"
            assert "loopback" in caught.value.message
    assert served.requests == []


async def test_a_redirect_to_a_private_address_is_refused(source_server, make_bytes, route) -> None:
    source_server.add(
        "/to-internal", route(redirect_to="http://internal.provider.test/admin/video.mp4")
    )
    source_server.add("/to-literal", route(redirect_to="http://192.168.1.10/video.mp4"))
    source_server.add(
        "/to-relative", route(redirect_to=f"http://cdn.provider.test:{source_server.port}/v.mp4")
    )
    body = make_bytes(5000)
    source_server.add("/v.mp4", route(body=body))
    async with make_downloader() as downloader:
        for path in ("/to-internal", "/to-literal"):
            with pytest.raises(DownloadError) as caught:
                await downloader.fetch(
                    source_server.url(path, "videos.provider.test"), "heygen", RecordingSink()
                )
            assert caught.value.code.value == "download_address_refused"
            assert "private" in caught.value.message
        _, result = await downloader.fetch(
            source_server.url("/to-relative", "videos.provider.test"), "heygen", RecordingSink()
        )
    assert result.sha256 == hashlib.sha256(body).hexdigest()


async def test_a_redirect_to_a_host_outside_the_allow_list_or_to_file_is_refused(
    source_server, route
) -> None:
    source_server.add("/to-evil", route(redirect_to="https://evil.example/video.mp4"))
    source_server.add("/to-file", route(redirect_to="file:///etc/passwd"))
    async with make_downloader() as downloader:
        for path, code in (
            ("/to-evil", "download_host_not_allowed"),
            ("/to-file", "download_scheme_refused"),
        ):
            with pytest.raises(DownloadError) as caught:
                await downloader.fetch(
                    source_server.url(path, "videos.provider.test"), "heygen", RecordingSink()
                )
            assert caught.value.code.value == code


async def test_file_urls_are_refused() -> None:
    async with make_downloader() as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch("file:///etc/passwd", "heygen", RecordingSink())
    assert caught.value.code.value == "download_scheme_refused"


async def test_redirect_loops_stop_at_the_limit(source_server, route) -> None:
    loop = source_server.url("/loop", "videos.provider.test")
    served = source_server.add("/loop", route(redirect_to=loop))
    async with make_downloader() as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(loop, "heygen", RecordingSink())
    assert caught.value.code.value == "download_too_many_redirects"
    assert len(served.requests) == 4


async def test_oversize_by_content_length_is_refused_before_the_body(
    source_server, make_bytes, tmp_path: Path, route
) -> None:
    source_server.add("/huge.mp4", route(body=make_bytes(1000), declared_length=10 * 1024**3))
    store = local_store(tmp_path)

    async def upload(chunks: AsyncIterator[bytes]) -> None:
        await store.put_stream("t/huge.mp4", chunks, content_type="video/mp4")

    async with make_downloader(make_policy(max_bytes=2 * MIB)) as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(
                source_server.url("/huge.mp4", "videos.provider.test"), "heygen", upload
            )
    assert caught.value.code.value == "download_too_large"
    assert not caught.value.retryable
    assert "10737418240" in caught.value.message
    assert await store.head("t/huge.mp4") is None


async def test_oversize_by_actual_bytes_is_refused_and_nothing_is_stored(
    source_server, make_bytes, tmp_path: Path, route
) -> None:
    source_server.add("/stream.mp4", route(body=make_bytes(3 * MIB), chunked=True))
    store = local_store(tmp_path)

    async def upload(chunks: AsyncIterator[bytes]) -> None:
        await store.put_stream("t/stream.mp4", chunks, content_type="video/mp4")

    async with make_downloader(make_policy(max_bytes=2 * MIB)) as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(
                source_server.url("/stream.mp4", "videos.provider.test"), "heygen", upload
            )
    assert caught.value.code.value == "download_too_large"
    assert await store.head("t/stream.mp4") is None
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


async def test_a_source_slower_than_the_time_cap_fails_with_download_timeout(
    source_server, make_bytes, route
) -> None:
    stall = threading.Event()
    source_server.add("/slow.mp4", route(body=make_bytes(1000), stall=stall))
    async with make_downloader(make_policy(timeout_s=0.5)) as downloader:
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(
                source_server.url("/slow.mp4", "videos.provider.test"), "heygen", RecordingSink()
            )
    stall.set()
    assert caught.value.code.value == "download_timeout"


async def test_checksum_announced_by_the_source_is_enforced(
    source_server, make_bytes, route
) -> None:
    body = make_bytes(1000)
    source_server.add("/v.mp4", route(body=body))
    url = source_server.url("/v.mp4", "videos.provider.test")
    async with make_downloader() as downloader:
        await downloader.fetch(
            url, "heygen", RecordingSink(), expected_sha256=hashlib.sha256(body).hexdigest()
        )
        with pytest.raises(DownloadError) as caught:
            await downloader.fetch(url, "heygen", RecordingSink(), expected_sha256="0" * 64)
    assert caught.value.code.value == "download_checksum_mismatch"
