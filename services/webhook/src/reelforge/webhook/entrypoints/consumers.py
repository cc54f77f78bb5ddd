"""Kafka consumer of the job topics, feeding the job view projection.

One batch subscriber on the four topics: offsets are committed once per batch, after every event
of it was applied (the handlers are idempotent, so a redelivered batch is harmless). Batches
matter here: this service also receives, on ``video.status``, every hint it published itself
(thousands per second under webhook load); those are skipped without any database work, and
per-message consumption would cost more CPU than answering the webhooks.

A message that does not parse is dead-lettered (``<topic>.dlq``) and the batch goes on; any other
error fails the batch, which is then redelivered.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaMessage
from faststream.message import StreamMessage
from pydantic import ValidationError

from reelforge.contracts import (
    SCRIPT_REQUESTED,
    VIDEO_READY,
    VIDEO_REQUESTED,
    VIDEO_STATUS,
    ScriptRequested,
    StatusSource,
    VideoReady,
    VideoRequested,
    VideoStatus,
    dead_letter_topic,
)
from reelforge.runtime.app import ServiceRuntime
from reelforge.runtime.kafka import dead_letter_for, subscriber_options
from reelforge.runtime.service_asyncapi import declare_publishers

from ..service_layer import projection

TOPICS = (VIDEO_STATUS, VIDEO_READY, VIDEO_REQUESTED, SCRIPT_REQUESTED)
MAX_BATCH = 500
FETCH_MIN_BYTES = 64 * 1024
FETCH_MAX_WAIT_MS = 200
"""Under webhook load the broker answers a fetch once 64 KiB (~100 events) are there, so a batch
carries many hints instead of a handful; when it is quiet the view's freshness suffers by at most
200 ms. Fewer fetches matter most with the embedded broker, where each costs milliseconds of CPU
while events arrive (benchmarks/embedded_broker_costs.py, ~1,400 events/s: broker CPU per event
170 µs with a 50 ms wait, 99 µs with 200 ms, 53 µs with no consumer)."""
_OWN_HINT = b'"source":"webhook"'
logger = logging.getLogger(__name__)


def register(
    runtime: ServiceRuntime, now: Callable[[], datetime], wake_sender: Callable[[], None]
) -> None:
    options = subscriber_options(runtime.retry_policy)

    async def apply(record: ConsumerRecord[bytes, bytes]) -> None:
        if record.topic == VIDEO_STATUS and _OWN_HINT in (record.value or b""):
            return  # our own hint (as serialised by this service): nothing to parse
        body: Any = json.loads(record.value or b"")
        if not isinstance(body, dict):
            raise ValueError("an event must be a JSON object")
        if record.topic == VIDEO_STATUS:
            if body.get("source") == StatusSource.WEBHOOK:
                return  # our own hint: the view shows what render confirms
            await projection.on_status(
                runtime.db, VideoStatus.model_validate(body), now, wake_sender
            )
        elif record.topic == VIDEO_READY:
            await projection.on_ready(runtime.db, VideoReady.model_validate(body), now, wake_sender)
        elif record.topic == VIDEO_REQUESTED:
            await projection.on_requested(runtime.db, VideoRequested.model_validate(body))
        elif record.topic == SCRIPT_REQUESTED:
            await projection.on_requested(runtime.db, ScriptRequested.model_validate(body))

    declare_publishers(
        runtime,
        {
            VIDEO_STATUS: VideoStatus,
            VIDEO_REQUESTED: VideoRequested,
            SCRIPT_REQUESTED: ScriptRequested,
        },
        dead_letters_of=TOPICS,
    )

    @runtime.broker.subscriber(
        *TOPICS,
        batch=True,
        max_records=MAX_BATCH,
        fetch_min_bytes=FETCH_MIN_BYTES,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        decoder=_undecoded,
        **options,
    )
    async def on_job_events(_: list[Any], message: KafkaMessage) -> None:
        records: tuple[ConsumerRecord[bytes, bytes], ...] = message.raw_message
        for record in records:
            try:
                await apply(record)
            except (ValidationError, ValueError, UnicodeDecodeError) as error:
                await _dead_letter(runtime, record, error)


async def _undecoded(_: StreamMessage[Any]) -> list[Any]:
    """Leave the batch undecoded: `apply` reads the raw records and skips our own hints unparsed
    (FastStream's batch decoder would build a message object and parse JSON for each record)."""
    return []


async def _dead_letter(
    runtime: ServiceRuntime, record: ConsumerRecord[bytes, bytes], error: Exception
) -> None:
    letter = dead_letter_for(record, error, runtime.retry_policy.group_id, 1, "unparseable")
    await runtime.broker.publish(
        letter.model_dump_json().encode(), topic=dead_letter_topic(record.topic), key=record.key
    )
    logger.error(
        "message dead-lettered",
        extra={"topic": record.topic, "offset": record.offset, "error": str(error)[:500]},
    )
