"""Prometheus metrics of the storage service (names fixed by the project brief).

Registered in prometheus_client's default registry, which the service's ``/metrics`` serves.
Transfer figures are recorded by :class:`~reelforge.storage.adapters.asset_transfer.AssetTransfer`
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
JOB_END_TO_END = Histogram(
    "reelforge_job_end_to_end_seconds",
    "From the job's request to its video.ready.",
    buckets=(10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200),
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
