"""Move one rendered video from the provider into the object store, and describe it.

The orchestration of the storage use case (cosmicpython: service layer); the I/O lives in the
adapters it is given. The `rendered` handler calls it. It composes the adapters: the guarded
:class:`Downloader` streams the provider URL straight into :meth:`ObjectStore.put_stream`
(download and upload overlap; memory stays flat), then the stored object is probed with PyAV,
a thumbnail is stored (the provider's, else one cut from the video) and ``metadata.json`` is
written last. Because ``metadata.json`` is the last write, its presence means a previous attempt
finished: :meth:`AssetTransfer.transfer` then returns that asset without downloading again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from reelforge.contracts.events import Asset, ErrorInfo, Stage

from ..adapters import metrics
from ..adapters.downloader import Downloader
from ..adapters.object_store import ObjectStore, ObjectStoreError
from ..adapters.probe import THUMBNAIL_CONTENT_TYPE, MediaInfo, MediaProbeError, inspect
from ..domain.download_policy import DownloadError
from ..domain.keys import AssetKeys

log = logging.getLogger(__name__)

VIDEO_CONTENT_TYPE = "video/mp4"
METADATA_CONTENT_TYPE = "application/json"
METADATA_SCHEMA_VERSION = 1
_JPEG_MAGIC = b"\xff\xd8\xff"

TransferError = DownloadError | ObjectStoreError | MediaProbeError
"""Everything :meth:`AssetTransfer.transfer` raises on purpose; each has code/message/retryable."""
TRANSFER_ERRORS = (DownloadError, ObjectStoreError, MediaProbeError)


@dataclass(frozen=True)
class StoredAsset:
    """A video in the object store, with what was measured on the way in."""

    video_key: str
    uri: str
    backend: str
    size_bytes: int
    sha256: str
    content_type: str
    media: MediaInfo
    thumbnail_key: str | None
    thumbnail_uri: str | None
    thumbnail_source: Literal["provider", "generated"] | None
    metadata_key: str
    transfer_seconds: float
    reused: bool = False
    """True when a finished earlier attempt was found and nothing was downloaded."""


def error_info(exc: TransferError) -> ErrorInfo:
    """The `error` of the job's failed `video.status`."""
    return ErrorInfo(
        code=str(exc.code), message=exc.message[:2000], retryable=exc.retryable, stage=Stage.STORAGE
    )


class AssetTransfer:
    """Provider URL -> object store -> probed, thumbnailed, described asset."""

    def __init__(
        self,
        store: ObjectStore,
        downloader: Downloader,
        *,
        thumbnail_at_s: float = 1.0,
        thumbnail_max_width: int = 640,
        thumbnail_max_bytes: int = 10 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.downloader = downloader
        self._thumbnail_at_s = thumbnail_at_s
        self._thumbnail_max_width = thumbnail_max_width
        self._thumbnail_max_bytes = thumbnail_max_bytes
        self._clock = clock

    async def aclose(self) -> None:
        await self.downloader.aclose()

    async def transfer(
        self,
        *,
        source_url: str,
        provider: str,
        keys: AssetKeys,
        thumbnail_url: str | None = None,
        expected_sha256: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> StoredAsset:
        """Store the video at `source_url` under `keys`; idempotent per `keys`.

        `metadata` (e.g. job and tenant ids, the request's metadata, cost, timings) is written
        into ``metadata.json`` beside the video. Raises one of :data:`TRANSFER_ERRORS`.
        """
        try:
            existing = await self.find_stored(keys)
            if existing is not None:
                return existing
            return await self._transfer(
                source_url, provider, keys, thumbnail_url, expected_sha256, metadata or {}
            )
        except TRANSFER_ERRORS as exc:
            metrics.record_failure(str(exc.code))
            raise

    async def _transfer(
        self,
        source_url: str,
        provider: str,
        keys: AssetKeys,
        thumbnail_url: str | None,
        expected_sha256: str | None,
        metadata: Mapping[str, Any],
    ) -> StoredAsset:
        started = self._clock()

        async def upload(chunks: Any) -> None:
            await self.store.put_stream(keys.video, chunks, content_type=VIDEO_CONTENT_TYPE)

        _, download = await self.downloader.fetch(
            source_url, provider, upload, expected_sha256=expected_sha256
        )
        stored = await self.store.head(keys.video)
        if stored is None or stored.size != download.size_bytes:
            raise ObjectStoreError(
                "storage_size_mismatch",
                f"the store holds {stored.size if stored else 'no'} bytes for the video, "
                f"{download.size_bytes} were uploaded",
            )
        seconds = self._clock() - started
        metrics.record_transfer(self.store.backend, download.size_bytes, seconds)

        provider_thumbnail = await self._provider_thumbnail(thumbnail_url, provider)
        media, generated = await asyncio.to_thread(
            self._inspect, keys.video, stored.size, provider_thumbnail is None
        )
        thumbnail = provider_thumbnail or generated
        if thumbnail is not None:
            await self.store.put_bytes(
                keys.thumbnail, thumbnail, content_type=THUMBNAIL_CONTENT_TYPE
            )
        asset = StoredAsset(
            video_key=keys.video,
            uri=self.store.uri(keys.video),
            backend=self.store.backend,
            size_bytes=download.size_bytes,
            sha256=download.sha256,
            content_type=VIDEO_CONTENT_TYPE,
            media=media,
            thumbnail_key=keys.thumbnail if thumbnail is not None else None,
            thumbnail_uri=self.store.uri(keys.thumbnail) if thumbnail is not None else None,
            thumbnail_source=(
                None if thumbnail is None else "provider" if provider_thumbnail else "generated"
            ),
            metadata_key=keys.metadata,
            transfer_seconds=round(seconds, 3),
        )
        document = {
            "schema_version": METADATA_SCHEMA_VERSION,
            "stored_at": datetime.now(UTC).isoformat(),
            "provider": provider,
            "asset": asdict(asset),
            "download": {
                "attempts": download.attempts,
                "resumes": download.resumes,
                "restarts": download.restarts,
            },
            "job": dict(metadata),
        }
        await self.store.put_bytes(
            keys.metadata,
            json.dumps(document, default=str, sort_keys=True).encode(),
            content_type=METADATA_CONTENT_TYPE,
        )
        return asset

    async def find_stored(self, keys: AssetKeys) -> StoredAsset | None:
        """The asset a finished earlier attempt stored under `keys`, or None."""
        raw = await self.store.get_bytes(keys.metadata)
        if raw is None:
            return None
        try:
            fields = dict(json.loads(raw)["asset"])
            fields["media"] = MediaInfo(**fields["media"])
            fields["reused"] = True
            asset = StoredAsset(**fields)
        except (ValueError, KeyError, TypeError):
            log.warning("ignoring unreadable %s; storing the video again", keys.metadata)
            return None
        head = await self.store.head(keys.video)
        if head is None or head.size != asset.size_bytes:
            return None
        return asset

    async def signed_asset(self, stored: StoredAsset, ttl: timedelta) -> Asset:
        """The `asset` of video.ready: the stored facts plus signed URLs valid for `ttl`."""
        video_url = await self.store.signed_url(stored.video_key, ttl)
        thumbnail_url = (
            await self.store.signed_url(stored.thumbnail_key, ttl)
            if stored.thumbnail_key is not None
            else None
        )
        return Asset(
            uri=stored.uri,
            signed_url=video_url.url,
            signed_url_expires_at=video_url.expires_at,
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            duration_s=stored.media.duration_s,
            width=stored.media.width,
            height=stored.media.height,
            video_codec=stored.media.video_codec,
            audio_codec=stored.media.audio_codec,
            thumbnail_uri=stored.thumbnail_uri,
            thumbnail_url=thumbnail_url.url if thumbnail_url else None,
        )

    async def _provider_thumbnail(self, url: str | None, provider: str) -> bytes | None:
        """The provider's JPEG thumbnail, or None (then one is cut from the video)."""
        if url is None:
            return None
        try:
            data = await self.downloader.fetch_bytes(
                url, provider, max_bytes=self._thumbnail_max_bytes
            )
        except DownloadError as exc:
            log.warning("provider thumbnail not used (%s); generating one", exc.code)
            return None
        if not data.startswith(_JPEG_MAGIC):
            log.warning("provider thumbnail is not a JPEG; generating one")
            return None
        return data

    def _inspect(self, key: str, size: int, want_thumbnail: bool) -> tuple[MediaInfo, bytes | None]:
        with self.store.open_reader(key, size) as reader:
            return inspect(
                reader,
                thumbnail_at_s=self._thumbnail_at_s if want_thumbnail else None,
                thumbnail_max_width=self._thumbnail_max_width,
            )
