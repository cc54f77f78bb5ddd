"""The storage service's one handler: an authoritative `rendered` becomes a stored asset and
its `video.ready`, exactly once per job."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from reelforge.contracts import (
    VIDEO_READY,
    VIDEO_STATUS,
    ErrorInfo,
    JobState,
    Stage,
    StatusSource,
    VideoReady,
    VideoStatus,
)
from reelforge.runtime.db import Connection, Pool, add_to_outbox, transaction
from reelforge.runtime.kafka import PermanentError

from ..adapters.downloader import Downloader
from ..adapters.object_store import ObjectStore
from ..config import StorageSettings
from .transfer import StoredVideo, store_rendered_video

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StorageDeps:
    pool: Pool
    downloader: Downloader
    store: ObjectStore
    settings: StorageSettings


class StorageFailedError(PermanentError):
    """The video could not be stored; the job has been failed and the message is dead-lettered."""


async def handle_video_status(event: VideoStatus, deps: StorageDeps) -> None:
    if not (event.state is JobState.RENDERED and event.source is StatusSource.RENDER):
        return
    if event.rendered is None:
        return
    async with transaction(deps.pool) as conn:
        ready_event_id = await _claim(conn, event)
        if ready_event_id is None:
            return
    try:
        stored = await store_rendered_video(
            event, deps.downloader, deps.store, deps.settings, datetime.now(UTC)
        )
    except Exception as error:
        code = getattr(error, "code", None) or "storage_failed"
        await _fail(deps.pool, event, str(code), str(error), bool(getattr(error, "retryable", 0)))
        raise StorageFailedError(f"{code}: {error}") from error
    async with transaction(deps.pool) as conn:
        await _record_ready(conn, event, ready_event_id, stored)


async def _claim(conn: Connection, event: VideoStatus) -> uuid.UUID | None:
    """The job's fixed video.ready event_id, or None when its asset is already stored."""
    row = await conn.fetchrow(
        "INSERT INTO assets (job_id, tenant_id, state, ready_event_id)"
        " VALUES ($1, $2, 'storing', $3) ON CONFLICT (job_id) DO UPDATE"
        " SET state = CASE WHEN assets.state = 'ready' THEN 'ready' ELSE 'storing' END"
        " RETURNING state, ready_event_id, (xmax = 0) AS inserted",
        event.job_id,
        event.tenant_id,
        uuid.uuid4(),
    )
    assert row is not None
    if row["state"] == "ready":
        return None
    if row["inserted"]:
        await add_to_outbox(conn, VIDEO_STATUS, _status(event, JobState.STORING, 97))
    ready_event_id: uuid.UUID = row["ready_event_id"]
    return ready_event_id


async def _record_ready(
    conn: Connection, event: VideoStatus, ready_event_id: uuid.UUID, stored: StoredVideo
) -> None:
    assert event.rendered is not None
    asset = stored.asset
    await conn.execute(
        "UPDATE assets SET state = 'ready', uri = $2, size_bytes = $3, sha256 = $4,"
        " stored_at = now() WHERE job_id = $1",
        event.job_id,
        asset.uri,
        asset.size_bytes,
        asset.sha256,
    )
    timings = {**event.rendered.timings, "storage": round(stored.seconds, 3)}
    if event.rendered.requested_at is not None:
        total = datetime.now(UTC) - event.rendered.requested_at
        timings["total"] = round(total.total_seconds(), 3)
    ready = VideoReady(
        event_id=ready_event_id,
        job_id=event.job_id,
        tenant_id=event.tenant_id,
        correlation_id=event.correlation_id,
        asset=asset,
        provider=event.provider or "unknown",
        provider_video_id=event.provider_video_id,
        cost=event.rendered.cost,
        timings=timings,
        metadata=event.rendered.metadata,
    )
    await add_to_outbox(conn, VIDEO_READY, ready)
    await add_to_outbox(conn, VIDEO_STATUS, _status(event, JobState.READY, 100))


async def _fail(pool: Pool, event: VideoStatus, code: str, message: str, retryable: bool) -> None:
    async with transaction(pool) as conn:
        await conn.execute(
            "UPDATE assets SET state = 'failed', error_code = $2 WHERE job_id = $1",
            event.job_id,
            code,
        )
        error = ErrorInfo(
            code=code, message=message[:2000], retryable=retryable, stage=Stage.STORAGE
        )
        await add_to_outbox(conn, VIDEO_STATUS, _status(event, JobState.FAILED, 100, error))


def _status(
    event: VideoStatus, state: JobState, progress: int, error: ErrorInfo | None = None
) -> VideoStatus:
    return VideoStatus(
        job_id=event.job_id,
        tenant_id=event.tenant_id,
        correlation_id=event.correlation_id,
        state=state,
        progress=progress,
        source=StatusSource.STORAGE,
        provider=event.provider,
        provider_video_id=event.provider_video_id,
        error=error,
    )
