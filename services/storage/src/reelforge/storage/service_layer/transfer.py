"""Moves one rendered video from its provider URL into the object store, with thumbnail and
metadata beside it, and describes the stored asset."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

from reelforge.contracts import Asset, VideoStatus

from ..adapters.downloader import Downloader
from ..adapters.object_store import ObjectStore
from ..adapters.probe import MediaInfo, inspect
from ..config import StorageSettings
from ..domain.keys import asset_keys

THUMBNAIL_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class StoredVideo:
    asset: Asset
    seconds: float


async def store_rendered_video(
    status: VideoStatus,
    downloader: Downloader,
    store: ObjectStore,
    settings: StorageSettings,
    received_at: datetime,
) -> StoredVideo:
    assert status.rendered is not None
    started = time.monotonic()
    provider = status.provider or "unknown"
    keys = asset_keys(status.tenant_id, status.job_id, status.rendered.requested_at or received_at)

    async def upload(chunks: AsyncIterator[bytes]) -> None:
        await store.put_stream(keys.video, chunks, content_type="video/mp4")

    _, download = await downloader.fetch(str(status.rendered.url), provider, upload)

    def probe() -> tuple[MediaInfo, bytes | None]:
        with store.open_reader(keys.video, download.size_bytes) as reader:
            return inspect(
                reader,
                thumbnail_at_s=settings.thumbnail_at_s,
                thumbnail_max_width=settings.thumbnail_max_width,
            )

    info, thumbnail = await asyncio.to_thread(probe)
    if status.rendered.thumbnail_url is not None:
        thumbnail = (
            await downloader.fetch_bytes(
                str(status.rendered.thumbnail_url), provider, max_bytes=THUMBNAIL_MAX_BYTES
            )
            or thumbnail
        )
    if thumbnail:
        await store.put_bytes(keys.thumbnail, thumbnail, content_type="image/jpeg")

    ttl = settings.signed_url_ttl
    video_url = await store.signed_url(keys.video, ttl)
    thumb_url = await store.signed_url(keys.thumbnail, ttl) if thumbnail else None
    asset = Asset(
        uri=store.uri(keys.video),
        signed_url=video_url.url,
        signed_url_expires_at=video_url.expires_at,
        size_bytes=download.size_bytes,
        sha256=download.sha256,
        duration_s=info.duration_s,
        width=info.width,
        height=info.height,
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
        thumbnail_uri=store.uri(keys.thumbnail) if thumbnail else None,
        thumbnail_url=thumb_url.url if thumb_url else None,
    )
    metadata = {
        "job_id": str(status.job_id),
        "tenant_id": status.tenant_id,
        "provider": provider,
        "asset": asset.model_dump(mode="json", exclude={"signed_url", "thumbnail_url"}),
        "metadata": status.rendered.metadata,
    }
    await store.put_bytes(
        keys.metadata, json.dumps(metadata, indent=2).encode(), content_type="application/json"
    )
    return StoredVideo(asset=asset, seconds=time.monotonic() - started)
