"""Wires the storage service: settings, runtime, object store, downloader, transfer, subscriber,
routes."""

from __future__ import annotations

from starlette.applications import Starlette

from reelforge.contracts import VIDEO_READY, VIDEO_STATUS, VideoReady, VideoStatus
from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime
from reelforge.runtime.kafka import subscriber_options
from reelforge.runtime.service_asyncapi import declare_publishers

from .adapters.downloader import Downloader
from .adapters.local_media import media_routes
from .adapters.object_store import build_object_store
from .config import StorageSettings
from .service_layer.handlers import StorageDeps, handle_video_status
from .service_layer.transfer import AssetTransfer

SERVICE = "storage"


def build_transfer(settings: StorageSettings) -> AssetTransfer:
    """The transfer the settings describe: object store + guarded downloader."""
    downloader = Downloader(
        settings.download_policy(),
        connect_timeout_s=settings.download_connect_timeout_s,
        read_timeout_s=settings.download_read_timeout_s,
        max_attempts=settings.download_max_attempts,
        retry_backoff_s=settings.download_retry_backoff_s,
        chunk_bytes=settings.download_chunk_bytes,
    )
    return AssetTransfer(
        build_object_store(settings),
        downloader,
        thumbnail_at_s=settings.thumbnail_at_s,
        thumbnail_max_width=settings.thumbnail_max_width,
        thumbnail_max_bytes=settings.thumbnail_max_bytes,
    )


def bootstrap(settings: StorageSettings | None = None) -> tuple[Starlette, ServiceRuntime]:
    settings = settings or StorageSettings()
    runtime = create_runtime(SERVICE, settings, "reelforge.storage")
    transfer = build_transfer(settings)
    runtime.on_shutdown.append(transfer.aclose)

    declare_publishers(
        runtime,
        {VIDEO_READY: VideoReady, VIDEO_STATUS: VideoStatus},
        dead_letters_of=(VIDEO_STATUS,),
    )

    @runtime.broker.subscriber(VIDEO_STATUS, **subscriber_options(runtime.retry_policy))
    async def on_video_status(event: VideoStatus) -> None:
        deps = StorageDeps(
            pool=runtime.db,
            transfer=transfer,
            signed_url_ttl=settings.signed_url_ttl,
            max_attempts=settings.handler_max_attempts,
        )
        await handle_video_status(event, deps)

    routes = (
        media_routes(settings.local_dir, settings.accepted_signing_keys)
        if settings.backend == "local"
        else []
    )
    return build_service_app(runtime, routes), runtime
