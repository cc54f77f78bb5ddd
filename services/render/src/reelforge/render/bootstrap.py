"""Wires the render service: settings, runtime, dispatcher, subscribers, HTTP routes."""

from __future__ import annotations

from datetime import timedelta

from starlette.applications import Starlette

from reelforge.contracts import VIDEO_REQUESTED, VideoRequested
from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime
from reelforge.runtime.kafka import subscriber_options

from .adapters.local_provider import LocalRenderPool
from .config import RenderSettings
from .entrypoints.media import media_routes
from .service_layer.dispatcher import LocalDispatcher
from .service_layer.handlers import handle_video_requested

SERVICE = "render"


def bootstrap(settings: RenderSettings | None = None) -> tuple[Starlette, ServiceRuntime]:
    settings = settings or RenderSettings()
    runtime = create_runtime(SERVICE, settings, "reelforge.render")
    media_dir = settings.render_media_dir.resolve()
    dispatcher = LocalDispatcher(
        LocalRenderPool(media_dir, settings.render_local_workers),
        settings.render_public_base_url,
        settings.render_max_in_flight,
        timedelta(seconds=settings.render_lease_s),
    )

    async def start_dispatcher() -> None:
        await dispatcher.start(runtime.db)

    runtime.on_startup.append(start_dispatcher)
    runtime.on_shutdown.append(dispatcher.stop)
    deadline = timedelta(seconds=settings.render_deadline_s)

    @runtime.broker.subscriber(VIDEO_REQUESTED, **subscriber_options(runtime.retry_policy))
    async def on_video_requested(event: VideoRequested) -> None:
        await handle_video_requested(event, runtime.db, deadline, dispatcher.wake)

    return build_service_app(runtime, media_routes(media_dir)), runtime
