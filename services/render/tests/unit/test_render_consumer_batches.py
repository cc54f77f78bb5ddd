"""The batch consumer: requests are handled together, only webhook statuses are parsed, and a
message that does not parse is dead-lettered without stopping the batch."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from aiokafka import ConsumerRecord

from reelforge.contracts import (
    VIDEO_REQUESTED,
    VIDEO_STATUS,
    JobState,
    StatusSource,
    VideoRequested,
    VideoStatus,
)
from reelforge.render.entrypoints.consumer import BatchRouter

pytestmark = pytest.mark.unit


def record(topic: str, value: bytes, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, 0, offset, 0, 0, None, value, None, 0, len(value), [])


class FakeBroker:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any]]] = []

    async def publish(self, body: bytes, *, topic: str, key: bytes | None) -> None:
        self.published.append((topic, json.loads(body)))


def request() -> VideoRequested:
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        scenes=[{"avatar_id": "amy", "voice_id": "jenny", "script": "Hello there."}],
    )


def status(source: StatusSource) -> VideoStatus:
    return VideoStatus(
        job_id=uuid.uuid4(), tenant_id="acme", state=JobState.RENDERING, source=source
    )


async def test_a_batch_is_split_into_requests_and_webhook_signals() -> None:
    broker = FakeBroker()
    batches: list[Sequence[VideoRequested]] = []
    signals: list[VideoStatus] = []

    async def on_requested(events: Sequence[VideoRequested]) -> None:
        batches.append(events)

    async def on_signal(event: VideoStatus) -> None:
        signals.append(event)

    router = BatchRouter(broker, "reelforge-render", on_requested, on_signal)  # type: ignore[arg-type]
    first, second = request(), request()
    hint = status(StatusSource.WEBHOOK)
    await router.handle(
        [
            record(VIDEO_REQUESTED, first.model_dump_json().encode(), 1),
            record(VIDEO_STATUS, status(StatusSource.RENDER).model_dump_json().encode(), 2),
            record(VIDEO_REQUESTED, b"{not json", 3),
            record(VIDEO_STATUS, hint.model_dump_json().encode(), 4),
            record(VIDEO_REQUESTED, second.model_dump_json().encode(), 5),
        ]
    )

    assert [[e.job_id for e in batch] for batch in batches] == [[first.job_id, second.job_id]]
    assert [s.job_id for s in signals] == [hint.job_id]
    [(topic, letter)] = broker.published
    assert topic == f"{VIDEO_REQUESTED}.dlq"
    assert letter["reason"] == "unparseable"
    assert letter["original_offset"] == 3
