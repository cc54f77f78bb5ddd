"""Settings of the storage service: the runtime's common ones (KAFKA_BOOTSTRAP_SERVERS,
DATABASE_URL, HTTP_PORT, ...) plus its own, read from ``STORAGE_*`` environment variables.

The storage fields keep short attribute names (``settings.backend``); their alias adds the
``storage_`` prefix, so the environment variable is ``STORAGE_BACKEND`` while the inherited
common fields keep their unprefixed names (the runtime's ServiceSettings has no env prefix).

Lists are comma-separated (``STORAGE_DOWNLOAD_ALLOW_HTTP_HOSTS=127.0.0.1,localhost``); the
per-provider host allow-list is JSON (``STORAGE_DOWNLOAD_ALLOWED_HOSTS='{"heygen":
["*.heygen.ai"]}'``).
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from reelforge.runtime.settings import ServiceSettings
from reelforge.storage.domain.download_policy import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_REDIRECTS,
    DEFAULT_TIMEOUT_S,
    DownloadPolicy,
    parse_networks,
)
from reelforge.storage.domain.signing import MIN_SECRET_BYTES

MIB = 1024 * 1024
S3_MIN_PART_BYTES = 5 * MIB
S3_MAX_PRESIGN_S = 7 * 24 * 3600

DEFAULT_ALLOWED_HOSTS: dict[str, list[str]] = {
    # HeyGen serves finished videos and thumbnails from files.heygen.ai / resource2.heygen.ai.
    "heygen": ["*.heygen.ai", "*.heygen.com"],
    # D-ID's result_url points into its talks bucket on S3.
    "did": ["d-id-talks-prod.s3.us-west-2.amazonaws.com", "*.d-id.com"],
    # The embedded renderer serves its output from the local machine.
    "local": ["127.0.0.1", "localhost", "::1"],
}


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


ENV_PREFIX = "storage_"


def _env_name(field: str) -> str:
    """`backend` -> `storage_backend` (STORAGE_BACKEND); common fields keep their own name."""
    return field if field in ServiceSettings.model_fields else f"{ENV_PREFIX}{field}"


class StorageSettings(ServiceSettings):
    """Where assets go, how they are signed, and what may be downloaded."""

    model_config = SettingsConfigDict(
        alias_generator=_env_name, populate_by_name=True, extra="ignore", case_sensitive=False
    )

    http_port: int = Field(default=8083, ge=0, le=65535, description="Port of the HTTP server.")

    backend: Literal["local", "s3"] = Field(
        default="local",
        description="`local`: a directory on this machine (embedded default); `s3`: any "
        "S3-compatible store (AWS, MinIO, SeaweedFS).",
    )
    local_dir: Path = Field(
        default=Path(".reelforge/storage"),
        description="Root directory of the local backend; created if missing.",
    )
    s3_bucket: str | None = Field(default=None, description="Bucket of the s3 backend (required).")
    s3_endpoint: str | None = Field(
        default=None,
        description="S3 endpoint URL for MinIO/SeaweedFS (e.g. http://127.0.0.1:8333); empty "
        "means AWS's regional endpoint. An http:// endpoint enables plain-HTTP access.",
    )
    s3_region: str = Field(default="us-east-1", description="S3 region (signing scope).")
    s3_access_key_id: str | None = Field(
        default=None, description="S3 access key id; empty means the AWS default credential chain."
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="S3 secret access key (never logged)."
    )
    s3_virtual_hosted_style: bool = Field(
        default=False,
        description="Address the bucket as a subdomain (AWS style) instead of a path "
        "(MinIO/SeaweedFS style).",
    )
    s3_unsigned_payload: bool = Field(
        default=False,
        description="Sign requests without a SHA-256 of each uploaded part (UNSIGNED-PAYLOAD): "
        "saves about 0.6 CPU s per GB uploaded. Safe over https (TLS guards the body) and with "
        "stores that do not check the payload hash (SeaweedFS); over plain http to AWS or "
        "MinIO keep it off. The service's own sha256 of each asset is computed either way.",
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8080",
        description="Base URL at which clients reach this service's HTTP server; local-backend "
        "signed URLs point at its /media route.",
    )
    signing_key: SecretStr = Field(
        default_factory=lambda: SecretStr(secrets.token_urlsafe(32)),
        description=f"HMAC key (at least {MIN_SECRET_BYTES} bytes) for local-backend signed URLs. "
        "Set it: the random default changes at every start and differs between replicas, so "
        "URLs signed before a restart stop working.",
    )
    signing_keys_previous: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Former signing keys (comma-separated) still accepted, for key rotation.",
    )
    signed_url_ttl_s: int = Field(
        default=24 * 3600,
        ge=60,
        le=S3_MAX_PRESIGN_S,
        description="Lifetime of signed URLs in video.ready (S3 presigning allows 7 days at most).",
    )
    download_allowed_hosts: Annotated[dict[str, list[str]], NoDecode] = Field(
        default=json.dumps(DEFAULT_ALLOWED_HOSTS, separators=(",", ":")),
        validate_default=True,
        description="Per provider, the hosts its files may be downloaded from, as JSON "
        '(`{"heygen": ["*.heygen.ai"]}`) or `provider=host|host,provider=host`; `*.domain` '
        "matches subdomains. A provider not listed may download nothing.",
    )
    download_allow_http_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Hosts that may be fetched over plain http (e.g. 127.0.0.1 in the embedded "
        "stack); all others need https.",
    )
    download_allow_private_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="CIDR networks downloads may reach although they are private, loopback or "
        "link-local (e.g. 127.0.0.0/8 in the embedded stack); `true` allows every address, "
        "`false` none. Empty in production.",
    )
    download_max_redirects: int = Field(
        default=DEFAULT_MAX_REDIRECTS, ge=0, le=10, description="Redirects followed at most."
    )
    max_download_bytes: int = Field(
        default=DEFAULT_MAX_BYTES, ge=1, description="Largest video accepted (default 2 GiB)."
    )
    download_timeout_s: float = Field(
        default=DEFAULT_TIMEOUT_S,
        gt=0,
        description="Cap on one whole transfer (download + upload, all retries).",
    )
    download_connect_timeout_s: float = Field(
        default=10.0, gt=0, description="Cap on connecting to the source."
    )
    download_read_timeout_s: float = Field(
        default=60.0, gt=0, description="Longest silence from the source before a retry."
    )
    download_max_attempts: int = Field(
        default=5, ge=1, description="Tries of a broken download (resumes and restarts together)."
    )
    download_retry_backoff_s: float = Field(
        default=0.5, ge=0, description="First retry delay; doubles per attempt, with jitter."
    )
    download_chunk_bytes: int = Field(
        default=MIB,
        ge=16 * 1024,
        description="Largest piece read from the source connection at once (speed vs memory).",
    )
    upload_part_bytes: int = Field(
        default=8 * MIB,
        ge=S3_MIN_PART_BYTES,
        description="Multipart upload part size (S3 requires at least 5 MiB).",
    )
    upload_max_concurrency: int = Field(
        default=4,
        ge=1,
        le=32,
        description="Parts uploaded at once; memory in flight is about part size x this.",
    )
    thumbnail_max_bytes: int = Field(
        default=10 * MIB, ge=1, description="Largest provider thumbnail accepted."
    )
    thumbnail_at_s: float = Field(
        default=1.0, ge=0, description="Where to take the generated thumbnail from."
    )
    thumbnail_max_width: int = Field(
        default=640, ge=16, description="Width of a generated thumbnail (height keeps the ratio)."
    )

    @field_validator("signing_keys_previous", "download_allow_http_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        return _split_commas(value)

    @field_validator("download_allowed_hosts", mode="before")
    @classmethod
    def _hosts_per_provider(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("{"):
            return json.loads(text)
        hosts: dict[str, list[str]] = {}
        for entry in re.split(r"[,;]", text):
            provider, _, names = entry.partition("=")
            if provider.strip():
                hosts[provider.strip()] = [n.strip() for n in names.split("|") if n.strip()]
        return hosts

    @field_validator("download_allow_private_networks", mode="before")
    @classmethod
    def _networks_or_switch(cls, value: object) -> object:
        switch = value.strip().lower() if isinstance(value, str) else None
        if switch in ("true", "1", "yes"):
            return ["0.0.0.0/0", "::/0"]
        if switch in ("false", "0", "no"):
            return []
        return _split_commas(value)

    @field_validator("signing_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value().encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"STORAGE_SIGNING_KEY must be at least {MIN_SECRET_BYTES} bytes")
        return value

    @field_validator("download_allow_private_networks")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        parse_networks(value)
        return value

    @model_validator(mode="after")
    def _backend_complete(self) -> Self:
        if self.backend == "s3" and not self.s3_bucket:
            raise ValueError("STORAGE_S3_BUCKET is required when STORAGE_BACKEND=s3")
        return self

    @property
    def signed_url_ttl(self) -> timedelta:
        return timedelta(seconds=self.signed_url_ttl_s)

    @property
    def accepted_signing_keys(self) -> list[SecretStr]:
        return [self.signing_key, *self.signing_keys_previous]

    def download_policy(self) -> DownloadPolicy:
        return DownloadPolicy(
            allowed_hosts={k: tuple(v) for k, v in self.download_allowed_hosts.items()},
            allow_http_hosts=frozenset(self.download_allow_http_hosts),
            allowed_networks=parse_networks(self.download_allow_private_networks),
            max_redirects=self.download_max_redirects,
            max_bytes=self.max_download_bytes,
            timeout_s=self.download_timeout_s,
        )
