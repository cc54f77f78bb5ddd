"""deploy/k8s: `kubectl kustomize` renders every overlay, the output validates against the
Kubernetes JSON schemas (strict) and KEDA's ScaledObject schema, and holds together."""

from __future__ import annotations

import copy
import json
import subprocess
from collections.abc import Iterator
from ipaddress import ip_network
from typing import Any
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml
from jsonschema import Draft202012Validator

from reelforge.contracts.topics import ALL_TOPICS
from tests.deploy.metric_queries import REPO_ROOT
from tests.deploy.service_settings import (
    SERVICES,
    load_service_settings,
    service_env,
    settings_class_path,
)
from tests.deploy.tools import require_tool

pytestmark = pytest.mark.unit

K8S = REPO_ROOT / "deploy" / "k8s"
KUBERNETES_VERSION = "1.33"
KEDA_SCHEMA = REPO_ROOT / "deploy" / "schemas" / "keda-scaledobject-v1alpha1.json"
SECRETS_EXAMPLE = K8S / "secrets.example.env"
SECRET_NAME = "reelforge-secrets"
KAFKA_SCALED = ("script", "render", "storage")
# Partitions per topic in production (deploy/k8s/README.md); KEDA never scales a group past them.
PRODUCTION_PARTITIONS = {
    "script.requested": 24, "video.requested": 24, "video.status": 96, "video.ready": 24,
}  # fmt: skip
KUSTOMIZATIONS = ("base", "overlays/small")

Manifest = dict[str, Any]


@pytest.fixture(scope="module", params=KUSTOMIZATIONS)
def rendered(request: pytest.FixtureRequest) -> list[Manifest]:
    kubectl = require_tool("kubectl")
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S / request.param)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {request.param}:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def keda_validator() -> Draft202012Validator:
    schema = json.loads(KEDA_SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(manifest: Manifest, keda_validator: Draft202012Validator) -> list[str]:
    """Validation errors of one manifest: KEDA's schema for ScaledObject, Kubernetes' otherwise."""
    where = f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}"
    if manifest.get("kind") == "ScaledObject":
        return [
            f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in keda_validator.iter_errors(manifest)
        ]
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as err:
        return [f"{where}: {'/'.join(map(str, err.absolute_path))}: {err.message}"]
    except kubernetes_validate.SchemaNotFoundError as err:
        return [f"{where}: {err.message}"]
    return []


def of_kind(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in manifests if m["kind"] == kind}


def containers(deployment: Manifest) -> Iterator[Manifest]:
    yield from deployment["spec"]["template"]["spec"]["containers"]


def test_every_manifest_validates_against_its_schema(
    rendered: list[Manifest], keda_validator: Draft202012Validator
) -> None:
    errors = [e for manifest in rendered for e in schema_errors(manifest, keda_validator)]

    assert errors == []
    assert {m["kind"] for m in rendered} >= {
        "Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "ScaledObject",
        "HorizontalPodAutoscaler",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "path", "bad_value"),
    [
        ("Deployment", ("spec", "template", "spec", "containers", 0, "readinesProbe"), {}),
        (
            "Deployment",
            ("spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"),
            "http",
        ),
        ("PodDisruptionBudget", ("spec", "maxUnavailable"), [1]),
        ("HorizontalPodAutoscaler", ("spec", "targetCPUUtilizationPercentage"), 70),
        ("ScaledObject", ("spec", "triggers", 0, "metadata", "lagThreshold"), 50),
        ("ScaledObject", ("spec", "maxReplicas"), 5),
    ],
)
def test_validation_refuses_broken_manifests(
    rendered: list[Manifest],
    keda_validator: Draft202012Validator,
    kind: str,
    path: tuple[str | int, ...],
    bad_value: object,
) -> None:
    manifest = copy.deepcopy(next(m for m in rendered if m["kind"] == kind))
    node: Any = manifest
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = bad_value

    assert schema_errors(manifest, keda_validator)


def test_every_service_has_a_deployment_a_service_and_a_disruption_budget(
    rendered: list[Manifest],
) -> None:
    deployments = of_kind(rendered, "Deployment")
    services = of_kind(rendered, "Service")
    budgets = of_kind(rendered, "PodDisruptionBudget")

    assert set(deployments) == set(SERVICES)
    for name, deployment in deployments.items():
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector.items() <= pod_labels.items()
        assert services[name]["spec"]["selector"].items() <= pod_labels.items()
        assert budgets[name]["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        assert services[name]["spec"]["ports"][0]["targetPort"] == "http"


@pytest.mark.parametrize("service", SERVICES)
def test_pods_have_probes_resources_and_no_root(rendered: list[Manifest], service: str) -> None:
    deployment = of_kind(rendered, "Deployment")[service]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = containers(deployment)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    resources = container["resources"]

    assert ports == {"http": 8080}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert set(resources["requests"]) == set(resources["limits"]) == {"cpu", "memory"}
    assert _quantity(resources["requests"]["cpu"]) <= _quantity(resources["limits"]["cpu"])
    assert _quantity(resources["requests"]["memory"]) <= _quantity(resources["limits"]["memory"])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
    if container["securityContext"].get("readOnlyRootFilesystem"):
        assert "/tmp" in mounts


def test_render_media_directory_is_a_writable_volume(rendered: list[Manifest]) -> None:
    deployment = of_kind(rendered, "Deployment")["render"]
    (container,) = containers(deployment)
    config = _configmaps_of(rendered, container)
    media_dir = config["RENDER_MEDIA_DIR"]

    assert any(
        media_dir == m["mountPath"] or media_dir.startswith(m["mountPath"].rstrip("/") + "/")
        for m in container["volumeMounts"]
    )


def test_storage_may_fetch_local_renders_only_where_render_renders_locally(
    rendered: list[Manifest],
) -> None:
    deployments = of_kind(rendered, "Deployment")
    (render,) = containers(deployments["render"])
    (storage,) = containers(deployments["storage"])
    render_config = _configmaps_of(rendered, render)
    storage_config = _configmaps_of(rendered, storage)
    providers = render_config["RENDER_PROVIDER_ORDER"].split(",")
    render_host = urlsplit(render_config["RENDER_PUBLIC_BASE_URL"]).hostname
    http_hosts = storage_config.get("STORAGE_DOWNLOAD_ALLOW_HTTP_HOSTS", "").split(",")

    if "local" in providers:
        allowed = json.loads(storage_config["STORAGE_DOWNLOAD_ALLOWED_HOSTS"])
        assert render_host in allowed["local"]
        assert render_host in http_hosts
        assert ip_network(storage_config["STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS"]).is_private
        assert of_kind(rendered, "ScaledObject")["render"]["spec"]["maxReplicaCount"] == 1
    else:
        assert http_hosts == [""], "plain-HTTP downloads allowed without the local renderer"
        assert "STORAGE_DOWNLOAD_ALLOW_PRIVATE_NETWORKS" not in storage_config


def test_kafka_consumers_scale_on_lag_and_webhook_on_cpu(rendered: list[Manifest]) -> None:
    scaled = of_kind(rendered, "ScaledObject")
    autoscalers = of_kind(rendered, "HorizontalPodAutoscaler")

    assert set(scaled) == set(KAFKA_SCALED)
    for name, scaled_object in scaled.items():
        spec = scaled_object["spec"]
        assert spec["scaleTargetRef"]["name"] == name
        topics = [trigger["metadata"]["topic"] for trigger in spec["triggers"]]
        assert set(topics) <= set(ALL_TOPICS)
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        assert spec["maxReplicaCount"] <= min(PRODUCTION_PARTITIONS[t] for t in topics)
        for trigger in spec["triggers"]:
            assert trigger["type"] == "kafka"
            assert trigger["metadata"]["consumerGroup"] == f"reelforge-{name}"
    assert set(autoscalers) == {"webhook"}
    hpa = autoscalers["webhook"]
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "webhook"
    }  # fmt: skip
    (metric,) = hpa["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"
    assert "replicas" not in of_kind(rendered, "Deployment")["webhook"]["spec"]


def test_scalers_read_the_brokers_the_services_use(rendered: list[Manifest]) -> None:
    configmaps = of_kind(rendered, "ConfigMap")
    (common,) = [c for name, c in configmaps.items() if name.startswith("reelforge-common")]
    brokers = common["data"]["KAFKA_BOOTSTRAP_SERVERS"]

    for scaled_object in of_kind(rendered, "ScaledObject").values():
        for trigger in scaled_object["spec"]["triggers"]:
            assert trigger["metadata"]["bootstrapServers"] == brokers


def test_configmap_and_secret_references_resolve(rendered: list[Manifest]) -> None:
    configmaps = set(of_kind(rendered, "ConfigMap"))
    secret_keys = _secret_example_keys()

    for deployment in of_kind(rendered, "Deployment").values():
        for container in containers(deployment):
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in configmaps
            for variable in container.get("env", []):
                ref = variable["valueFrom"]["secretKeyRef"]
                assert ref["name"] == SECRET_NAME
                assert ref["key"] in secret_keys


@pytest.mark.parametrize("service", SERVICES)
def test_every_variable_the_manifests_set_is_one_the_service_reads(
    rendered: list[Manifest], service: str
) -> None:
    reads = service_env(service)
    if reads is None:
        pytest.skip(f"{settings_class_path(service)} does not exist yet")
    (container,) = containers(of_kind(rendered, "Deployment")[service])
    variables = set(_configmaps_of(rendered, container)) | {v["name"] for v in container["env"]}

    assert sorted(v for v in variables if not reads.reads(v)) == []


@pytest.mark.parametrize("service", SERVICES)
def test_the_settings_accept_the_values_the_manifests_give(
    rendered: list[Manifest], service: str
) -> None:
    if service_env(service) is None:
        pytest.skip(f"{settings_class_path(service)} does not exist yet")
    (container,) = containers(of_kind(rendered, "Deployment")[service])
    secrets = {v["name"]: "a-secret-value-of-forty-characters-long!" for v in container["env"]}
    secrets["DATABASE_URL"] = "postgresql://reelforge:secret@postgres:5432/reelforge"

    common, _ = load_service_settings(service, _configmaps_of(rendered, container) | secrets)

    assert common.http_host == "0.0.0.0"
    assert common.http_port == 8080
    assert common.kafka_idempotent_producer is True


def _configmaps_of(rendered: list[Manifest], container: Manifest) -> dict[str, str]:
    configmaps = of_kind(rendered, "ConfigMap")
    data: dict[str, str] = {}
    for source in container.get("envFrom", []):
        data.update(configmaps[source["configMapRef"]["name"]]["data"])
    return data


def _secret_example_keys() -> set[str]:
    lines = SECRETS_EXAMPLE.read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


_SUFFIXES = {
    "m": 1e-3,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
}


def _quantity(value: str | int | float) -> float:
    text = str(value)
    for suffix in sorted(_SUFFIXES, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * _SUFFIXES[suffix]
    return float(text)


def test_quantities_compare_across_units() -> None:
    assert _quantity("250m") < _quantity("1") < _quantity("1500m") < _quantity(2)
    assert _quantity("512Mi") < _quantity("1Gi") == _quantity("1024Mi")
