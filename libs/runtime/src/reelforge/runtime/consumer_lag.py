"""Consumer lag, exported by each service itself: `reelforge_consumer_lag{service,topic,partition}`.

A background task started with the service's runtime reads, every `CONSUMER_LAG_INTERVAL_S`
seconds, the committed offsets of the service's consumer groups (those of its FastStream
subscribers) and the end offsets of the partitions they read, and sets the gauge to
`end - committed` per partition. A partition where the group has committed nothing yet counts
from the log start (the subscribers use `auto_offset_reset=earliest`, so all of it is pending).
So the dashboard and the lag alert need no separate lag exporter, and KEDA scales on the same
numbers it reads from Kafka.

Lag is read-only bookkeeping: a failing refresh (broker away) is logged and retried at the next
interval; it never stops the service. The gauge keeps its last values meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge

logger = logging.getLogger(__name__)

CONSUMER_LAG = Gauge(
    "reelforge_consumer_lag",
    "Messages in a partition that the service's consumer group has not committed yet.",
    ["service", "topic", "partition"],
)
LAG_REFRESH_ERRORS = Counter(
    "reelforge_consumer_lag_refresh_errors",
    "Consumer-lag refreshes that failed (the gauge keeps its last values).",
    ["service"],
)

# (topic, partition) -> lag
Lags = dict[tuple[str, int], int]


def subscribed_groups(broker: KafkaBroker) -> dict[str, set[str]]:
    """Consumer group -> topics, from the broker's subscribers (those without a group skipped)."""
    groups: dict[str, set[str]] = {}
    for subscriber in broker.subscribers:
        group = getattr(subscriber, "group_id", None)
        topics: Iterable[str] = getattr(subscriber, "topic_names_for_subscribe", ())
        if group:
            groups.setdefault(str(group), set()).update(topics)
    return {group: topics for group, topics in groups.items() if topics}


def partition_lag(committed: int | None, beginning: int, end: int) -> int:
    """Uncommitted messages of one partition; no commit yet means everything since the log start."""
    start = committed if committed is not None and committed >= 0 else beginning
    return max(0, end - max(start, beginning))


class ConsumerLagMonitor:
    """Refreshes the lag gauge for one service's consumer groups until stopped."""

    def __init__(
        self,
        bootstrap_servers: str,
        service: str,
        groups: Mapping[str, Iterable[str]] | Callable[[], Mapping[str, Iterable[str]]],
        interval_s: float = 15.0,
        gauge: Gauge = CONSUMER_LAG,
        client_id: str | None = None,
        fetch_timeout_s: float = 5.0,
        refresh_timeout_s: float = 60.0,
    ) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.service = service
        self._groups = groups
        self.interval_s = interval_s
        self.gauge = gauge
        self.client_id = client_id or f"reelforge-{service}-lag"
        self.fetch_timeout_s = fetch_timeout_s
        self.refresh_timeout_s = refresh_timeout_s
        self.refreshes = 0
        self.failures = 0
        self.last_lags: Lags = {}
        self._admin: AIOKafkaAdminClient | None = None
        self._offsets: AIOKafkaConsumer | None = None
        self._exported: set[tuple[str, str]] = set()
        self._task: asyncio.Task[None] | None = None
        self._refreshed = asyncio.Condition()

    @classmethod
    def for_broker(
        cls,
        broker: KafkaBroker,
        bootstrap_servers: str,
        service: str,
        interval_s: float,
    ) -> ConsumerLagMonitor:
        """A monitor of the groups and topics that `broker`'s subscribers consume."""
        return cls(
            bootstrap_servers, service, lambda: subscribed_groups(broker), interval_s=interval_s
        )

    def groups(self) -> dict[str, set[str]]:
        groups = self._groups() if callable(self._groups) else self._groups
        return {group: set(topics) for group, topics in groups.items()}

    async def start(self) -> None:
        """Start refreshing in the background (the first refresh runs at once)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"{self.service}-consumer-lag")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._close_clients()

    async def _run(self) -> None:
        while True:
            try:
                async with asyncio.timeout(self.refresh_timeout_s):
                    await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:
                LAG_REFRESH_ERRORS.labels(self.service).inc()
                logger.warning("consumer lag refresh failed", exc_info=True)
                await self._close_clients()
                async with self._refreshed:
                    self.failures += 1
                    self._refreshed.notify_all()
            await asyncio.sleep(self.interval_s)

    async def refresh(self) -> Lags:
        """Read offsets once, set the gauge (summed over the service's groups) and return it."""
        groups = self.groups()
        lags: Lags = {}
        if groups:
            admin, offsets = await self._clients()
            for group, topics in sorted(groups.items()):
                for key, lag in (await self._group_lags(admin, offsets, group, topics)).items():
                    lags[key] = lags.get(key, 0) + lag
        self._export(lags)
        self.last_lags = lags
        async with self._refreshed:
            self.refreshes += 1
            self._refreshed.notify_all()
        return lags

    async def wait_for(self, predicate: Callable[[Lags], bool], timeout_s: float) -> Lags:
        """The lags of the first refresh (the last one, or one to come) that satisfy `predicate`."""
        async with asyncio.timeout(timeout_s), self._refreshed:
            await self._refreshed.wait_for(lambda: self.refreshes > 0 and predicate(self.last_lags))
            return self.last_lags

    async def wait_for_failures(self, count: int, timeout_s: float) -> None:
        """Until `count` refreshes have failed (for tests of the error path)."""
        async with asyncio.timeout(timeout_s), self._refreshed:
            await self._refreshed.wait_for(lambda: self.failures >= count)

    def topic_lag(self, topic: str) -> int:
        return sum(lag for (t, _), lag in self.last_lags.items() if t == topic)

    async def _group_lags(
        self,
        admin: AIOKafkaAdminClient,
        offsets: AIOKafkaConsumer,
        group: str,
        topics: set[str],
    ) -> Lags:
        partitions = await _partitions(admin, topics)
        if not partitions:
            return {}
        # Explicit partitions: the embedded broker does not answer "all offsets of the group".
        committed: dict[TopicPartition, Any] = await admin.list_consumer_group_offsets(
            group, partitions=partitions
        )
        beginning = await offsets.beginning_offsets(partitions)
        end = await self._end_offsets(offsets, partitions)
        lags: Lags = {}
        for tp in partitions:
            meta = committed.get(tp)
            lags[(tp.topic, tp.partition)] = partition_lag(
                meta.offset if meta is not None else None, beginning[tp], end[tp]
            )
        return lags

    async def _end_offsets(
        self, offsets: AIOKafkaConsumer, partitions: list[TopicPartition]
    ) -> dict[TopicPartition, int]:
        """Each partition's end offset: ListOffsets, confirmed by a fetch's high watermark.

        The fetch starts at the listed end, so a broker that lists the true end returns no records
        (only the high watermark). The embedded broker (Tansu 0.6) lists the base offset of the
        last record batch + 1 instead, which undercounts; its fetch returns that tail batch and
        the right high watermark. Partitions whose fetch does not answer in time keep the listed
        end.
        """
        listed: dict[TopicPartition, int] = await offsets.end_offsets(partitions)
        offsets.assign(partitions)
        try:
            for tp in partitions:
                offsets.seek(tp, listed[tp])
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.fetch_timeout_s):
                    while any(offsets.highwater(tp) is None for tp in partitions):
                        await offsets.getmany(*partitions, timeout_ms=100)
            return {tp: max(listed[tp], offsets.highwater(tp) or 0) for tp in partitions}
        finally:
            offsets.unsubscribe()

    def _export(self, lags: Lags) -> None:
        exported = {(topic, str(partition)) for topic, partition in lags}
        for topic, label in self._exported - exported:
            with contextlib.suppress(KeyError):
                self.gauge.remove(self.service, topic, label)
        for (topic, partition), lag in lags.items():
            self.gauge.labels(self.service, topic, str(partition)).set(lag)
        self._exported = exported

    async def _clients(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        if self._admin is None or self._offsets is None:
            await self._close_clients()
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.bootstrap_servers, client_id=self.client_id
            )
            offsets = AIOKafkaConsumer(
                bootstrap_servers=self.bootstrap_servers,
                client_id=self.client_id,
                group_id=None,
                enable_auto_commit=False,
                fetch_max_wait_ms=50,
                max_partition_fetch_bytes=1,
            )
            try:
                await admin.start()
                await offsets.start()
            except BaseException:
                with contextlib.suppress(Exception):
                    await admin.close()
                with contextlib.suppress(Exception):
                    await offsets.stop()
                raise
            self._admin, self._offsets = admin, offsets
        return self._admin, self._offsets

    async def _close_clients(self) -> None:
        admin, offsets = self._admin, self._offsets
        self._admin = self._offsets = None
        if admin is not None:
            with contextlib.suppress(Exception):
                await admin.close()
        if offsets is not None:
            with contextlib.suppress(Exception):
                await offsets.stop()


async def _partitions(admin: AIOKafkaAdminClient, topics: set[str]) -> list[TopicPartition]:
    described: list[dict[str, Any]] = await admin.describe_topics(sorted(topics))
    partitions: list[TopicPartition] = []
    for topic in described:
        if topic.get("error_code"):
            logger.debug("topic not readable for lag", extra={"topic": topic.get("topic")})
            continue
        partitions.extend(
            TopicPartition(topic["topic"], p["partition"]) for p in topic.get("partitions", [])
        )
    return sorted(partitions)


def sample_lag(service: str, topic: str, registry: CollectorRegistry = REGISTRY) -> float:
    """The exported lag of `service` on `topic`, summed over partitions (for tests and tools)."""
    total = 0.0
    for family in registry.collect():
        if family.name != "reelforge_consumer_lag":
            continue
        for sample in family.samples:
            if sample.labels.get("service") == service and sample.labels.get("topic") == topic:
                total += sample.value
    return total
