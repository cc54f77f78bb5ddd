"""The job view projection, its idempotency keys, and its change notifications."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from reelforge.runtime.db import Connection, Pool

from ..domain.job_view import JobView
from ..domain.pagination import Cursor

CHANGES_CHANNEL = "webhook_job_changed"


async def get(conn: Connection | Pool, job_id: UUID) -> JobView | None:
    raw = await conn.fetchval("SELECT view FROM jobs WHERE job_id = $1", job_id)
    return None if raw is None else JobView.model_validate_json(raw)


async def get_for_update(conn: Connection, job_id: UUID) -> tuple[JobView | None, str | None]:
    row = await conn.fetchrow(
        "SELECT view, callback_url FROM jobs WHERE job_id = $1 FOR UPDATE", job_id
    )
    if row is None:
        return None, None
    return JobView.model_validate_json(row["view"]), row["callback_url"]


async def save(conn: Connection, view: JobView, callback_url: str | None = None) -> None:
    """Insert or replace the view, and tell every replica's SSE streams that it changed."""
    await conn.execute(
        "INSERT INTO jobs (job_id, tenant_id, state, video_type, callback_url, created_at,"
        " updated_at, view) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)"
        " ON CONFLICT (job_id) DO UPDATE SET state = EXCLUDED.state,"
        " video_type = COALESCE(EXCLUDED.video_type, jobs.video_type),"
        " callback_url = COALESCE(EXCLUDED.callback_url, jobs.callback_url),"
        " created_at = LEAST(jobs.created_at, EXCLUDED.created_at),"
        " updated_at = EXCLUDED.updated_at, view = EXCLUDED.view",
        view.job_id,
        view.tenant_id,
        view.state.value,
        view.video_type.value if view.video_type else None,
        callback_url,
        view.created_at,
        view.updated_at,
        view.model_dump_json(),
    )
    await conn.execute("SELECT pg_notify($1, $2)", CHANGES_CHANNEL, str(view.job_id))


async def tenant_of(pool: Pool, job_id: UUID) -> str | None:
    value = await pool.fetchval("SELECT tenant_id FROM jobs WHERE job_id = $1", job_id)
    return None if value is None else str(value)


@dataclass(frozen=True)
class Page:
    views: list[JobView]
    next_cursor: str | None


async def list_for_tenant(
    pool: Pool,
    tenant_id: str,
    *,
    state: str | None,
    video_type: str | None,
    cursor: Cursor | None,
    limit: int,
) -> Page:
    rows = await pool.fetch(
        "SELECT view, created_at, job_id FROM jobs WHERE tenant_id = $1"
        " AND ($2::text IS NULL OR state = $2) AND ($3::text IS NULL OR video_type = $3)"
        " AND ($4::timestamptz IS NULL OR (created_at, job_id) < ($4, $5::uuid))"
        " ORDER BY created_at DESC, job_id DESC LIMIT $6",
        tenant_id,
        state,
        video_type,
        cursor.created_at if cursor else None,
        cursor.job_id if cursor else None,
        limit + 1,
    )
    views = [JobView.model_validate_json(row["view"]) for row in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = Cursor(created_at=last["created_at"], job_id=last["job_id"]).encode()
    return Page(views, next_cursor)


async def claim_idempotency_key(
    conn: Connection, tenant_id: str, key: str, fingerprint: str, job_id: UUID
) -> tuple[UUID, str] | None:
    """Record `key` for `job_id`; if the tenant used it before, its (job_id, fingerprint)."""
    inserted = await conn.fetchval(
        "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, job_id)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
        tenant_id,
        key,
        fingerprint,
        job_id,
    )
    if inserted is not None:
        return None
    row = await conn.fetchrow(
        "SELECT job_id, fingerprint FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
        tenant_id,
        key,
    )
    assert row is not None
    return row["job_id"], row["fingerprint"]
