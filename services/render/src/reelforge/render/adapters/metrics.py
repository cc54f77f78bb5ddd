"""Prometheus metrics of the render service's provider layer.

Circuit breaker state and transitions (``reelforge_circuit_state``,
``reelforge_circuit_transitions_total``) are exported by ``reelforge.runtime.resilience``.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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
