"""A rendered video from a real HTTP source into both backends: stored, probed, thumbnailed."""

from __future__ import annotations

import hashlib
import io
import ipaddress
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import av
import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr

from reelforge.storage.adapters.downloader import Downloader
from reelforge.storage.adapters.local_media import media_app
from reelforge.storage.adapters.object_store import LocalObjectStore, ObjectStore, S3ObjectStore
from reelforge.storage.adapters.probe import MediaProbeError, inspect
from reelforge.storage.domain.download_policy import (
    DownloadError,
    DownloadPolicy,
    IPAddress,
    parse_networks,
)
from reelforge.storage.domain.keys import asset_keys
from reelforge.storage.service_layer.transfer import AssetTransfer, error_info

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
SIGNING_KEY = SecretStr("transfer-test-signing-key-0123456789")
REQUESTED_AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def provider_dns(host: str, port: int) -> Sequence[IPAddress]:
    return [ipaddress.ip_address("127.0.0.1")]


def downloader() -> Downloader:
    policy = DownloadPolicy(
        allowed_hosts={"heygen": ["files.provider.test"]},
        allow_http_hosts=frozenset({"files.provider.test"}),
        allowed_networks=parse_networks(["127.0.0.0/8"]),
    )
    return Downloader(policy, resolver=provider_dns, retry_backoff_s=0.0)


def local_store(root: Path) -> LocalObjectStore:
    return LocalObjectStore(
        root,
        public_base_url="http://storage.test",
        signing_key=SIGNING_KEY,
        part_bytes=5 * MIB,
        max_concurrency=2,
    )


def s3_store(seaweed_s3) -> S3ObjectStore:
    return S3ObjectStore(
        bucket=seaweed_s3.bucket,
        endpoint=seaweed_s3.endpoint,
        region=seaweed_s3.region,
        access_key_id=seaweed_s3.access_key_id,
        secret_access_key=SecretStr(seaweed_s3.secret_access_key),
        part_bytes=5 * MIB,
        max_concurrency=2,
    )


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def jpeg_size(data: bytes) -> tuple[int, int]:
    with av.open(io.BytesIO(data), format="mjpeg") as container:
        frame = next(container.decode(video=0))
        return frame.width, frame.height


async def test_s3_transfer_stores_probes_thumbnails_and_signs(
    seaweed_s3, source_server, route, sample_mp4: Path
) -> None:
    body = sample_mp4.read_bytes()
    served = source_server.add("/video/abc.mp4", route(body=body, cut_after=len(body) // 2))
    job = UUID("0b7c1f0e-8f7e-4d0c-9a59-0e0f1d2c3b4a")
    keys = asset_keys("acme", job, REQUESTED_AT)
    bytes_before = metric("reelforge_storage_bytes_total", backend="s3")
    transfer = AssetTransfer(s3_store(seaweed_s3), downloader())

    stored = await transfer.transfer(
        source_url=source_server.url("/video/abc.mp4?Expires=1&Signature=x", "files.provider.test"),
        provider="heygen",
        keys=keys,
        metadata={"job_id": str(job), "request": {"listing": "MLS-1"}},
    )

    assert stored.uri == f"s3://{seaweed_s3.bucket}/acme/2026/11/{job}/video.mp4"
    assert stored.size_bytes == len(body)
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    assert (stored.media.width, stored.media.height) == (320, 180)
    assert (stored.media.video_codec, stored.media.audio_codec) == ("h264", "aac")
    assert stored.media.duration_s == pytest.approx(2.0, abs=0.1)
    assert stored.thumbnail_source == "generated"
    assert len(served.requests) == 2  # cut half way, resumed
    assert metric("reelforge_storage_bytes_total", backend="s3") - bytes_before == len(body)

    asset = await transfer.signed_asset(stored, timedelta(minutes=10))
    assert asset.size_bytes == len(body)
    assert asset.thumbnail_uri == f"s3://{seaweed_s3.bucket}/{keys.thumbnail}"
    async with httpx.AsyncClient() as client:
        video = await client.get(str(asset.signed_url))
        assert hashlib.sha256(video.content).hexdigest() == stored.sha256
        thumbnail = await client.get(str(asset.thumbnail_url))
        assert thumbnail.headers["content-type"] == "image/jpeg"
        assert jpeg_size(thumbnail.content) == (320, 180)

    document = json.loads(await transfer.store.get_bytes(keys.metadata) or b"{}")
    assert document["asset"]["sha256"] == stored.sha256
    assert document["job"]["request"] == {"listing": "MLS-1"}
    assert "Signature" not in json.dumps(document)


async def test_a_repeated_transfer_reuses_the_stored_asset_without_downloading(
    source_server, route, sample_mp4: Path, tmp_path: Path
) -> None:
    served = source_server.add("/video/abc.mp4", route(body=sample_mp4.read_bytes()))
    keys = asset_keys("acme", UUID(int=7), REQUESTED_AT)
    transfer = AssetTransfer(local_store(tmp_path), downloader())
    url = source_server.url("/video/abc.mp4", "files.provider.test")
    first = await transfer.transfer(source_url=url, provider="heygen", keys=keys)
    again = await transfer.transfer(source_url=url, provider="heygen", keys=keys)
    assert len(served.requests) == 1
    assert again.reused
    assert not first.reused
    assert (again.sha256, again.size_bytes, again.media) == (
        first.sha256,
        first.size_bytes,
        first.media,
    )
    assert sorted(p.name for p in (tmp_path / keys.prefix).iterdir()) == [
        "metadata.json",
        "thumbnail.jpg",
        "video.mp4",
    ]


async def test_local_transfer_keeps_the_providers_thumbnail_and_serves_signed_urls(
    source_server, route, sample_mp4: Path, tmp_path: Path
) -> None:
    provider_jpeg = b"\xff\xd8\xff\xe0" + b"provider-thumbnail" * 10
    source_server.add("/video/abc.mp4", route(body=sample_mp4.read_bytes()))
    source_server.add("/thumb/abc.jpg", route(body=provider_jpeg, content_type="image/jpeg"))
    keys = asset_keys("acme", UUID(int=8), REQUESTED_AT)
    store = local_store(tmp_path)
    transfer = AssetTransfer(store, downloader())
    stored = await transfer.transfer(
        source_url=source_server.url("/video/abc.mp4", "files.provider.test"),
        provider="heygen",
        keys=keys,
        thumbnail_url=source_server.url("/thumb/abc.jpg", "files.provider.test"),
    )
    assert stored.thumbnail_source == "provider"
    assert (tmp_path / keys.thumbnail).read_bytes() == provider_jpeg
    asset = await transfer.signed_asset(stored, timedelta(hours=1))
    assert asset.uri.startswith("file:///")
    transport = httpx.ASGITransport(app=media_app(store.root, [SIGNING_KEY]))
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(str(asset.thumbnail_url))).content == provider_jpeg
        video = await client.get(str(asset.signed_url), headers={"Range": "bytes=0-99"})
        assert video.status_code == 206
        assert video.content == sample_mp4.read_bytes()[:100]


async def test_a_refused_download_fails_with_its_code_and_counts_the_failure(
    tmp_path: Path,
) -> None:
    transfer = AssetTransfer(local_store(tmp_path), downloader())
    before = metric("reelforge_storage_failures_total", reason="download_address_refused")
    with pytest.raises(DownloadError) as caught:
        await transfer.transfer(
            source_url="http://169.254.169.254/latest/meta-data/",
            provider="heygen",
            keys=asset_keys("acme", UUID(int=9), REQUESTED_AT),
        )
    info = error_info(caught.value)
    assert (info.code, info.stage.value, info.retryable) == (
        "download_address_refused",
        "storage",
        False,
    )
    after = metric("reelforge_storage_failures_total", reason="download_address_refused")
    assert after == before + 1


async def test_a_stored_file_that_is_not_a_video_fails_with_media_unreadable(
    source_server, route, make_bytes, tmp_path: Path
) -> None:
    source_server.add("/video/noise.mp4", route(body=make_bytes(50_000)))
    transfer = AssetTransfer(local_store(tmp_path), downloader())
    with pytest.raises(MediaProbeError) as caught:
        await transfer.transfer(
            source_url=source_server.url("/video/noise.mp4", "files.provider.test"),
            provider="heygen",
            keys=asset_keys("acme", UUID(int=10), REQUESTED_AT),
        )
    assert caught.value.code == "media_unreadable"


def test_probe_reads_facts_and_cuts_a_scaled_thumbnail_near_one_second(sample_mp4: Path) -> None:
    with sample_mp4.open("rb") as file:
        info, thumbnail = inspect(file, thumbnail_at_s=1.0, thumbnail_max_width=160)
    assert (info.width, info.height, info.video_codec) == (320, 180, "h264")
    assert thumbnail is not None
    assert jpeg_size(thumbnail) == (160, 90)
    with av.open(io.BytesIO(thumbnail), format="mjpeg") as container:
        picture = next(container.decode(video=0)).to_ndarray(format="rgb24")
    # The red bar grows 6 px per frame: frame 25 (t = 1 s) is red up to x = 156 of 320,
    # i.e. 78 of 160 in the thumbnail; the first frame would be red only up to 3.
    red_columns = int((picture[45, :, 0] > 120).sum())
    assert 70 <= red_columns <= 86


@pytest.mark.parametrize("store_kind", ["local", "s3"])
async def test_probe_reads_through_each_backends_reader(
    store_kind: str, request: pytest.FixtureRequest, sample_mp4: Path, tmp_path: Path
) -> None:
    store: ObjectStore = (
        local_store(tmp_path)
        if store_kind == "local"
        else s3_store(request.getfixturevalue("seaweed_s3"))
    )
    body = sample_mp4.read_bytes()
    await store.put_bytes("acme/probe/video.mp4", body, content_type="video/mp4")
    with store.open_reader("acme/probe/video.mp4", len(body)) as reader:
        info, thumbnail = inspect(reader, thumbnail_at_s=None)
    assert (info.width, info.height, info.audio_codec) == (320, 180, "aac")
    assert thumbnail is None
