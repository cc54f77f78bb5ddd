"""The render_jobs table: the single source of truth for a render job's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from asyncpg import Record

from reelforge.contracts import JobState, VideoRequested
from reelforge.runtime.db import Connection

ACTIVE = ("submitted", "rendering")


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
    provider_video_id: str | None = None
    submit_attempts: int = 0
    excluded_providers: frozenset[str] = frozenset()
    poll_count: int = 0
    progress: int = 0
    cost_usd: float | None = None
    last_error: tuple[str, str] | None = None


_COLUMNS = (
    "job_id, tenant_id, correlation_id, state, provider, request, created_at, submitted_at,"
    " provider_video_id, submit_attempts, excluded_providers, poll_count, progress, cost_usd,"
    " last_error_code, last_error_message"
)


def _job(row: Record) -> RenderJob:
    cost: Decimal | None = row["cost_usd"]
    return RenderJob(
        job_id=row["job_id"],
        tenant_id=row["tenant_id"],
        correlation_id=row["correlation_id"],
        state=JobState(row["state"]),
        provider=row["provider"],
        request=VideoRequested.model_validate_json(row["request"]),
        created_at=row["created_at"],
        submitted_at=row["submitted_at"],
        provider_video_id=row["provider_video_id"],
        submit_attempts=row["submit_attempts"],
        excluded_providers=frozenset(row["excluded_providers"] or ()),
        poll_count=row["poll_count"],
        progress=row["progress"],
        cost_usd=float(cost) if cost is not None else None,
        last_error=(
            (row["last_error_code"], row["last_error_message"] or "")
            if row["last_error_code"]
            else None
        ),
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


async def get(conn: Connection, job_id: UUID) -> RenderJob | None:
    row = await conn.fetchrow(f"SELECT {_COLUMNS} FROM render_jobs WHERE job_id = $1", job_id)
    return _job(row) if row is not None else None


async def lock_due_queued(conn: Connection, limit: int) -> list[RenderJob]:
    """The oldest queued jobs that may be tried now, row-locked (skipping other replicas')."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM render_jobs WHERE state = 'queued'"
        " AND (not_before IS NULL OR not_before <= now())"
        " ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED",
        limit,
    )
    return [_job(r) for r in rows]


async def lock_provider(conn: Connection, provider: str) -> None:
    """Serialise the in-flight count + assignment of one provider across replicas."""
    await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"render-provider:{provider}")


async def count_in_flight(conn: Connection, provider: str) -> int:
    count: int = await conn.fetchval(
        "SELECT count(*) FROM render_jobs WHERE provider = $1"
        " AND state IN ('submitted', 'rendering')",
        provider,
    )
    return count


async def assign(
    conn: Connection, job_id: UUID, provider: str, lease: timedelta, cost_usd: float | None
) -> None:
    """The job is this provider's now (it counts as in flight) and leased to this replica."""
    await conn.execute(
        "UPDATE render_jobs SET state = 'submitted', provider = $2, attempts = attempts + 1,"
        " lease_until = now() + $3, submitted_at = now(), updated_at = now(),"
        " provider_video_id = NULL, next_poll_at = NULL, poll_count = 0, cost_usd = $4"
        " WHERE job_id = $1",
        job_id,
        provider,
        lease,
        cost_usd,
    )


async def mark_submitted(
    conn: Connection, job_id: UUID, provider: str, provider_video_id: str, first_poll: timedelta
) -> bool:
    """The provider accepted the render; polling starts. False if the job moved on meanwhile."""
    updated = await conn.fetchval(
        "UPDATE render_jobs SET provider_video_id = $3, lease_until = NULL,"
        " next_poll_at = now() + $4, poll_count = 0, progress = 15, updated_at = now()"
        " WHERE job_id = $1 AND provider = $2 AND state = 'submitted'"
        " AND provider_video_id IS NULL RETURNING 1",
        job_id,
        provider,
        provider_video_id,
        first_poll,
    )
    return updated is not None


async def requeue_submission(
    conn: Connection,
    job_id: UUID,
    provider: str,
    delay: timedelta,
    *,
    count_attempt: bool,
    exclude: bool,
    error: tuple[str, str] | None,
) -> bool:
    """A submission that did not happen goes back to the queue, to be retried after `delay`."""
    updated = await conn.fetchval(
        "UPDATE render_jobs SET state = 'queued', provider = NULL, lease_until = NULL,"
        " not_before = now() + $3,"
        " submit_attempts = CASE WHEN $5 THEN 0 WHEN $4 THEN submit_attempts + 1"
        "  ELSE submit_attempts END,"
        " excluded_providers = CASE WHEN $5 THEN array_append(excluded_providers, $2)"
        "  ELSE excluded_providers END,"
        " last_error_code = coalesce($6, last_error_code),"
        " last_error_message = coalesce($7, last_error_message), updated_at = now()"
        " WHERE job_id = $1 AND provider = $2 AND state = 'submitted'"
        " AND provider_video_id IS NULL RETURNING 1",
        job_id,
        provider,
        delay,
        count_attempt,
        exclude,
        error[0] if error else None,
        error[1] if error else None,
    )
    return updated is not None


async def lease_due_polls(conn: Connection, limit: int, lease: timedelta) -> list[RenderJob]:
    """Take up to `limit` jobs whose poll is due; they are not due again for `lease` (so a
    crashed replica's polls come back to everyone)."""
    rows = await conn.fetch(
        f"UPDATE render_jobs SET next_poll_at = now() + $2"
        f" WHERE job_id IN (SELECT job_id FROM render_jobs"
        f"  WHERE state IN ('submitted', 'rendering') AND next_poll_at IS NOT NULL"
        f"  AND next_poll_at <= now() ORDER BY next_poll_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
        f" RETURNING {_COLUMNS}",
        limit,
        lease,
    )
    return [_job(r) for r in rows]


async def schedule_poll(conn: Connection, job_id: UUID, delay: timedelta) -> None:
    await conn.execute(
        "UPDATE render_jobs SET next_poll_at = now() + $2, poll_count = poll_count + 1"
        " WHERE job_id = $1 AND state IN ('submitted', 'rendering')",
        job_id,
        delay,
    )


async def poll_now(conn: Connection, job_id: UUID, provider: str | None) -> bool:
    """A webhook said something happened: make the job's poll due at once."""
    updated = await conn.fetchval(
        "UPDATE render_jobs SET next_poll_at = now() WHERE job_id = $1"
        " AND state IN ('submitted', 'rendering') AND provider_video_id IS NOT NULL"
        " AND ($2::text IS NULL OR provider = $2) RETURNING 1",
        job_id,
        provider,
    )
    return updated is not None


async def set_rendering(conn: Connection, job_id: UUID, progress: int) -> bool:
    updated = await conn.fetchval(
        "UPDATE render_jobs SET state = 'rendering', progress = $2, updated_at = now()"
        " WHERE job_id = $1 AND state IN ('submitted', 'rendering') RETURNING 1",
        job_id,
        progress,
    )
    return updated is not None


async def finish(
    conn: Connection,
    job_id: UUID,
    state: JobState,
    error: tuple[str, str] | None = None,
) -> RenderJob | None:
    """Move an active job to rendered or failed, once: None if it was already final."""
    row = await conn.fetchrow(
        f"UPDATE render_jobs SET state = $2, progress = $3, error_code = $4, error_message = $5,"
        f" updated_at = now(), lease_until = NULL, next_poll_at = NULL,"
        f" rendered_at = CASE WHEN $2 = 'rendered' THEN now() ELSE rendered_at END"
        f" WHERE job_id = $1 AND state NOT IN ('rendered', 'failed') RETURNING {_COLUMNS}",
        job_id,
        state.value,
        95 if state is JobState.RENDERED else 100,
        error[0] if error else None,
        error[1] if error else None,
    )
    return _job(row) if row is not None else None


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
    """Jobs whose replica died mid-render (local) or mid-submission (remote) go back to the
    queue; a remote resubmission is safe (HeyGen: Idempotency-Key; D-ID: find_submission)."""
    rows = await conn.fetch(
        f"UPDATE render_jobs SET state = 'queued', lease_until = NULL, updated_at = now(),"
        f" provider = CASE WHEN provider = 'local' THEN NULL ELSE provider END"
        f" WHERE state IN ('submitted', 'rendering') AND lease_until < now()"
        f" AND (provider = 'local' OR provider_video_id IS NULL) RETURNING {_COLUMNS}"
    )
    return [_job(r) for r in rows]


async def fail_overdue(conn: Connection) -> list[RenderJob]:
    rows = await conn.fetch(
        f"UPDATE render_jobs SET state = 'failed', error_code = 'render_deadline_exceeded',"
        f" error_message = 'no result before the deadline', lease_until = NULL,"
        f" next_poll_at = NULL, updated_at = now()"
        f" WHERE state NOT IN ('rendered', 'failed') AND deadline_at < now()"
        f" RETURNING {_COLUMNS}"
    )
    return [_job(r) for r in rows]


async def count_by_state(conn: Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT state, count(*) AS n FROM render_jobs GROUP BY state")
    return {r["state"]: r["n"] for r in rows}


async def oldest_active_age_s(conn: Connection) -> float:
    age = await conn.fetchval(
        "SELECT extract(epoch FROM now() - min(created_at)) FROM render_jobs"
        " WHERE state NOT IN ('rendered', 'failed')"
    )
    return float(age) if age is not None else 0.0
