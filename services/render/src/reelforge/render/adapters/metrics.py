"""Prometheus metrics of the render service's provider layer.

Circuit breaker state and transitions (``reelforge_circuit_state``,
``reelforge_circuit_transitions_total``) are exported by ``reelforge.runtime.resilience``.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

PROVIDER_REQUEST_DURATION = Histogram(
    "reelforge_provider_request_duration_seconds",
    "Latency of HTTP requests to a video provider, by operation.",
    ["provider", "operation"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
PROVIDER_ERRORS = Counter(
    "reelforge_provider_errors",
    "Classified provider errors; error_class is the stable error code (e.g. unknown_avatar).",
    ["provider", "error_class"],
)
RATE_LIMIT_WAIT = Histogram(
    "reelforge_rate_limit_wait_seconds",
    "Time a submission waited for the provider's token bucket.",
    ["provider"],
    buckets=(0, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
RENDER_JOBS = Gauge(
    "reelforge_render_jobs",
    "Render jobs by state (recomputed from PostgreSQL every RENDER_METRICS_REFRESH_S).",
    ["state"],
)
RENDER_DURATION = Histogram(
    "reelforge_render_duration_seconds",
    "Time from submission at the provider to rendered, by provider.",
    ["provider"],
    buckets=(1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600),
)
RENDER_COST = Counter(
    "reelforge_render_cost_usd",
    "Estimated cost of rendered videos in USD, by provider.",
    ["provider"],
)
OLDEST_ACTIVE_JOB_AGE = Gauge(
    "reelforge_render_oldest_active_job_age_seconds",
    "Age of the oldest render job that is neither rendered nor failed.",
)
