"""Upstream callbacks in PostgreSQL: queued with the state change that caused them, leased by
one sender at a time (``FOR UPDATE SKIP LOCKED``), every attempt recorded."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from reelforge.contracts import JobState
from reelforge.runtime.db import Connection, Pool

from ..domain.job_view import JobView

_MESSAGE_NAMESPACE = uuid.UUID("0b8d8f5e-8a51-4f2e-b7de-6f4ad5a3c0a1")
LEASE = timedelta(minutes=2)


@dataclass(frozen=True)
class PendingCallback:
    message_id: UUID
    job_id: UUID
    tenant_id: str
    url: str
    payload: str
    attempts: int
    first_attempt_at: datetime | None


def payload_for(view: JobView, at: datetime) -> tuple[UUID, str]:
    """The message id (the same for every retry) and JSON body of `view`'s final callback."""
    kind = "video.ready" if view.state is JobState.READY else "video.failed"
    message_id = uuid.uuid5(_MESSAGE_NAMESPACE, f"{view.job_id}:{kind}")
    data = view.model_dump(
        mode="json", include={"job_id", "state", "asset", "error", "metadata", "provider", "cost"}
    )
    data["timings"] = view.timings
    body = {"type": kind, "timestamp": at.isoformat(), "data": data}
    return message_id, json.dumps(body, separators=(",", ":"))


async def enqueue(conn: Connection, view: JobView, url: str, at: datetime) -> UUID:
    message_id, payload = payload_for(view, at)
    await conn.execute(
        "INSERT INTO callbacks (message_id, job_id, tenant_id, url, payload, next_attempt_at)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        message_id,
        view.job_id,
        view.tenant_id,
        url,
        payload,
        at,
    )
    return message_id


async def lease_due(pool: Pool, now: datetime, limit: int) -> list[PendingCallback]:
    """Due callbacks, pushed `LEASE` into the future so no other sender takes them meanwhile."""
    rows = await pool.fetch(
        "UPDATE callbacks SET next_attempt_at = $1 + $3::interval WHERE message_id IN ("
        " SELECT message_id FROM callbacks WHERE status = 'pending' AND next_attempt_at <= $1"
        " ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " RETURNING message_id, job_id, tenant_id, url, payload, attempts, first_attempt_at",
        now,
        limit,
        LEASE,
    )
    return [PendingCallback(**dict(row)) for row in rows]


async def record_attempt(
    pool: Pool,
    callback: PendingCallback,
    *,
    at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    next_attempt_at: datetime | None,
    delivered: bool,
) -> None:
    attempt = callback.attempts + 1
    status = "delivered" if delivered else ("pending" if next_attempt_at else "gave_up")
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "INSERT INTO callback_attempts (message_id, attempt, at, status_code, error,"
            " duration_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            callback.message_id,
            attempt,
            at,
            status_code,
            error,
            duration_ms,
        )
        await conn.execute(
            "UPDATE callbacks SET attempts = $2, status = $3,"
            " first_attempt_at = COALESCE(first_attempt_at, $4),"
            " next_attempt_at = COALESCE($5, next_attempt_at) WHERE message_id = $1",
            callback.message_id,
            attempt,
            status,
            at,
            next_attempt_at,
        )


async def attempts_of(pool: Pool, job_id: UUID) -> list[dict[str, object]]:
    rows = await pool.fetch(
        "SELECT a.attempt, a.at, a.status_code, a.error, c.status FROM callback_attempts a"
        " JOIN callbacks c USING (message_id) WHERE c.job_id = $1 ORDER BY a.attempt",
        job_id,
    )
    return [dict(row) for row in rows]
