"""Wires the webhook service. The HTTP edge's routes (provider webhooks, submission API, job
view) are added here as they land; today it serves health and metrics on the runtime."""

from __future__ import annotations

from pydantic import Field
from starlette.applications import Starlette

from reelforge.runtime.app import ServiceRuntime, build_service_app, create_runtime
from reelforge.runtime.settings import ServiceSettings

SERVICE = "webhook"


class WebhookServiceSettings(ServiceSettings):
    http_port: int = Field(default=8084, ge=0, le=65535, description="Port of the HTTP server.")


def bootstrap(settings: WebhookServiceSettings | None = None) -> tuple[Starlette, ServiceRuntime]:
    settings = settings or WebhookServiceSettings()
    runtime = create_runtime(SERVICE, settings, "reelforge.webhook")
    return build_service_app(runtime), runtime
