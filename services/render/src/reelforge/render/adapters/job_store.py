"""The render_jobs table: the single source of truth for a render job's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from asyncpg import Record

from reelforge.contracts import JobState, VideoRequested
from reelforge.runtime.db import Connection


@dataclass(frozen=True)
class RenderJob:
    job_id: UUID
    tenant_id: str
    correlation_id: str | None
    state: JobState
    provider: str | None
    request: VideoRequested
    created_at: datetime
    submitted_at: datetime | None


_COLUMNS = "job_id, tenant_id, correlation_id, state, provider, request, created_at, submitted_at"


def _job(row: Record) -> RenderJob:
    return RenderJob(
        job_id=row["job_id"],
        tenant_id=row["tenant_id"],
        correlation_id=row["correlation_id"],
        state=JobState(row["state"]),
        provider=row["provider"],
        request=VideoRequested.model_validate_json(row["request"]),
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
    )


async def insert_if_new(conn: Connection, event: VideoRequested, deadline: timedelta) -> bool:
    """Store a new job as queued; False when the job_id is already known (a redelivery)."""
    inserted = await conn.fetchval(
        "INSERT INTO render_jobs (job_id, tenant_id, correlation_id, state, request, deadline_at)"
        " VALUES ($1, $2, $3, 'queued', $4, now() + $5) ON CONFLICT (job_id) DO NOTHING"
        " RETURNING 1",
        event.job_id,
        event.tenant_id,
        event.correlation_id,
        event.model_dump_json(),
        deadline,
    )
    return inserted is not None


async def lease_queued(
    conn: Connection, provider: str, limit: int, lease: timedelta
) -> list[RenderJob]:
    """Move up to `limit` oldest queued jobs to submitted for `provider`, leased to this replica."""
    rows = await conn.fetch(
        f"UPDATE render_jobs SET state = 'submitted', provider = $1, attempts = attempts + 1,"
        f" lease_until = now() + $3, submitted_at = now(), updated_at = now()"
        f" WHERE job_id IN (SELECT job_id FROM render_jobs WHERE state = 'queued'"
        f"  ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_COLUMNS}",
        provider,
        limit,
        lease,
    )
    return [_job(r) for r in rows]


async def count_in_flight(conn: Connection, provider: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM render_jobs WHERE provider = $1"
        " AND state IN ('submitted', 'rendering')",
        provider,
    )
    return count


async def set_state(
    conn: Connection,
    job_id: UUID,
    state: JobState,
    progress: int,
    error: tuple[str, str] | None = None,
    cost_usd: float | None = None,
) -> None:
    await conn.execute(
        "UPDATE render_jobs SET state = $2, progress = $3, error_code = $4, error_message = $5,"
        " cost_usd = coalesce($6, cost_usd), updated_at = now(),"
        " rendered_at = CASE WHEN $2 = 'rendered' THEN now() ELSE rendered_at END,"
        " lease_until = CASE WHEN $2 IN ('rendered', 'failed') THEN NULL ELSE lease_until END"
        " WHERE job_id = $1",
        job_id,
        state.value,
        progress,
        error[0] if error else None,
        error[1] if error else None,
        cost_usd,
    )


async def requeue_expired_leases(conn: Connection) -> list[RenderJob]:
    """Jobs whose replica died mid-render go back to the queue."""
    rows = await conn.fetch(
        f"UPDATE render_jobs SET state = 'queued', lease_until = NULL, updated_at = now()"
        f" WHERE state IN ('submitted', 'rendering') AND provider = 'local'"
        f" AND lease_until < now() RETURNING {_COLUMNS}"
    )
    return [_job(r) for r in rows]


async def fail_overdue(conn: Connection) -> list[RenderJob]:
    rows = await conn.fetch(
        f"UPDATE render_jobs SET state = 'failed', error_code = 'render_deadline_exceeded',"
        f" error_message = 'no result before the deadline', lease_until = NULL,"
        f" updated_at = now() WHERE state NOT IN ('rendered', 'failed') AND deadline_at < now()"
        f" RETURNING {_COLUMNS}"
    )
    return [_job(r) for r in rows]
