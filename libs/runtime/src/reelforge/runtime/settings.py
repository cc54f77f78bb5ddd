"""Settings every service reads from the environment (documented in the README table)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Common settings. Services subclass this and prefix their own variables (RENDER_...)."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated."
    )
    kafka_idempotent_producer: bool = Field(
        default=False,
        description="Kafka's idempotent producer (real Kafka only; the embedded broker lacks it).",
    )
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        description="PostgreSQL DSN; each service uses its own schema in it.",
    )
    db_pool_max_size: int = Field(default=10, ge=1, description="Max PostgreSQL connections.")
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP server binds.")
    http_port: int = Field(default=8080, ge=0, le=65535, description="Port of the HTTP server.")
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    handler_max_attempts: int = Field(
        default=3, ge=1, description="Tries per message before it goes to <topic>.dlq."
    )
    handler_retry_backoff_s: float = Field(
        default=0.2, ge=0, description="First retry delay; doubles per attempt, with jitter."
    )
    consumer_lag_interval_s: float = Field(
        default=15.0,
        gt=0,
        description="How often each service refreshes reelforge_consumer_lag from Kafka.",
    )
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, description="OTLP/HTTP endpoint for traces; none means traces stay local."
    )
