"""PostgreSQL plumbing (asyncpg, no ORM): per-service schema, versioned migrations applied at
start, idempotency claims, and the transactional outbox with its relay to Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeAlias
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from faststream.kafka import KafkaBroker
from opentelemetry import context as otel_context
from opentelemetry import propagate
from prometheus_client import Counter, Gauge

from reelforge.contracts import Event

from .kafka import event_headers

logger = logging.getLogger(__name__)

OUTBOX_PENDING = Gauge("reelforge_outbox_pending", "Outbox rows not yet published.", ["service"])
OUTBOX_PUBLISHED = Counter(
    "reelforge_outbox_published", "Events relayed from the outbox.", ["service", "topic"]
)

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record]"
Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"


async def create_pool(dsn: str, schema: str, max_size: int = 10) -> Pool:
    """A pool whose connections use `schema` first, so SQL names need no prefix.

    The search_path is a server setting of the connection, not a `SET` in `init`: asyncpg runs
    `RESET ALL` whenever a connection returns to the pool, which would undo a `SET`.
    """
    await _ensure_schema(dsn, schema)
    pool: Pool = await asyncpg.create_pool(
        dsn,
        min_size=1,
        max_size=max_size,
        server_settings={"search_path": f'"{schema}", public'},
    )
    return pool


async def _ensure_schema(dsn: str, schema: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    except asyncpg.UniqueViolationError:
        pass  # created concurrently by another replica
    finally:
        await conn.close()


@dataclass(frozen=True)
class Migration:
    key: str
    sql: str


def migrations_from(package: str, prefix: str) -> list[Migration]:
    """SQL files `NNNN_name.sql` of `package`'s `migrations` folder, in order."""
    folder = resources.files(package).joinpath("migrations")
    if not folder.is_dir():
        return []
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [Migration(f"{prefix}/{f.name.removesuffix('.sql')}", f.read_text()) for f in files]


async def apply_migrations(pool: Pool, schema: str, service_package: str) -> list[str]:
    """Apply the runtime's and the service's migrations once each, serialised across replicas."""
    pending = migrations_from("reelforge.runtime", "runtime") + migrations_from(
        service_package, schema
    )
    applied: list[str] = []
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " key text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["key"] for r in await conn.fetch("SELECT key FROM schema_migrations")}
        for migration in pending:
            if migration.key in done:
                continue
            await conn.execute(migration.sql)
            await conn.execute("INSERT INTO schema_migrations (key) VALUES ($1)", migration.key)
            applied.append(migration.key)
    if applied:
        logger.info("migrations applied", extra={"schema": schema, "migrations": applied})
    return applied


async def claim_once(conn: Connection, consumer: str, key: str) -> bool:
    """Record that `consumer` handled `key`; False if it already had (a redelivery)."""
    row = await conn.fetchval(
        "INSERT INTO processed_messages (consumer, message_key) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING RETURNING 1",
        consumer,
        key,
    )
    return row is not None


async def add_to_outbox(conn: Connection, topic: str, event: Event) -> None:
    """Queue `event` for `topic` in the caller's transaction; the relay publishes it after commit.

    The current trace context is stored with it, so the published event continues the trace.
    """
    headers = event_headers(event)
    propagate.inject(headers)
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (event_id) DO NOTHING",
        event.event_id,
        topic,
        str(event.job_id),
        event.model_dump_json(),
        json.dumps(headers),
    )
    await conn.execute("SELECT pg_notify(current_schema() || '_outbox', '')")


class OutboxRelay:
    """Publishes outbox rows in id order, in batches, and marks them published.

    Rows are leased with `FOR UPDATE SKIP LOCKED`, so replicas share the work; a row is marked
    only after Kafka acknowledged it, so a crash republishes (same event_id) rather than loses.
    """

    def __init__(
        self, pool: Pool, broker: KafkaBroker, service: str, schema: str, batch_size: int = 500
    ) -> None:
        self.pool = pool
        self.channel = f"{schema}_outbox"
        self.broker = broker
        self.service = service
        self.batch_size = batch_size
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._listener: Connection | None = None

    async def start(self) -> None:
        self._listener = await self.pool.acquire()
        await self._listener.add_listener(self.channel, self._on_notify)
        self._task = asyncio.create_task(self._run(), name=f"{self.service}-outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._listener is not None:
            with contextlib.suppress(Exception):
                await self._listener.remove_listener(self.channel, self._on_notify)
            await self.pool.release(self._listener)

    def _on_notify(self, *_: Any) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            try:
                published = await self.relay_batch()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox relay failed; retrying")
                published = 0
                await asyncio.sleep(1.0)
            if published < self.batch_size:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    async def relay_batch(self) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, topic, key, payload, headers FROM outbox"
                " WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                self.batch_size,
            )
            if rows:
                await self._publish(rows)
                await conn.execute(
                    "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
                    [r["id"] for r in rows],
                )
            pending = await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL")
        OUTBOX_PENDING.labels(self.service).set(pending)
        return len(rows)

    async def _publish(self, rows: Sequence[asyncpg.Record]) -> None:
        futures = []
        for row in rows:
            headers: dict[str, str] = json.loads(row["headers"])
            token = otel_context.attach(propagate.extract(headers))
            try:
                futures.append(
                    await self.broker.publish(
                        row["payload"].encode(),
                        topic=row["topic"],
                        key=row["key"].encode(),
                        headers=headers,
                        no_confirm=True,
                    )
                )
            finally:
                otel_context.detach(token)
        await asyncio.gather(*futures)
        for row in rows:
            OUTBOX_PUBLISHED.labels(self.service, row["topic"]).inc()


@contextlib.asynccontextmanager
async def transaction(pool: Pool) -> AsyncIterator[Connection]:
    async with pool.acquire() as conn, conn.transaction():
        yield conn


async def create_database(server_url: str, prefix: str) -> str:
    """A new, empty database named `<prefix>_<random>` on the server of `server_url`; its DSN.

    For tests and benchmarks that need a database of their own on a shared server.
    """
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))
