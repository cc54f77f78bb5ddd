"""docker-compose.yml, checked without a Docker engine: the Compose Specification schema, builds,
configuration of the services, topics, volumes, Prometheus and Grafana wiring."""

from __future__ import annotations

import copy
import json
import re
from ipaddress import ip_network
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator

from reelforge.contracts.topics import ALL_DLQ_TOPICS, ALL_TOPICS
from tests.deploy.metric_queries import REPO_ROOT
from tests.deploy.service_settings import (
    SERVICES,
    load_service_settings,
    service_env,
    settings_class_path,
)

pytestmark = pytest.mark.unit

COMPOSE_PATH = REPO_ROOT / "docker-compose.yml"
SCHEMA_PATH = REPO_ROOT / "deploy" / "schemas" / "compose-spec.json"
PROMETHEUS_CONFIG = REPO_ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA_PROVISIONING = REPO_ROOT / "deploy" / "grafana" / "provisioning"
DASHBOARD = REPO_ROOT / "deploy" / "grafana" / "dashboards" / "reelforge.json"

_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)")


def interpolate(value: str, env: dict[str, str] | None = None) -> str:
    """Compose's variable interpolation with an empty (or given) environment: `${X:-default}`."""
    env = env or {}

    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, default = match.group(2), match.group(3) or ""
        current = env.get(name)
        if operator == ":-" and not current:
            return default
        if operator == "-" and current is None:
            return default
        return current or ""

    return _VARIABLE.sub(replace, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_PATH.read_text())
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _errors(validator: Draft202012Validator, document: dict[str, Any]) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def test_compose_file_validates_against_the_compose_specification(
    compose: dict[str, Any], validator: Draft202012Validator
) -> None:
    assert _errors(validator, compose) == []


@pytest.mark.parametrize(
    ("path", "bad_value"),
    [
        (("services", "kafka", "healthcheck", "interval_s"), "10"),
        (("services", "webhook", "ports"), "8080:8080"),
        (("services", "render", "depends_on", "postgres", "condition"), "service_started_ok"),
        (("services", "storage", "restart_policy"), "always"),
    ],
)
def test_schema_refuses_a_broken_compose_file(
    compose: dict[str, Any],
    validator: Draft202012Validator,
    path: tuple[str, ...],
    bad_value: str,
) -> None:
    broken = copy.deepcopy(compose)
    node = broken
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad_value

    assert _errors(validator, broken)


def test_every_reelforge_service_is_built_from_its_own_dockerfile(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in SERVICES:
        build = services[name]["build"]
        assert build["dockerfile"] == f"services/{name}/Dockerfile"
    for name, service in services.items():
        if "build" not in service:
            continue
        build = service["build"]
        context = (COMPOSE_PATH.parent / build["context"]).resolve()
        assert context.is_dir(), f"{name}: build context {context} does not exist"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"


@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_compose_sets_is_one_the_service_reads(
    compose: dict[str, Any], service: str
) -> None:
    reads = service_env(service)
    if reads is None:
        pytest.skip(f"{settings_class_path(service)} does not exist yet")

    unread = sorted(v for v in compose["services"][service]["environment"] if not reads.reads(v))

    assert unread == [], f"{settings_class_path(service)} reads none of {unread}"


@pytest.mark.parametrize("service", SERVICES)
def test_the_settings_accept_the_values_compose_gives(
    compose: dict[str, Any], service: str
) -> None:
    if service_env(service) is None:
        pytest.skip(f"{settings_class_path(service)} does not exist yet")
    environment = {
        k: interpolate(str(v))
        for k, v in compose["services"][service]["environment"].items()
        if v is not None
    }

    common, own = load_service_settings(service, environment)

    assert common.kafka_bootstrap_servers == "kafka:9092"
    assert common.kafka_idempotent_producer is True
    assert common.http_port == 8080
    assert own is not None


@pytest.mark.parametrize("service", SERVICES)
def test_services_run_production_like(compose: dict[str, Any], service: str) -> None:
    definition = compose["services"][service]
    env = {k: interpolate(str(v)) for k, v in definition["environment"].items()}

    assert env["KAFKA_IDEMPOTENT_PRODUCER"] == "true"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["HTTP_PORT"] == "8080"
    assert any("/healthz" in part for part in definition["healthcheck"]["test"])
    assert any(":8080/" in part for part in definition["healthcheck"]["test"])
    assert definition["depends_on"]["kafka-init"]["condition"] == "service_completed_successfully"
    assert definition["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_storage_writes_to_the_minio_bucket_the_init_job_creates(compose: dict[str, Any]) -> None:
    storage = compose["services"]["storage"]
    env = {k: interpolate(str(v)) for k, v in storage["environment"].items()}
    init_env = {
        k: interpolate(str(v)) for k, v in compose["services"]["minio-init"]["environment"].items()
    }
    minio_env = {
        k: interpolate(str(v)) for k, v in compose["services"]["minio"]["environment"].items()
    }

    assert env["STORAGE_BACKEND"] == "s3"
    assert env["STORAGE_S3_ENDPOINT"] == "http://minio:9000"
    assert env["STORAGE_S3_BUCKET"] == init_env["BUCKET"]
    assert env["STORAGE_S3_ACCESS_KEY_ID"] == minio_env["MINIO_ROOT_USER"]
    assert env["STORAGE_S3_SECRET_ACCESS_KEY"] == minio_env["MINIO_ROOT_PASSWORD"]
    assert 'mb --ignore-existing "reelforge/$BUCKET"' in interpolate(
        compose["services"]["minio-init"]["command"][0]
    )
    assert storage["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"


def test_storage_may_fetch_the_local_renders_from_the_render_container(
    compose: dict[str, Any],
) -> None:
    render_env = compose["services"]["render"]["environment"]
    storage_env = {
        k: interpolate(str(v)) for k, v in compose["services"]["storage"]["environment"].items()
    }
    render_host = urlsplit(render_env["RENDER_PUBLIC_BASE_URL"]).hostname
    allowed_hosts = json.loads(storage_env["STORAGE_DOWNLOAD_ALLOWED_HOSTS"])
    (subnet,) = compose["networks"]["default"]["ipam"]["config"]

    assert render_host == "render"
    assert allowed_hosts["local"] == [render_host]
    assert {"heygen", "did"} <= set(allowed_hosts)
    assert storage_env["STORAGE_DOWNLOAD_ALLOW_HTTP_HOSTS"].split(",") == [render_host]
    assert storage_env["STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS"] == interpolate(subnet["subnet"])
    assert ip_network(interpolate(subnet["subnet"])).is_private


def test_render_keeps_its_media_on_a_volume(compose: dict[str, Any]) -> None:
    render = compose["services"]["render"]
    mounts = dict(reversed(v.split(":")[:2]) for v in render["volumes"])
    media_dir = Path(render["environment"]["RENDER_MEDIA_DIR"])

    assert any(media_dir.is_relative_to(path) for path in mounts)


def test_topic_job_creates_every_topic_and_its_dead_letter_topic(compose: dict[str, Any]) -> None:
    init = compose["services"]["kafka-init"]
    env = {k: interpolate(str(v)) for k, v in init["environment"].items()}
    script = interpolate(init["command"][0])

    assert set(env["REELFORGE_TOPICS"].split()) == set(ALL_TOPICS) | set(ALL_DLQ_TOPICS)
    assert env["KAFKA_TOPIC_PARTITIONS"] == "6"
    assert (
        interpolate(
            str(init["environment"]["KAFKA_TOPIC_PARTITIONS"]), {"KAFKA_TOPIC_PARTITIONS": "24"}
        )
        == "24"
    )
    assert "--if-not-exists" in script
    assert '--partitions "$KAFKA_TOPIC_PARTITIONS"' in script
    assert init["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_kafka_runs_kraft_on_a_durable_volume(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    env = {k: interpolate(str(v)) for k, v in kafka["environment"].items()}

    assert kafka["image"].startswith("apache/kafka:")
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert f"{env['KAFKA_LOG_DIRS']}" in {v.split(":", 1)[1] for v in kafka["volumes"]}


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("kafka", "/var/lib/kafka/data"),
        ("postgres", "/var/lib/postgresql/data"),
        ("minio", "/data"),
        ("prometheus", "/prometheus"),
        ("grafana", "/var/lib/grafana"),
    ],
)
def test_state_lives_in_named_volumes(compose: dict[str, Any], service: str, path: str) -> None:
    mounts = dict(reversed(v.split(":")[:2]) for v in compose["services"][service]["volumes"])

    assert mounts[path] in compose["volumes"], f"{service}:{path} is not on a named volume"


def test_bind_mounts_and_dependencies_point_at_things_that_exist(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (COMPOSE_PATH.parent / source).exists(), f"{name}: {source} missing"
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_prometheus_scrapes_every_service_on_its_container_port(compose: dict[str, Any]) -> None:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}

    for service in SERVICES:
        job = jobs[service]
        targets = [t for group in job["static_configs"] for t in group["targets"]]
        assert targets == [f"{service}:8080"]
        assert job.get("metrics_path", "/metrics") == "/metrics"
        assert service in compose["services"]
    mounts = compose["services"]["prometheus"]["volumes"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in mounts


def test_grafana_provisions_the_prometheus_datasource_and_the_dashboard(
    compose: dict[str, Any],
) -> None:
    grafana = compose["services"]["grafana"]
    mounts = {v.split(":")[0]: v.split(":")[1] for v in grafana["volumes"]}
    datasources = yaml.safe_load(
        (GRAFANA_PROVISIONING / "datasources" / "prometheus.yml").read_text()
    )
    providers = yaml.safe_load((GRAFANA_PROVISIONING / "dashboards" / "reelforge.yml").read_text())
    dashboard = json.loads(DASHBOARD.read_text())
    (datasource,) = datasources["datasources"]
    (provider,) = providers["providers"]
    variable = next(v for v in dashboard["templating"]["list"] if v["type"] == "datasource")

    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert datasource["type"] == "prometheus"
    assert datasource["url"] == "http://prometheus:9090"
    assert variable["current"]["value"] == datasource["uid"]
    assert Path(
        interpolate(grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"])
    ).name == (DASHBOARD.name)
