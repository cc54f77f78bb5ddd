"""The runtime's delivery guarantees on the real broker: retry, dead-letter, late commit."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from reelforge.runtime.embedded import create_topics
from reelforge.runtime.kafka import build_broker, subscriber_options
from reelforge.runtime.settings import ServiceSettings
from reelforge.runtime.testing import EventWaiter

pytestmark = pytest.mark.integration


async def _fresh_topic(bootstrap: str) -> str:
    topic = f"runtime-test-{uuid.uuid4().hex[:8]}"
    await create_topics(bootstrap, 1, topics=[topic, f"{topic}.dlq"])
    return topic


async def test_failing_handler_is_retried_then_dead_lettered_and_consumption_continues(
    kafka_bootstrap: str, kafka_producer: AIOKafkaProducer
) -> None:
    topic = await _fresh_topic(kafka_bootstrap)
    settings = ServiceSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        handler_max_attempts=3,
        handler_retry_backoff_s=0.01,
    )
    broker, policy = build_broker(settings, f"rt{uuid.uuid4().hex[:6]}")
    attempts: dict[str, int] = {}
    handled = asyncio.Event()

    @broker.subscriber(topic, **subscriber_options(policy))
    async def handle(body: dict[str, str]) -> None:
        attempts[body["name"]] = attempts.get(body["name"], 0) + 1
        if body["name"] == "poison":
            raise RuntimeError("cannot handle poison")
        handled.set()

    await kafka_producer.send_and_wait(topic, b'{"name": "poison"}', key=b"job-1")
    await kafka_producer.send_and_wait(topic, b'{"name": "fine"}', key=b"job-1")
    async with broker, EventWaiter(kafka_bootstrap, f"{topic}.dlq") as dlq:
        await broker.start()
        letter = await dlq.wait_for(lambda _t, e: e.get("original_topic") == topic, 60)
        await asyncio.wait_for(handled.wait(), 30)

    assert attempts == {"poison": 3, "fine": 1}
    assert letter["reason"] == "retries_exhausted"
    assert letter["attempts"] == 3
    assert letter["error"] == {"type": "RuntimeError", "message": "cannot handle poison"}
    assert letter["original_partition"] == 0
    assert letter["original_offset"] == 0
    assert json.loads(letter["payload"]) == {"name": "poison"}
    assert letter["consumer_group"] == policy.group_id


async def test_unparseable_message_goes_straight_to_the_dead_letter_topic(
    kafka_bootstrap: str, kafka_producer: AIOKafkaProducer
) -> None:
    from reelforge.contracts import VideoStatus

    topic = await _fresh_topic(kafka_bootstrap)
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap, handler_max_attempts=5)
    broker, policy = build_broker(settings, f"rt{uuid.uuid4().hex[:6]}")
    calls = 0

    @broker.subscriber(topic, **subscriber_options(policy))
    async def handle(event: VideoStatus) -> None:
        nonlocal calls
        calls += 1

    await kafka_producer.send_and_wait(topic, b"{not json", key=b"k1")
    await kafka_producer.send_and_wait(topic, b'{"state": "nonsense"}', key=b"k2")
    async with broker, EventWaiter(kafka_bootstrap, f"{topic}.dlq") as dlq:
        await broker.start()
        first = await dlq.wait_for(lambda _t, e: e.get("original_key") == "k1", 60)
        second = await dlq.wait_for(lambda _t, e: e.get("original_key") == "k2", 60)

    assert calls == 0
    assert (first["reason"], first["attempts"]) == ("unparseable", 1)
    assert (second["reason"], second["attempts"]) == ("unparseable", 1)
    assert "state" in second["error"]["message"]


CONSUMER_SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from pathlib import Path
    from reelforge.runtime.kafka import build_broker, subscriber_options
    from reelforge.runtime.settings import ServiceSettings

    bootstrap, topic, marker = sys.argv[1], sys.argv[2], Path(sys.argv[3])

    async def main() -> None:
        broker, policy = build_broker(ServiceSettings(kafka_bootstrap_servers=bootstrap), "rtkill")

        @broker.subscriber(topic, **subscriber_options(policy))
        async def handle(body: dict) -> None:
            marker.write_text(body["name"])
            await asyncio.Event().wait()  # still working when the process is killed

        await broker.start()
        await asyncio.Event().wait()

    asyncio.run(main())
    """
)


async def test_offset_is_not_committed_before_the_handler_finishes(
    kafka_bootstrap: str, kafka_producer: AIOKafkaProducer, tmp_path: Path
) -> None:
    topic = await _fresh_topic(kafka_bootstrap)
    marker = tmp_path / "started"
    await kafka_producer.send_and_wait(topic, b'{"name": "in-flight"}', key=b"job-9")
    proc = subprocess.Popen(
        [sys.executable, "-c", CONSUMER_SCRIPT, kafka_bootstrap, topic, str(marker)],
        env={**os.environ, "LOG_LEVEL": "WARNING"},
    )
    try:
        async with asyncio.timeout(60):
            while not marker.exists():  # the subprocess is mid-handler once the marker exists
                await asyncio.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    broker, policy = build_broker(
        ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap), "rtkill"
    )
    redelivered = asyncio.get_running_loop().create_future()

    @broker.subscriber(topic, **subscriber_options(policy))
    async def handle(body: dict[str, str]) -> None:
        if not redelivered.done():
            redelivered.set_result(body["name"])

    async with broker:
        await broker.start()
        assert await asyncio.wait_for(redelivered, 90) == "in-flight"
