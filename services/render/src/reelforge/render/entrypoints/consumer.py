"""The render service's Kafka consumer: one batch subscriber for ``video.requested`` and
``video.status``.

Batches, because every handled message otherwise costs its own PostgreSQL commit (a WAL flush)
and its own offset commit: per message, 10,000 requests took minutes to queue; per batch, the
new jobs of a batch are stored in one transaction. One subscriber for both topics, because a
second consumer in the group costs a rebalance at every start. A message that does not parse
goes to ``<topic>.dlq`` at once, as the runtime's middleware does for single messages.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import ConsumerRecord
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from reelforge.contracts import (
    VIDEO_REQUESTED,
    VideoRequested,
    VideoStatus,
    dead_letter_topic,
)
from reelforge.runtime.kafka import dead_letter_for

logger = logging.getLogger(__name__)

WEBHOOK_MARKER = b'"source":"webhook"'
"""Our own statuses are most of video.status; only webhook signals are parsed."""


class BatchRouter:
    def __init__(
        self,
        broker: KafkaBroker,
        group_id: str,
        on_requested: Callable[[Sequence[VideoRequested]], Awaitable[None]],
        on_signal: Callable[[VideoStatus], Awaitable[None]],
    ) -> None:
        self.broker = broker
        self.group_id = group_id
        self.on_requested = on_requested
        self.on_signal = on_signal

    async def handle(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        requested: list[VideoRequested] = []
        signals: list[VideoStatus] = []
        for record in records:
            value = record.value or b""
            try:
                if record.topic == VIDEO_REQUESTED:
                    requested.append(VideoRequested.model_validate_json(value))
                elif WEBHOOK_MARKER in value.replace(b" ", b""):
                    signals.append(VideoStatus.model_validate_json(value))
            except ValidationError as error:
                await self._dead_letter(record, error)
        if requested:
            await self.on_requested(requested)
        for signal in signals:
            await self.on_signal(signal)

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], error: Exception) -> None:
        letter = dead_letter_for(record, error, self.group_id, 1, "unparseable")
        await self.broker.publish(
            letter.model_dump_json().encode(), topic=dead_letter_topic(record.topic), key=record.key
        )
        logger.error(
            "message dead-lettered",
            extra={"topic": record.topic, "offset": record.offset, "reason": "unparseable"},
        )
