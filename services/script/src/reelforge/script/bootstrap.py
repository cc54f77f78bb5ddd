"""Wires the script service: settings, runtime, the configured writer, the subscriber."""

from __future__ import annotations

from starlette.applications import Starlette

from reelforge.contracts import (
    SCRIPT_REQUESTED,
    VIDEO_REQUESTED,
    VIDEO_STATUS,
    ScriptRequested,
    VideoRequested,
    VideoStatus,
)
from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime
from reelforge.runtime.kafka import subscriber_options
from reelforge.runtime.service_asyncapi import declare_publishers

from .config import ScriptSettings
from .domain.writer import ScriptWriter
from .service_layer.handlers import handle_script_requested
from .writers import build_writer

SERVICE = "script"


def bootstrap(
    settings: ScriptSettings | None = None, writer: ScriptWriter | None = None
) -> tuple[Starlette, ServiceRuntime]:
    settings = settings or ScriptSettings()
    runtime = create_runtime(SERVICE, settings, "reelforge.script")
    if writer is None:
        built = build_writer(settings)
        writer = built.writer
        runtime.on_shutdown.extend(built.on_shutdown)
    chosen = writer
    max_scene_chars = settings.script_max_scene_chars

    declare_publishers(
        runtime,
        {VIDEO_REQUESTED: VideoRequested, VIDEO_STATUS: VideoStatus},
        dead_letters_of=(SCRIPT_REQUESTED,),
    )

    @runtime.broker.subscriber(SCRIPT_REQUESTED, **subscriber_options(runtime.retry_policy))
    async def on_script_requested(event: ScriptRequested) -> None:
        await handle_script_requested(event, runtime.db, chosen, max_scene_chars=max_scene_chars)

    return build_service_app(runtime), runtime
