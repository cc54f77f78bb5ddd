"""Webhook service settings (environment variables; see the README table)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator

from reelforge.runtime.settings import ServiceSettings


class WebhookSettings(ServiceSettings):
    http_port: int = Field(default=8084, ge=0, le=65535, description="Port of the HTTP server.")
    webhook_public_base_url: str = Field(
        default="http://127.0.0.1:8084",
        description="Public URL of this service, advertised as the server of the OpenAPI "
        "document at /docs (clients generated from it call this URL). Provider callback URLs are "
        "built by render from RENDER_WEBHOOK_BASE_URL, which must point here too.",
    )
    webhook_callback_token_secret: SecretStr | None = Field(
        default=None,
        description="Server secret(s) of the per-job tokens on unsigned callback URLs (HeyGen "
        "callback_url, D-ID webhook); must equal render's RENDER_CALLBACK_TOKEN_SECRET. "
        "Comma-separated: the first signs, all verify (rotation). Unset: a random secret per "
        "process (a warning is logged), so no callback URL survives a restart.",
    )
    webhook_heygen_secrets: SecretStr | None = Field(
        default=None,
        description="HeyGen registered-endpoint secret(s) (whsec_..., as HeyGen returned them), "
        "comma-separated; any of them verifies (rotation). Unset: every signed HeyGen delivery "
        "is refused with 401 no_secret_configured.",
    )
    webhook_signing_master_secret: SecretStr | None = Field(
        default=None,
        description="Master secret from which each tenant's Standard Webhooks signing secret "
        "(for upstream callbacks) is derived. Unset: the first WEBHOOK_CALLBACK_TOKEN_SECRET, "
        "else a random secret per process.",
    )
    webhook_max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        description="Request bodies larger than this (bytes) are refused with 413.",
    )
    webhook_signature_tolerance_s: int = Field(
        default=300,
        ge=1,
        description="How far (seconds) a signed HeyGen delivery's Heygen-Timestamp may be from "
        "now before it is refused with 401 stale_timestamp.",
    )
    webhook_publish_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="Seconds a webhook waits for Kafka's acknowledgement of its video.status "
        "before it is answered 503 (the provider retries).",
    )
    webhook_allow_insecure_callbacks: bool = Field(
        default=False,
        description="Allow http and private-network upstream callback URLs (development only).",
    )
    webhook_callback_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="Timeout (seconds) of one upstream callback attempt; retries follow a "
        "backoff schedule for 24 h.",
    )

    @field_validator("webhook_public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def callback_token_secrets(self) -> list[SecretStr]:
        return _split(self.webhook_callback_token_secret)

    @property
    def heygen_secrets(self) -> list[SecretStr]:
        return _split(self.webhook_heygen_secrets)

    @property
    def signing_master(self) -> SecretStr:
        """The master for tenant callback secrets; falls back to the callback token secret."""
        for candidate in (self.webhook_signing_master_secret, self.webhook_callback_token_secret):
            secrets = _split(candidate)
            if secrets:
                return secrets[0]
        raise ValueError("set WEBHOOK_SIGNING_MASTER_SECRET to sign upstream callbacks")


def with_search_path(dsn: str, schema: str) -> str:
    """`dsn` with ``search_path=<schema>,public`` as a connection parameter.

    The runtime sets the search path in the pool's ``init`` hook, but asyncpg's pool runs
    ``RESET ALL`` whenever a connection is released, which undoes it; a startup parameter is the
    session default that ``RESET ALL`` returns to, so it survives.
    """
    parts = urlsplit(dsn)
    query = dict(parse_qsl(parts.query))
    query.setdefault("search_path", f"{schema},public")
    return urlunsplit(parts._replace(query=urlencode(query)))


def _split(value: SecretStr | None) -> list[SecretStr]:
    if value is None:
        return []
    return [SecretStr(part.strip()) for part in value.get_secret_value().split(",") if part.strip()]
