"""Prometheus metrics of the storage service (names fixed by the project brief).

Registered in prometheus_client's default registry, which the service's ``/metrics`` serves.
Transfer figures are recorded by :class:`~reelforge.storage.service_layer.transfer.AssetTransfer`
for every attempt; `assets_total` and the end-to-end histogram are recorded by the handler once
the asset's row is committed, so a redelivered event does not count twice.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

_MB = 1024 * 1024

BYTES_STORED = Counter(
    "reelforge_storage_bytes_total", "Video bytes written to the object store.", ["backend"]
)
TRANSFER_SECONDS = Histogram(
    "reelforge_storage_transfer_seconds",
    "Time to move one video from the provider into the object store (download + upload).",
    ["backend"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200),
)
THROUGHPUT = Histogram(
    "reelforge_storage_throughput_bytes_per_second",
    "Throughput of one video transfer.",
    ["backend"],
    buckets=tuple(x * _MB for x in (1, 5, 10, 25, 50, 100, 200, 400, 800, 1600)),
)
FAILURES = Counter(
    "reelforge_storage_failures_total",
    "Transfers that failed, by error code (download_*, storage_*, media_*).",
    ["reason"],
)
ASSETS = Counter("reelforge_storage_assets_total", "Assets stored (one per job).", ["backend"])
END_TO_END_BUCKETS = (
    5,
    10,
    15,
    20,
    30,
    45,
    60,
    90,
    120,
    180,
    240,
    300,
    450,
    600,
    900,
    1200,
    1800,
    2700,
    3600,
)
"""5 s .. 1 h: finer where videos usually land (30 s .. 10 min); beyond 1 h only +Inf."""
JOB_END_TO_END = Histogram(
    "reelforge_job_end_to_end_seconds",
    "From the job's request (requested_at) to its video.ready being published, in seconds.",
    buckets=END_TO_END_BUCKETS,
)


def record_transfer(backend: str, size_bytes: int, seconds: float) -> None:
    BYTES_STORED.labels(backend=backend).inc(size_bytes)
    TRANSFER_SECONDS.labels(backend=backend).observe(seconds)
    if seconds > 0:
        THROUGHPUT.labels(backend=backend).observe(size_bytes / seconds)


def record_failure(reason: str) -> None:
    FAILURES.labels(reason=reason).inc()


def record_asset(backend: str) -> None:
    """Call once per job, after the asset row is committed."""
    ASSETS.labels(backend=backend).inc()


def observe_end_to_end(seconds: float) -> None:
    """Call once per job with requested -> ready, when video.ready is committed."""
    JOB_END_TO_END.observe(max(0.0, seconds))
