"""The webhook service with some of its stages replaced by no-ops: what each stage costs the one
uvicorn worker, measured by running `webhook_throughput.py` against it.

    .venv/bin/python benchmarks/webhook_throughput.py --concurrency 16 --load-generator wrk \\
      --service-cmd "$PWD/.venv/bin/python benchmarks/webhook_service_without.py --without kafka"

Stages (comma-separated in ``--without``):
- ``database``: the dedupe log answers "not seen, tenant bench" without a round trip and records
  nothing;
- ``kafka``: the signal is not serialised or published (no acknowledgement awaited), so the
  service's consumer receives no hints either;
- ``consumer``: the job-view consumer is not started.
The log line is left to `webhook_throughput.py --log-level WARNING`.

Everything else (HTTP, signature verification, parsing, the event's construction, counters, the
answer) runs as in production. This is a measuring tool: a service started this way loses
webhooks, so it is never deployed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from reelforge.contracts import Event
from reelforge.runtime.app import ServiceRuntime
from reelforge.webhook.__main__ import main as run_service
from reelforge.webhook.adapters.deliveries import DeliveryContext, DeliveryLog
from reelforge.webhook.adapters.publisher import KafkaPublisher
from reelforge.webhook.entrypoints import consumers

STAGES = ("database", "kafka", "consumer")
UNSEEN = DeliveryContext("bench-tenant", duplicate=False)


async def _unseen(
    self: DeliveryLog, provider: str, delivery_id: str, job_id: UUID
) -> DeliveryContext:
    return UNSEEN


async def _not_recorded(
    self: DeliveryLog, provider: str, delivery_id: str, job_id: UUID, event_id: UUID
) -> None:
    return None


async def _not_published(self: KafkaPublisher, topic: str, event: Event) -> None:
    return None


def _no_consumer(
    runtime: ServiceRuntime, now: Callable[[], datetime], wake_sender: Callable[[], None]
) -> None:
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without", default="", help=f"Comma-separated: {', '.join(STAGES)}.")
    without = {stage for stage in parser.parse_args().without.split(",") if stage}
    if unknown := without - set(STAGES):
        parser.error(f"unknown stage(s) {', '.join(sorted(unknown))}; known: {', '.join(STAGES)}")
    # Replaced on the classes before the service's bootstrap binds the handler to them.
    if "database" in without:
        DeliveryLog.context = _unseen  # type: ignore[method-assign]
        DeliveryLog.record = _not_recorded  # type: ignore[method-assign]
    if "kafka" in without:
        KafkaPublisher.publish = _not_published  # type: ignore[method-assign]
    if "consumer" in without:
        consumers.register = _no_consumer
    run_service()


if __name__ == "__main__":
    main()
