"""Wires the storage service: settings, runtime, object store, downloader, subscriber, routes."""

from __future__ import annotations

from pydantic import Field
from starlette.applications import Starlette

from reelforge.contracts import VIDEO_STATUS, VideoStatus
from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime
from reelforge.runtime.kafka import subscriber_options
from reelforge.runtime.settings import ServiceSettings

from .adapters.downloader import Downloader
from .adapters.local_media import media_routes
from .adapters.object_store import build_object_store
from .config import StorageSettings
from .service_layer.handlers import StorageDeps, handle_video_status

SERVICE = "storage"


class StorageServiceSettings(ServiceSettings):
    http_port: int = Field(default=8083, ge=0, le=65535, description="Port of the HTTP server.")


def bootstrap(
    settings: StorageServiceSettings | None = None, storage: StorageSettings | None = None
) -> tuple[Starlette, ServiceRuntime]:
    settings = settings or StorageServiceSettings()
    storage = storage or StorageSettings()
    runtime = create_runtime(SERVICE, settings, "reelforge.storage")
    store = build_object_store(storage)
    downloader = Downloader(
        storage.download_policy(),
        connect_timeout_s=storage.download_connect_timeout_s,
        read_timeout_s=storage.download_read_timeout_s,
        max_attempts=storage.download_max_attempts,
        retry_backoff_s=storage.download_retry_backoff_s,
        chunk_bytes=storage.download_chunk_bytes,
    )
    runtime.on_shutdown.append(downloader.aclose)

    @runtime.broker.subscriber(VIDEO_STATUS, **subscriber_options(runtime.retry_policy))
    async def on_video_status(event: VideoStatus) -> None:
        deps = StorageDeps(runtime.db, downloader, store, storage)
        await handle_video_status(event, deps)

    routes = (
        media_routes(storage.local_dir, storage.accepted_signing_keys)
        if storage.backend == "local"
        else []
    )
    return build_service_app(runtime, routes), runtime
