"""StorageSettings as read from the environment."""

from __future__ import annotations

import ipaddress

import pytest
from pydantic import ValidationError

from reelforge.runtime.settings import ServiceSettings
from reelforge.storage.config import StorageSettings

pytestmark = pytest.mark.unit


def test_defaults_are_the_embedded_local_backend_with_safe_downloads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("STORAGE_BACKEND", "STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS"):
        monkeypatch.delenv(name, raising=False)
    settings = StorageSettings()
    assert settings.backend == "local"
    policy = settings.download_policy()
    assert policy.max_bytes == 2 * 1024**3
    assert policy.allowed_networks == ()
    assert policy.allow_http_hosts == frozenset()
    assert "*.heygen.ai" in policy.allowed_hosts["heygen"]


def test_environment_lists_json_and_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s3-secret-value-that-must-not-leak"
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.setenv("STORAGE_S3_BUCKET", "videos")
    monkeypatch.setenv("STORAGE_S3_ENDPOINT", "http://127.0.0.1:8333")
    monkeypatch.setenv("STORAGE_S3_SECRET_ACCESS_KEY", secret)
    monkeypatch.setenv("STORAGE_SIGNING_KEY", "z" * 32)
    monkeypatch.setenv("STORAGE_DOWNLOAD_ALLOWED_HOSTS", '{"local": ["127.0.0.1"]}')
    monkeypatch.setenv("STORAGE_DOWNLOAD_ALLOW_HTTP_HOSTS", "127.0.0.1, localhost")
    monkeypatch.setenv("STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS", "127.0.0.0/8,::1")
    monkeypatch.setenv("STORAGE_MAX_DOWNLOAD_BYTES", "1048576")
    settings = StorageSettings()
    assert secret not in repr(settings)
    assert secret not in str(settings.model_dump())
    policy = settings.download_policy()
    assert policy.allowed_hosts == {"local": ("127.0.0.1",)}
    assert policy.allow_http_hosts == {"127.0.0.1", "localhost"}
    assert ipaddress.ip_address("127.0.0.9") in policy.allowed_networks[0]
    assert policy.max_bytes == 1048576


def test_s3_backend_needs_a_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_BACKEND", "s3")
    monkeypatch.delenv("STORAGE_S3_BUCKET", raising=False)
    with pytest.raises(ValidationError, match="STORAGE_S3_BUCKET"):
        StorageSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STORAGE_SIGNING_KEY", "too-short"),
        ("STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS", "not-a-network"),
        ("STORAGE_SIGNED_URL_TTL_S", str(8 * 24 * 3600)),
        ("STORAGE_UPLOAD_PART_BYTES", str(1024 * 1024)),
    ],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        StorageSettings()


def test_the_embedded_stacks_short_forms_are_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "STORAGE_DOWNLOAD_ALLOWED_HOSTS", "local=127.0.0.1|localhost, did=*.d-id.com"
    )
    monkeypatch.setenv("STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS", "true")
    policy = StorageSettings().download_policy()
    assert policy.allowed_hosts == {"local": ("127.0.0.1", "localhost"), "did": ("*.d-id.com",)}
    for address in ("127.0.0.1", "10.1.2.3", "::1"):
        assert any(ipaddress.ip_address(address) in n for n in policy.allowed_networks)
    monkeypatch.setenv("STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS", "false")
    assert StorageSettings().download_policy().allowed_networks == ()


def test_common_and_storage_settings_come_from_one_class_with_unchanged_env_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "kafka.test:9092")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.test/x")
    monkeypatch.setenv("HTTP_PORT", "9123")
    monkeypatch.setenv("HANDLER_MAX_ATTEMPTS", "7")
    monkeypatch.setenv("STORAGE_LOCAL_DIR", "/srv/assets")
    monkeypatch.setenv("STORAGE_UPLOAD_PART_BYTES", str(16 * 1024 * 1024))
    # Unprefixed storage names and prefixed common names are not read.
    monkeypatch.setenv("LOCAL_DIR", "/wrong")
    monkeypatch.setenv("STORAGE_HTTP_PORT", "1")
    settings = StorageSettings()
    assert isinstance(settings, ServiceSettings)
    assert settings.kafka_bootstrap_servers == "kafka.test:9092"
    assert settings.database_url == "postgresql://u@db.test/x"
    assert (settings.http_port, settings.handler_max_attempts) == (9123, 7)
    assert str(settings.local_dir) == "/srv/assets"
    assert settings.upload_part_bytes == 16 * 1024 * 1024
    # Every storage variable is STORAGE_*; the inherited ones keep their names.
    for name, field in StorageSettings.model_fields.items():
        expected = name if name in ServiceSettings.model_fields else f"storage_{name}"
        assert field.alias == expected
    # Code and tests can still pass the short names.
    assert StorageSettings(backend="local", http_port=0).http_port == 0


def test_the_storage_service_listens_on_its_own_port_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HTTP_PORT", raising=False)
    assert StorageSettings().http_port == 8083
