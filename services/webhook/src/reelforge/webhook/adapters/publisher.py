"""Publishing to Kafka with the acknowledgement awaited, and the produce calls batched.

Each request hands its event to a queue and awaits its own delivery future. One task drains the
queue: everything that arrived since its last round is grouped by partition, appended to one
record batch per partition and handed to the producer at once, so under load one produce request
carries hundreds of events instead of each request producing (and flushing) on its own, while
every caller still learns whether *its* event was acknowledged (acks=all).

The batches go to the aiokafka producer inside the service's one FastStream broker (same
connection, same settings) rather than through ``broker.publish``: FastStream's per-publish
middleware stack (a tracing span and metrics per call) costs about four times the produce itself
on this machine. The W3C trace context is still injected into each event's headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from faststream.kafka import KafkaBroker
from murmurhash2 import murmurhash2
from opentelemetry import propagate

from reelforge.contracts import Event
from reelforge.runtime.kafka import event_headers

logger = logging.getLogger(__name__)


class BrokerUnavailableError(Exception):
    """Kafka did not acknowledge the event in time; the caller must not report success."""


@dataclass
class _Outgoing:
    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]
    delivered: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class KafkaPublisher:
    def __init__(self, broker: KafkaBroker, timeout_s: float) -> None:
        self.broker = broker
        self.timeout_s = timeout_s
        self._queue: list[_Outgoing] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._partitions: dict[str, list[int]] = {}

    async def publish(self, topic: str, event: Event) -> None:
        """Return once the broker acknowledged `event`; raise :class:`BrokerUnavailableError`."""
        headers = event_headers(event)
        propagate.inject(headers)
        outgoing = _Outgoing(
            topic,
            event.key,
            event.model_dump_json().encode(),
            [(name, value.encode()) for name, value in headers.items()],
        )
        delivered = outgoing.delivered
        # One timer per event, settled by the publisher or by the timer, whichever comes first:
        # cheaper than asyncio.timeout + shield on every request, and the caller's task is never
        # cancelled (a late acknowledgement of an expired event is harmless: the provider's retry
        # republishes it with the same event_id).
        expiry = asyncio.get_running_loop().call_later(self.timeout_s, _expire, delivered)
        delivered.add_done_callback(lambda _: expiry.cancel())
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="kafka-publisher")
        self._queue.append(outgoing)
        self._wake.set()
        try:
            await delivered
        except _ExpiredError as error:
            raise BrokerUnavailableError(
                f"no acknowledgement from Kafka within {self.timeout_s} s"
            ) from error
        except Exception as error:
            logger.warning("publish failed", extra={"topic": topic, "error": repr(error)})
            raise BrokerUnavailableError(
                f"Kafka refused the event: {type(error).__name__}"
            ) from error

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                pending, self._queue = self._queue, []
                try:
                    deliveries = await self._send(pending)
                except Exception as error:
                    for item in pending:
                        if not item.delivered.done():
                            item.delivered.set_exception(error)
                    continue
                # One round in flight at a time: what arrives meanwhile goes out together in the
                # next produce request. Sending every few events as soon as they come costs the
                # broker and the client a request each (~0.25 ms of broker CPU per event here).
                if deliveries:
                    await asyncio.wait(deliveries, timeout=self.timeout_s)

    async def _send(self, items: list[_Outgoing]) -> list[asyncio.Future[Any]]:
        """Hand `items` to the producer; the futures settle when the broker acknowledged them."""
        producer = _aiokafka_producer(self.broker)
        deliveries: list[asyncio.Future[Any]] = []
        if producer is None:
            for item in items:
                delivery = await self.broker.publish(
                    item.value,
                    topic=item.topic,
                    key=item.key,
                    headers={k: v.decode() for k, v in item.headers},
                    no_confirm=True,
                )
                _settle_when_done(delivery, [item])
                deliveries.append(delivery)
            return deliveries
        groups: dict[tuple[str, int], list[_Outgoing]] = defaultdict(list)
        for item in items:
            partitions = await self._partitions_of(producer, item.topic)
            groups[(item.topic, partition_for(item.key, partitions))].append(item)
        for (topic, partition), group in groups.items():
            batch, members = producer.create_batch(), list[_Outgoing]()
            for item in group:
                if (
                    batch.append(
                        key=item.key, value=item.value, timestamp=None, headers=item.headers
                    )
                    is None
                ):
                    delivery = await producer.send_batch(batch, topic, partition=partition)
                    _settle_when_done(delivery, members)
                    deliveries.append(delivery)
                    batch, members = producer.create_batch(), list[_Outgoing]()
                    batch.append(
                        key=item.key, value=item.value, timestamp=None, headers=item.headers
                    )
                members.append(item)
            delivery = await producer.send_batch(batch, topic, partition=partition)
            _settle_when_done(delivery, members)
            deliveries.append(delivery)
        return deliveries

    async def _partitions_of(self, producer: Any, topic: str) -> list[int]:
        known = self._partitions.get(topic)
        if known is None:
            known = sorted(await producer.partitions_for(topic))
            self._partitions[topic] = known
        return known


KAFKA_MURMUR2_SEED = 0x9747B28C


def partition_for(key: bytes, partitions: list[int]) -> int:
    """The partition Kafka's default partitioner picks for `key` (Java's and aiokafka's alike),
    so that a job's events from every service share one partition and keep their order.

    aiokafka's murmur2 is pure Python, about 20 µs per key under load: a twentieth of what a
    whole webhook may cost. The C implementation computes the same hash in well under 1 µs.
    """
    return partitions[(murmurhash2(key, KAFKA_MURMUR2_SEED) & 0x7FFFFFFF) % len(partitions)]


class _ExpiredError(Exception):
    """No acknowledgement within the publish timeout."""


def _expire(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_exception(_ExpiredError())


def _settle_when_done(delivery: asyncio.Future[Any], items: list[_Outgoing]) -> None:
    def settle(done: asyncio.Future[Any]) -> None:
        error = done.exception() if not done.cancelled() else asyncio.CancelledError()
        for item in items:
            if item.delivered.done():
                continue
            if error is None:
                item.delivered.set_result(None)
            else:
                item.delivered.set_exception(error)

    delivery.add_done_callback(settle)


def _aiokafka_producer(broker: KafkaBroker) -> Any:
    """The started aiokafka producer of `broker`, or None (not started, or internals changed)."""
    state = getattr(getattr(broker, "_producer", None), "_producer", None)
    producer = getattr(state, "producer", None) if state is not None and bool(state) else None
    return producer if producer is not None and hasattr(producer, "create_batch") else None
