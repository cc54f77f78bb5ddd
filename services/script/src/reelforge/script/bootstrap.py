"""Wires the script service: settings, runtime, the configured writer, the subscriber."""

from __future__ import annotations

from pydantic import Field
from starlette.applications import Starlette

from reelforge.contracts import SCRIPT_REQUESTED, ScriptRequested
from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime
from reelforge.runtime.kafka import subscriber_options
from reelforge.runtime.settings import ServiceSettings

from .domain.writer import ScriptWriter
from .service_layer.handlers import handle_script_requested
from .writers import build_writer

SERVICE = "script"


class ScriptServiceSettings(ServiceSettings):
    http_port: int = Field(default=8081, ge=0, le=65535, description="Port of the HTTP server.")


def bootstrap(
    settings: ScriptServiceSettings | None = None, writer: ScriptWriter | None = None
) -> tuple[Starlette, ServiceRuntime]:
    settings = settings or ScriptServiceSettings()
    runtime = create_runtime(SERVICE, settings, "reelforge.script")
    chosen = writer or build_writer()

    @runtime.broker.subscriber(SCRIPT_REQUESTED, **subscriber_options(runtime.retry_policy))
    async def on_script_requested(event: ScriptRequested) -> None:
        await handle_script_requested(event, runtime.db, chosen)

    return build_service_app(runtime), runtime
