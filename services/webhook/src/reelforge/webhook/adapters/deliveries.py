"""Provider deliveries already turned into a signal: the webhook dedupe table.

Lookups and records are batched (see `batching.py`): under load one round trip serves every
webhook that arrived meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from reelforge.runtime.db import Pool

from .batching import NaturalBatcher


@dataclass(frozen=True)
class DeliveryContext:
    tenant_id: str | None
    """Owner of the job the delivery is about; None when this service does not know the job."""
    duplicate: bool


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
    def __init__(self, pool: Callable[[], Pool]) -> None:
        self._pool = pool
        self._lookups: NaturalBatcher[DeliveryKey, DeliveryContext] = NaturalBatcher(
            self._lookup_many, name="delivery-lookups"
        )
        self._records: NaturalBatcher[DeliveryRecord, None] = NaturalBatcher(
            self._record_many, name="delivery-records"
        )

    async def context(self, provider: str, delivery_id: str, job_id: UUID) -> DeliveryContext:
        """Who owns the job, and whether this delivery was handled before."""
        return await self._lookups.submit(DeliveryKey(provider, delivery_id, job_id))

    async def record(self, provider: str, delivery_id: str, job_id: UUID, event_id: UUID) -> None:
        await self._records.submit(DeliveryRecord(provider, delivery_id, job_id, event_id))

    async def stop(self) -> None:
        await self._lookups.stop()
        await self._records.stop()

    async def _lookup_many(self, keys: Sequence[DeliveryKey]) -> list[DeliveryContext]:
        rows = await self._pool().fetch(
            "SELECT k.n, j.tenant_id, d.delivery_id IS NOT NULL AS duplicate"
            " FROM unnest($1::text[], $2::text[], $3::uuid[]) WITH ORDINALITY"
            "  AS k(provider, delivery_id, job_id, n)"
            " LEFT JOIN jobs j ON j.job_id = k.job_id"
            " LEFT JOIN webhook_deliveries d"
            "  ON d.provider = k.provider AND d.delivery_id = k.delivery_id"
            " ORDER BY k.n",
            [k.provider for k in keys],
            [k.delivery_id for k in keys],
            [k.job_id for k in keys],
        )
        return [DeliveryContext(row["tenant_id"], bool(row["duplicate"])) for row in rows]

    async def _record_many(self, records: Sequence[DeliveryRecord]) -> list[None]:
        await self._pool().execute(
            "INSERT INTO webhook_deliveries (provider, delivery_id, job_id, event_id)"
            " SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[])"
            " ON CONFLICT DO NOTHING",
            [r.provider for r in records],
            [r.delivery_id for r in records],
            [r.job_id for r in records],
            [r.event_id for r in records],
        )
        return [None] * len(records)
