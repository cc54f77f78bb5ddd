"""The reelforge metric names and labels agreed in the project brief, as an exposition.

The dashboard and the alert rules may only query these (plus FastStream's own metrics and
Prometheus' `up`). The e2e test checks the same queries against the running services' /metrics;
this catalogue lets the check run without them, and fails when a query has a typo.
"""

from __future__ import annotations

import pytest
from faststream.kafka import KafkaBroker, TestKafkaBroker
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# (name as exported, type, label names)
CATALOGUE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # render
    ("reelforge_provider_request_duration_seconds", "histogram", ("provider", "operation")),
    ("reelforge_provider_errors_total", "counter", ("provider", "error_class")),
    ("reelforge_circuit_state", "gauge", ("provider",)),
    ("reelforge_circuit_transitions_total", "counter", ("provider", "to_state")),
    ("reelforge_rate_limit_wait_seconds", "histogram", ("provider",)),
    ("reelforge_render_jobs", "gauge", ("state",)),
    ("reelforge_render_duration_seconds", "histogram", ("provider",)),
    ("reelforge_render_cost_usd_total", "counter", ("provider",)),
    ("reelforge_render_oldest_active_job_age_seconds", "gauge", ()),
    # script
    ("reelforge_scripts_total", "counter", ("writer", "video_type", "outcome")),
    ("reelforge_script_generation_seconds", "histogram", ("writer",)),
    ("reelforge_llm_tokens_total", "counter", ("kind",)),
    ("reelforge_script_retries_total", "counter", ("writer",)),
    ("reelforge_script_fallbacks_total", "counter", ()),
    ("reelforge_script_regenerations_total", "counter", ()),
    # storage
    ("reelforge_storage_bytes_total", "counter", ("backend",)),
    ("reelforge_storage_transfer_seconds", "histogram", ("backend",)),
    ("reelforge_storage_throughput_bytes_per_second", "histogram", ("backend",)),
    ("reelforge_storage_failures_total", "counter", ("reason",)),
    ("reelforge_storage_assets_total", "counter", ("backend",)),
    ("reelforge_job_end_to_end_seconds", "histogram", ()),
    # webhook
    ("reelforge_webhooks_received_total", "counter", ("provider", "event_type", "outcome")),
    ("reelforge_api_requests_total", "counter", ("route", "method", "status")),
    ("reelforge_callback_deliveries_total", "counter", ("outcome",)),
    # runtime (every service)
    ("reelforge_dlq_messages_total", "counter", ("service", "topic", "reason")),
    ("reelforge_handler_retries_total", "counter", ("service", "topic")),
    ("reelforge_outbox_pending", "gauge", ("service",)),
    ("reelforge_consumer_lag", "gauge", ("service", "topic", "partition")),
)

_TYPES = {"counter": Counter, "gauge": Gauge, "histogram": Histogram}


def catalogue_exposition() -> str:
    """/metrics text with every catalogue metric and one sample carrying all its labels."""
    registry = CollectorRegistry()
    for name, kind, labels in CATALOGUE:
        metric = _TYPES[kind](name, f"reelforge catalogue entry {name}", labels, registry=registry)
        child = metric.labels(*["x"] * len(labels)) if labels else metric
        if kind == "counter":
            child.inc()
        elif kind == "gauge":
            child.set(1)
        else:
            child.observe(1.0)
    return generate_latest(registry).decode()


PROMETHEUS_UP = '# TYPE up gauge\nup{job="render",instance="render:8080"} 1\n'


async def faststream_exposition() -> str:
    """/metrics of a FastStream Kafka app with the Prometheus middleware after real handling.

    Consumes and publishes through FastStream's in-memory test broker, so the metric names and
    labels (app_name, handler, destination, status, exception_type) are FastStream's own.
    """
    registry = CollectorRegistry()
    broker = KafkaBroker(
        middlewares=[KafkaPrometheusMiddleware(registry=registry, app_name="render")]
    )
    status_publisher = broker.publisher("video.status")

    @broker.subscriber("video.requested")
    async def submit(body: dict[str, str]) -> None:
        await status_publisher.publish({"state": "queued"}, key=b"job-1")

    @broker.subscriber("video.status")
    async def fail(body: dict[str, str]) -> None:
        raise RuntimeError("handler failed")

    async with TestKafkaBroker(broker) as test_broker:
        with pytest.raises(RuntimeError, match="handler failed"):
            await test_broker.publish({"job_id": "job-1"}, "video.requested", key=b"job-1")
    return generate_latest(registry).decode()
