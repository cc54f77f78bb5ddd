"""Both object-store backends for real: a local directory and a SeaweedFS S3 server."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from reelforge.storage.adapters.local_media import media_app
from reelforge.storage.adapters.object_store import (
    LocalObjectStore,
    ObjectStore,
    ObjectStoreError,
    S3ObjectStore,
    build_object_store,
)
from reelforge.storage.config import StorageSettings

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
SIGNING_KEY = SecretStr("local-media-signing-key-for-tests-0123")


class Clock:
    def __init__(self, now: float = 1_900_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def chunks_of(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), size):
        yield data[offset : offset + size]


def make_local(root: Path, clock: Callable[[], float]) -> LocalObjectStore:
    return LocalObjectStore(
        root,
        public_base_url="http://storage.test",
        signing_key=SIGNING_KEY,
        part_bytes=5 * MIB,
        max_concurrency=2,
        clock=clock,
    )


def make_s3(seaweed_s3) -> S3ObjectStore:
    return S3ObjectStore(
        bucket=seaweed_s3.bucket,
        endpoint=seaweed_s3.endpoint,
        region=seaweed_s3.region,
        access_key_id=seaweed_s3.access_key_id,
        secret_access_key=SecretStr(seaweed_s3.secret_access_key),
        part_bytes=5 * MIB,
        max_concurrency=2,
    )


async def assert_round_trip(store: ObjectStore, key: str, data: bytes) -> None:
    await store.put_stream(key, chunks_of(data), content_type="video/mp4")
    info = await store.head(key)
    assert info is not None
    assert info.size == len(data)
    assert await store.get_range(key, 10, 20) == data[10:20]
    with store.open_reader(key, info.size) as reader:
        reader.seek(-100, 2)
        assert reader.read() == data[-100:]
        reader.seek(0)
        assert hashlib.sha256(reader.read()).hexdigest() == hashlib.sha256(data).hexdigest()


async def test_s3_backend_round_trip_with_multipart_upload_and_presigned_url(
    seaweed_s3, make_bytes
) -> None:
    store = make_s3(seaweed_s3)
    data = make_bytes(12 * MIB + 17)
    key = "acme/2026/11/job-s3/video.mp4"
    await assert_round_trip(store, key, data)
    assert store.uri(key) == f"s3://{seaweed_s3.bucket}/{key}"
    signed = await store.signed_url(key, timedelta(minutes=5))
    async with httpx.AsyncClient() as client:
        response = await client.get(signed.url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "video/mp4"
        assert hashlib.sha256(response.content).digest() == hashlib.sha256(data).digest()
        ranged = await client.get(signed.url, headers={"Range": "bytes=100-199"})
        assert ranged.status_code == 206
        assert ranged.content == data[100:200]
        query = urlsplit(signed.url).query.replace("X-Amz-Expires=300", "X-Amz-Expires=301")
        tampered = await client.get(signed.url.split("?")[0] + "?" + query)
        assert tampered.status_code == 403
        unsigned = await client.get(signed.url.split("?")[0])
        assert unsigned.status_code == 403


async def test_s3_backend_from_settings_uploads_with_an_unsigned_payload(
    seaweed_s3, make_bytes
) -> None:
    settings = StorageSettings(
        backend="s3",
        s3_bucket=seaweed_s3.bucket,
        s3_endpoint=seaweed_s3.endpoint,
        s3_access_key_id=seaweed_s3.access_key_id,
        s3_secret_access_key=SecretStr(seaweed_s3.secret_access_key),
        s3_unsigned_payload=True,
        upload_part_bytes=5 * MIB,
        upload_max_concurrency=2,
    )
    store = build_object_store(settings)
    assert isinstance(store, S3ObjectStore)
    assert store._s3.config["unsigned_payload"] == "true"
    await assert_round_trip(store, "acme/2026/11/job-unsigned/video.mp4", make_bytes(11 * MIB + 5))


async def test_a_failed_stream_leaves_no_object_on_either_backend(
    seaweed_s3, make_bytes, tmp_path: Path
) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield make_bytes(6 * MIB)
        raise ConnectionError("source went away")

    for store in (make_s3(seaweed_s3), make_local(tmp_path, Clock())):
        key = f"acme/2026/11/broken-{store.backend}/video.mp4"
        with pytest.raises(ConnectionError):
            await store.put_stream(key, broken(), content_type="video/mp4")
        assert await store.head(key) is None


async def test_local_backend_round_trip_and_signed_url_served_with_ranges(
    make_bytes, tmp_path: Path
) -> None:
    clock = Clock()
    store = make_local(tmp_path / "assets", clock)
    data = make_bytes(7 * MIB + 5)
    key = "acme/2026/11/job-local/video.mp4"
    await assert_round_trip(store, key, data)
    assert store.uri(key) == (tmp_path / "assets" / key).resolve().as_uri()
    signed = await store.signed_url(key, timedelta(hours=1))
    assert signed.expires_at.timestamp() == clock.now + 3600
    app = media_app(store.root, [SIGNING_KEY], clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://storage.test") as client:
        full = await client.get(signed.url)
        assert full.status_code == 200
        assert full.headers["content-type"] == "video/mp4"
        assert full.content == data
        ranged = await client.get(signed.url, headers={"Range": "bytes=1000-1999"})
        assert ranged.status_code == 206
        assert ranged.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
        assert ranged.content == data[1000:2000]
        head = await client.head(signed.url)
        assert head.status_code == 200
        assert head.headers["content-length"] == str(len(data))


async def test_local_signed_url_is_refused_after_expiry_or_when_tampered(
    make_bytes, tmp_path: Path
) -> None:
    clock = Clock()
    store = make_local(tmp_path, clock)
    key = "acme/2026/11/job-local/video.mp4"
    other = "acme/2026/11/job-other/video.mp4"
    for name in (key, other):
        await store.put_bytes(name, make_bytes(1000), content_type="video/mp4")
    url = (await store.signed_url(key, timedelta(seconds=60))).url
    transport = httpx.ASGITransport(app=media_app(store.root, [SIGNING_KEY], clock=clock))
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(url)).status_code == 200
        tampered = [
            url.replace("job-local", "job-other"),
            url.replace("expires=", "expires=9"),
            url[:-2] + ("AA" if not url.endswith("AA") else "BB"),
            url.split("?")[0],
        ]
        for bad in tampered:
            response = await client.get(bad)
            assert response.status_code == 403, bad
        clock.now += 60
        expired = await client.get(url)
        assert expired.status_code == 403
        assert "expired" in expired.text


async def test_local_keys_cannot_escape_the_directory(tmp_path: Path) -> None:
    store = make_local(tmp_path / "assets", Clock())
    for key in ("../outside.mp4", "a/../../outside.mp4", "/etc/passwd"):
        with pytest.raises(ObjectStoreError) as caught:
            await store.put_bytes(key, b"x", content_type="video/mp4")
        assert caught.value.code == "storage_key_invalid"
    assert not (tmp_path / "outside.mp4").exists()


async def test_a_local_write_that_the_file_system_refuses_fails_with_storage_write_failed(
    tmp_path: Path,
) -> None:
    store = make_local(tmp_path / "assets", Clock())
    (store.root / "acme").write_bytes(b"a file where a directory should be")
    with pytest.raises(ObjectStoreError) as caught:
        await store.put_stream(
            "acme/2026/video.mp4", chunks_of(b"x" * 10), content_type="video/mp4"
        )
    assert caught.value.code == "storage_write_failed"
    assert caught.value.retryable
