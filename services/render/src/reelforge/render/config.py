"""Render service settings (environment variables; see the README table)."""

from __future__ import annotations

import json
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
    render_max_in_flight_by_provider: str = Field(
        default="",
        description="Per-provider overrides of RENDER_MAX_IN_FLIGHT, e.g. heygen=10,did=5.",
    )
    render_rate_limit_per_min: float = Field(
        default=50.0, gt=0, description="Submissions per minute per provider (token bucket)."
    )
    render_rate_limit_by_provider: str = Field(
        default="", description="Per-provider overrides of RENDER_RATE_LIMIT_PER_MIN, e.g. did=30."
    )
    render_rate_burst: int = Field(
        default=5, ge=1, description="Submissions a provider's token bucket allows at once."
    )
    render_deadline_s: float = Field(
        default=1800, gt=0, description="A job that has not finished by then fails."
    )
    render_lease_s: float = Field(
        default=900,
        gt=0,
        description="How long a replica owns a local render before another may retry it.",
    )
    render_submit_lease_s: float = Field(
        default=120,
        gt=0,
        description="How long a replica owns a remote submission; after that another resubmits "
        "(idempotently).",
    )
    render_submit_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Tries of a retryable submit error per provider before falling back.",
    )
    render_retry_backoff_s: float = Field(
        default=1.0, ge=0, description="First submit retry delay; doubles per try, full jitter."
    )
    render_retry_backoff_max_s: float = Field(
        default=60.0, ge=0, description="Longest submit retry delay (Retry-After may be longer)."
    )
    render_circuit_failure_threshold: int = Field(
        default=5, ge=1, description="Consecutive provider failures that open its circuit."
    )
    render_circuit_reset_s: float = Field(
        default=30.0, ge=0, description="How long an open circuit waits before a trial call."
    )
    render_circuit_half_open_calls: int = Field(
        default=1, ge=1, description="Trial calls a half-open circuit allows at once."
    )
    render_poll_initial_s: float = Field(
        default=5.0, gt=0, description="First status poll after a submission."
    )
    render_poll_max_s: float = Field(
        default=60.0, gt=0, description="Longest interval between two status polls of a job."
    )
    render_poll_factor: float = Field(
        default=1.5, ge=1, description="Each poll interval is the previous one times this."
    )
    render_poll_lease_s: float = Field(
        default=30.0,
        gt=0,
        description="A replica that took a due poll owns it this long (a crashed one's polls "
        "become due again after it).",
    )
    render_poll_batch: int = Field(default=100, ge=1, description="Due polls taken at once.")
    render_poll_concurrency: int = Field(
        default=5,
        ge=1,
        description="Status polls in flight at once per replica (keep below DB_POOL_MAX_SIZE).",
    )
    render_dispatch_interval_s: float = Field(
        default=2.0,
        gt=0,
        description="Longest pause of the dispatcher and poller when nothing wakes them.",
    )
    render_metrics_refresh_s: float = Field(
        default=15.0, gt=0, description="How often the jobs-by-state gauges are recomputed."
    )
    render_catalogue_ttl_s: float = Field(
        default=18 * 3600, gt=0, description="How long provider avatar/voice lists are cached."
    )
    render_provider_timeout_s: float = Field(
        default=30.0, gt=0, description="Timeout of one request to a remote provider."
    )
    render_heygen_base_url: str = Field(
        default="https://api.heygen.com", description="HeyGen API base URL."
    )
    render_did_base_url: str = Field(default="https://api.d-id.com", description="D-ID API URL.")
    render_did_presenters: str = Field(
        default="{}",
        description='JSON: D-ID avatar_id -> presenter image URL, e.g. {"amy": "https://..."}.',
    )
    render_webhook_base_url: str | None = Field(
        default=None,
        description="Public URL of the webhook service; when set, providers get per-job "
        "callback URLs on it (else completion is by polling only).",
    )
    render_callback_token_secret: SecretStr | None = Field(
        default=None,
        description="Secret for per-job callback tokens; must equal "
        "WEBHOOK_CALLBACK_TOKEN_SECRET (first value).",
    )
    render_kafka_session_timeout_ms: int = Field(
        default=10_000,
        ge=1000,
        description="Kafka consumer session timeout: how soon a dead replica's partitions move "
        "to the others.",
    )
    render_consume_batch: int = Field(
        default=500, ge=1, description="Kafka messages handled (and committed) together at most."
    )
    heygen_api_key: SecretStr | None = Field(default=None, description="HeyGen API key.")
    did_api_key: SecretStr | None = Field(default=None, description="D-ID API key.")

    @property
    def provider_order(self) -> list[str]:
        return [p.strip() for p in self.render_provider_order.split(",") if p.strip()]

    def max_in_flight_for(self, provider: str) -> int:
        value = _pairs(self.render_max_in_flight_by_provider).get(provider)
        return int(value) if value is not None else self.render_max_in_flight

    def rate_limit_for(self, provider: str) -> float:
        value = _pairs(self.render_rate_limit_by_provider).get(provider)
        return float(value) if value is not None else self.render_rate_limit_per_min

    @property
    def did_presenters(self) -> dict[str, str]:
        value = json.loads(self.render_did_presenters or "{}")
        if not isinstance(value, dict):
            raise ValueError("RENDER_DID_PRESENTERS must be a JSON object")
        return {str(k): str(v) for k, v in value.items()}


def _pairs(text: str) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in text.split(",") if "=" in part)
    return {name.strip(): value.strip() for name, value in pairs}
