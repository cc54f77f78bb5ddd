"""Provider deliveries already turned into a signal: the webhook dedupe table.

Lookups and records share batched rounds (see `batching.py`): under load one statement serves
every webhook that arrived meanwhile. It writes the deliveries acknowledged since the previous
round and looks up the new ones: at the batch sizes seen under load a statement's fixed cost (round
trip, commit) outweighs its per-row work, so one statement instead of two saves most of one.

A delivery is recorded only after Kafka acknowledged its signal, and the provider's 2xx does not
wait for that write: the delivery is remembered in memory at once (so a duplicate right behind it
is answered without a second event) and written in the next round. Should the write fail, or the
process die before it, the provider's retry republishes the signal with the *same* event_id
(uuid5 of the delivery), which consumers drop; nothing accepted is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

import asyncpg

from reelforge.runtime.db import Connection, Pool

from .batching import NaturalBatcher

RECENT_DELIVERIES = 100_000
"""Deliveries remembered in memory; older ones are found in the table."""
DRAIN_TIMEOUT_S = 5.0
_ROUND = (
    "WITH recorded AS ("
    " INSERT INTO webhook_deliveries (provider, delivery_id, job_id, event_id)"
    " SELECT r.provider, r.delivery_id, r.job_id, r.event_id"
    " FROM unnest($4::text[], $5::text[], $6::uuid[], $7::uuid[])"
    "  AS r(provider, delivery_id, job_id, event_id),"
    " (SELECT set_config('synchronous_commit', 'off', true)) AS no_flush_wait"
    " ON CONFLICT DO NOTHING)"
    " SELECT (SELECT j.tenant_id FROM jobs j WHERE j.job_id = k.job_id) AS tenant_id,"
    "  (SELECT true FROM webhook_deliveries d"
    "   WHERE d.provider = k.provider AND d.delivery_id = k.delivery_id) IS NOT NULL AS duplicate"
    " FROM unnest($1::text[], $2::text[], $3::uuid[]) WITH ORDINALITY"
    "  AS k(provider, delivery_id, job_id, n)"
    " ORDER BY k.n"
)
"""One round. The INSERT runs once whether or not the SELECT reads it (PostgreSQL's rule for
data-modifying WITH), and the SELECT does not see its rows, which memory covers meanwhile.

Each key is looked up by a scalar subquery on a primary key, which PostgreSQL runs as an index
probe whatever its statistics say. Joins were planned as hash joins over whole tables while the
tables were new or small, and the connection's cached plan went on scanning them as they grew.

A round that writes records does not make its lookups wait for the WAL flush: a record lost in a
database crash costs no more than a record never written (see the module), and the database stays
consistent. The setting is local to the round's own transaction (``set_config(..., true)``), so
it never reaches another statement, even through a transaction-pooling PgBouncer."""
logger = logging.getLogger(__name__)
T = TypeVar("T")


class DedicatedConnection:
    """One pooled connection kept by the round runner (which runs one round at a time).

    Acquiring per round costs a second round trip per round: asyncpg resets a connection when it
    is released (``RESET ALL``, ``UNLISTEN *``, ...). A connection that fails is given back and a
    new one is taken for the next round.
    """

    def __init__(self, pool: Callable[[], Pool]) -> None:
        self._pool = pool
        self._conn: Connection | None = None

    async def run(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        if self._conn is None or self._conn.is_closed():
            self._conn = await self._pool().acquire()
        try:
            return await work(self._conn)
        except (OSError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError):
            await self.close()
            raise

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await self._pool().release(conn, timeout=2.0)


@dataclass(frozen=True)
class DeliveryContext:
    tenant_id: str | None
    """Owner of the job the delivery is about; None when this service does not know the job."""
    duplicate: bool


_ALREADY_HANDLED = DeliveryContext(None, duplicate=True)
"""The answer for a delivery already turned into a signal (remembered, or its record written)."""


@dataclass(frozen=True)
class DeliveryKey:
    provider: str
    delivery_id: str
    job_id: UUID


@dataclass(frozen=True)
class DeliveryRecord:
    provider: str
    delivery_id: str
    job_id: UUID
    event_id: UUID


class DeliveryLog:
    def __init__(self, pool: Callable[[], Pool], recent_capacity: int = RECENT_DELIVERIES) -> None:
        self._recent: dict[tuple[str, str], None] = {}
        self._recent_capacity = recent_capacity
        self._conn = DedicatedConnection(pool)
        self._rounds: NaturalBatcher[DeliveryKey | DeliveryRecord, DeliveryContext] = (
            NaturalBatcher(self._round, name="delivery-rounds")
        )

    async def context(self, provider: str, delivery_id: str, job_id: UUID) -> DeliveryContext:
        """Who owns the job, and whether this delivery was handled before."""
        if (provider, delivery_id) in self._recent:
            return _ALREADY_HANDLED
        return await self._rounds.submit(DeliveryKey(provider, delivery_id, job_id))

    async def record(self, provider: str, delivery_id: str, job_id: UUID, event_id: UUID) -> None:
        """Remember the delivery now; its row is written in the background (see the module)."""
        key = (provider, delivery_id)
        self._recent[key] = None
        if len(self._recent) > self._recent_capacity:
            del self._recent[next(iter(self._recent))]
        written = self._rounds.enqueue(DeliveryRecord(provider, delivery_id, job_id, event_id))
        written.add_done_callback(lambda done: self._written(key, done))

    def _written(self, key: tuple[str, str], done: asyncio.Future[DeliveryContext]) -> None:
        if done.cancelled() or done.exception() is not None:
            self._recent.pop(key, None)
            logger.warning(
                "delivery published but not recorded; a retry republishes it with the same"
                " event id",
                extra={
                    "provider": key[0],
                    "error": repr(None if done.cancelled() else done.exception()),
                },
            )

    async def flush(self, timeout_s: float = DRAIN_TIMEOUT_S) -> None:
        """Wait until every delivery recorded so far is in the table (or its write failed)."""
        await self._rounds.drain(timeout_s)

    async def stop(self) -> None:
        await self.flush()
        await self._rounds.stop()
        await self._conn.close()

    async def _round(self, items: Sequence[DeliveryKey | DeliveryRecord]) -> list[DeliveryContext]:
        """Write the records and look up the keys among `items`, in one statement."""
        keys = [item for item in items if isinstance(item, DeliveryKey)]
        records = [item for item in items if isinstance(item, DeliveryRecord)]
        rows = await self._conn.run(
            lambda conn: conn.fetch(
                _ROUND,
                [k.provider for k in keys],
                [k.delivery_id for k in keys],
                [k.job_id for k in keys],
                [r.provider for r in records],
                [r.delivery_id for r in records],
                [r.job_id for r in records],
                [r.event_id for r in records],
            )
        )
        contexts = iter(DeliveryContext(row["tenant_id"], bool(row["duplicate"])) for row in rows)
        return [
            next(contexts) if isinstance(item, DeliveryKey) else _ALREADY_HANDLED for item in items
        ]
