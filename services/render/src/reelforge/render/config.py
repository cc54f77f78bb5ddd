"""Render service settings (environment variables; see the README table)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from reelforge.runtime.settings import ServiceSettings


class RenderSettings(ServiceSettings):
    http_port: int = Field(default=8082, ge=0, le=65535, description="Port of the HTTP server.")
    render_provider_order: str = Field(
        default="local", description="Providers to try in order, comma-separated: heygen,did,local."
    )
    render_public_base_url: str = Field(
        default="http://127.0.0.1:8082",
        description="Base URL at which storage can fetch local renders from this service.",
    )
    render_media_dir: Path = Field(
        default=Path(".reelforge/render"), description="Where the local renderer writes videos."
    )
    render_local_workers: int = Field(
        default=1, ge=1, description="Processes rendering locally at once (CPU-bound)."
    )
    render_max_in_flight: int = Field(
        default=10, ge=1, description="Renders in flight per provider (HeyGen pay-as-you-go: 10)."
    )
    render_deadline_s: int = Field(
        default=1800, ge=60, description="A job that has not finished by then fails."
    )
    render_lease_s: int = Field(
        default=900,
        ge=10,
        description="How long a replica owns a local render before another may retry it.",
    )
    heygen_api_key: SecretStr | None = Field(default=None, description="HeyGen API key.")
    did_api_key: SecretStr | None = Field(default=None, description="D-ID API key.")

    @property
    def provider_order(self) -> list[str]:
        return [p.strip() for p in self.render_provider_order.split(",") if p.strip()]
