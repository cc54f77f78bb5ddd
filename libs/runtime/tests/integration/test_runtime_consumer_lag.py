"""Consumer lag exported by the service itself, measured on the real broker."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from reelforge.runtime.consumer_lag import (
    ConsumerLagMonitor,
    partition_lag,
    sample_lag,
    subscribed_groups,
)
from reelforge.runtime.embedded import create_topics
from reelforge.runtime.kafka import build_broker, subscriber_options
from reelforge.runtime.settings import ServiceSettings

pytestmark = pytest.mark.integration

PARTITIONS = 3


async def _fresh_topic(bootstrap: str) -> str:
    topic = f"lag-test-{uuid.uuid4().hex[:8]}"
    await create_topics(bootstrap, PARTITIONS, topics=[topic, f"{topic}.dlq"])
    return topic


async def _publish(producer: AIOKafkaProducer, topic: str, count: int) -> None:
    sent = [
        await producer.send(topic, b'{"n": %d}' % i, key=f"job-{i}".encode()) for i in range(count)
    ]
    await asyncio.gather(*sent)


async def test_unconsumed_messages_are_lag_and_consuming_them_brings_it_to_zero(
    kafka_bootstrap: str, kafka_producer: AIOKafkaProducer
) -> None:
    topic = await _fresh_topic(kafka_bootstrap)
    group = f"lag-group-{uuid.uuid4().hex[:8]}"
    service = f"lag{uuid.uuid4().hex[:6]}"
    monitor = ConsumerLagMonitor(kafka_bootstrap, service, {group: [topic]}, interval_s=0.2)
    await monitor.start()
    try:
        await monitor.wait_for(lambda lags: len(lags) == PARTITIONS, 30)
        assert monitor.topic_lag(topic) == 0

        await _publish(kafka_producer, topic, 7)
        lags = await monitor.wait_for(lambda _: monitor.topic_lag(topic) == 7, 30)
        assert {partition for _, partition in lags} == set(range(PARTITIONS))
        assert sample_lag(service, topic) == 7

        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await consumer.start()
        try:
            consumed = 0
            async with asyncio.timeout(30):
                while consumed < 4:
                    batch = await consumer.getmany(timeout_ms=500, max_records=4 - consumed)
                    consumed += sum(len(records) for records in batch.values())
            await consumer.commit()
            await monitor.wait_for(lambda _: monitor.topic_lag(topic) == 3, 30)
            async with asyncio.timeout(30):
                while consumed < 7:
                    batch = await consumer.getmany(timeout_ms=500)
                    consumed += sum(len(records) for records in batch.values())
            await consumer.commit()
        finally:
            await consumer.stop()
        await monitor.wait_for(lambda _: monitor.topic_lag(topic) == 0, 30)
        assert sample_lag(service, topic) == 0
    finally:
        await monitor.stop()


async def test_a_service_broker_reports_the_lag_of_its_own_subscribers(
    kafka_bootstrap: str, kafka_producer: AIOKafkaProducer
) -> None:
    """Built from the broker like the runtime does: lag grows while the subscriber is not
    running and drops to zero once it has handled (and committed) every message."""
    topic = await _fresh_topic(kafka_bootstrap)
    service = f"lag{uuid.uuid4().hex[:6]}"
    settings = ServiceSettings(kafka_bootstrap_servers=kafka_bootstrap)
    broker, policy = build_broker(settings, service)
    handled = 0

    @broker.subscriber(topic, **subscriber_options(policy))
    async def handle(body: dict[str, int]) -> None:
        nonlocal handled
        handled += 1

    assert subscribed_groups(broker) == {policy.group_id: {topic}}
    monitor = ConsumerLagMonitor.for_broker(broker, kafka_bootstrap, service, interval_s=0.2)
    await _publish(kafka_producer, topic, 5)
    await monitor.start()
    try:
        await monitor.wait_for(lambda _: monitor.topic_lag(topic) == 5, 30)
        assert sample_lag(service, topic) == 5
        async with broker:
            await broker.start()
            await monitor.wait_for(lambda _: monitor.topic_lag(topic) == 0, 60)
        assert handled == 5
        assert sample_lag(service, topic) == 0
    finally:
        await monitor.stop()


async def test_an_unreachable_broker_does_not_stop_the_monitor() -> None:
    monitor = ConsumerLagMonitor("127.0.0.1:9", "lagdown", {"g": ["t"]}, interval_s=0.05)
    await monitor.start()
    try:
        await monitor.wait_for_failures(2, 60)
    finally:
        await monitor.stop()
    assert monitor.refreshes == 0


@pytest.mark.parametrize(
    ("committed", "beginning", "end", "lag"),
    [(None, 0, 7, 7), (-1, 2, 7, 5), (4, 0, 7, 3), (7, 0, 7, 0), (1, 3, 7, 4), (9, 0, 7, 0)],
)
def test_partition_lag(committed: int | None, beginning: int, end: int, lag: int) -> None:
    assert partition_lag(committed, beginning, end) == lag


def test_interval_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSUMER_LAG_INTERVAL_S", "2.5")
    assert ServiceSettings().consumer_lag_interval_s == 2.5
    monkeypatch.delenv("CONSUMER_LAG_INTERVAL_S")
    assert ServiceSettings().consumer_lag_interval_s == 15.0
