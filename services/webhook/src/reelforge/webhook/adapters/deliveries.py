"""Provider deliveries already turned into a signal: the webhook dedupe table."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from reelforge.runtime.db import Pool


@dataclass(frozen=True)
class DeliveryContext:
    tenant_id: str | None
    """Owner of the job the delivery is about; None when this service does not know the job."""
    duplicate: bool


async def context(pool: Pool, provider: str, delivery_id: str, job_id: UUID) -> DeliveryContext:
    """Who owns the job, and whether this delivery was handled before (one round trip)."""
    row = await pool.fetchrow(
        "SELECT (SELECT tenant_id FROM jobs WHERE job_id = $3) AS tenant_id,"
        " EXISTS (SELECT 1 FROM webhook_deliveries WHERE provider = $1 AND delivery_id = $2)"
        " AS duplicate",
        provider,
        delivery_id,
        job_id,
    )
    assert row is not None
    return DeliveryContext(tenant_id=row["tenant_id"], duplicate=bool(row["duplicate"]))


async def record(pool: Pool, provider: str, delivery_id: str, job_id: UUID, event_id: UUID) -> None:
    await pool.execute(
        "INSERT INTO webhook_deliveries (provider, delivery_id, job_id, event_id)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        provider,
        delivery_id,
        job_id,
        event_id,
    )
