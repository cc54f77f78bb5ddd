"""The script service's Prometheus metrics (default registry), and a writer wrapper that records
them for every script."""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram

from ..domain.writer import ScriptBrief, ScriptError, ScriptWriter, WrittenScript

SCRIPTS = Counter(
    "reelforge_scripts",
    "Scripts by the writer that wrote them, video type and outcome "
    "(ok, out_of_budget: kept the closest draft, failed).",
    ["writer", "video_type", "outcome"],
)
GENERATION_SECONDS = Histogram(
    "reelforge_script_generation_seconds",
    "Time to write one script, by the writer that wrote it (the configured one when it failed).",
    ["writer"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300),
)
LLM_TOKENS = Counter(
    "reelforge_llm_tokens",
    "LLM tokens used, from the answers' `usage` (kind: prompt, completion).",
    ["kind"],
)
RETRIES = Counter(
    "reelforge_script_retries",
    "Extra requests a writer made: LLM requests retried after a 429, 5xx or timeout, and drafts "
    "asked again because the previous one was unusable or outside the word budget.",
    ["writer"],
)
FALLBACKS = Counter(
    "reelforge_script_fallbacks",
    "Scripts written by the fallback (template) writer because the LLM writer failed.",
)
REGENERATIONS = Counter(
    "reelforge_script_regenerations",
    "Requests naming an earlier job as `regenerate_of` (a new script for the same brief).",
)
LLM_REQUEST_SECONDS = Histogram(
    "reelforge_llm_request_duration_seconds",
    "Duration of one chat-completions request, by outcome (ok, rate_limited, server_error, "
    "timeout, network, rejected, malformed, circuit_open: not sent).",
    ["outcome"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120),
)
LLM_ERRORS = Counter(
    "reelforge_llm_errors",
    "Failed chat-completions requests by error class (rate_limited, server_error, timeout, "
    "network, rejected, malformed, circuit_open).",
    ["error_class"],
)


class MeasuredWriter:
    """Wraps a writer and records scripts, outcomes, latency, retries and regenerations."""

    def __init__(self, inner: ScriptWriter) -> None:
        self._inner = inner
        self.name = inner.name

    async def write(self, brief: ScriptBrief) -> WrittenScript:
        if brief.is_regeneration:
            REGENERATIONS.inc()
        started = time.perf_counter()
        video_type = brief.video_type.value
        try:
            written = await self._inner.write(brief)
        except ScriptError:
            GENERATION_SECONDS.labels(writer=self.name).observe(time.perf_counter() - started)
            SCRIPTS.labels(writer=self.name, video_type=video_type, outcome="failed").inc()
            raise
        GENERATION_SECONDS.labels(writer=written.writer).observe(time.perf_counter() - started)
        outcome = "ok" if written.within_budget else "out_of_budget"
        SCRIPTS.labels(writer=written.writer, video_type=video_type, outcome=outcome).inc()
        if written.attempts > 1:
            RETRIES.labels(writer=written.writer).inc(written.attempts - 1)
        return written
