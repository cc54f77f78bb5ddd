"""The storage service's one handler: an authoritative `rendered` becomes a stored asset and
its `video.ready`, exactly once per job.

One row per job in `assets` (job_id primary key) is claimed in its own transaction before the
transfer; it fixes the job's `video.ready` event_id and the date in its object keys, so a
redelivered `rendered` reuses both, and once the row is `ready` a redelivery does nothing.
`video.ready` and the `ready` status are written to the outbox in the transaction that marks
the row ready. The transfer itself lives in :mod:`.transfer`.

Failures: a transfer error that retrying cannot fix (refused download, oversize, not a video)
fails the job at once; any other error is raised so the consumer retries it, and the last of
`HANDLER_MAX_ATTEMPTS` attempts fails the job. Failing the job writes `video.status` failed
(stage `storage`, a stable `error.code`) to the outbox and raises :class:`StorageFailedError`,
which sends the message to `video.status.dlq`.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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

from ..adapters import metrics
from ..domain.keys import asset_keys
from .transfer import TRANSFER_ERRORS, AssetTransfer, StoredAsset, error_info

logger = logging.getLogger(__name__)

STORING_PROGRESS = 97


@dataclass(frozen=True)
class StorageDeps:
    pool: Pool
    transfer: AssetTransfer
    signed_url_ttl: timedelta
    max_attempts: int
    """Handler attempts per message (HANDLER_MAX_ATTEMPTS); the last one fails the job."""


@dataclass(frozen=True)
class Claim:
    ready_event_id: uuid.UUID
    key_date: datetime
    attempt: int


class StorageFailedError(PermanentError):
    """The video could not be stored; the job has been failed and the message is dead-lettered."""


def is_authoritative_rendered(event: VideoStatus) -> bool:
    return (
        event.state is JobState.RENDERED
        and event.source is StatusSource.RENDER
        and event.rendered is not None
    )


async def handle_video_status(event: VideoStatus, deps: StorageDeps) -> None:
    if not is_authoritative_rendered(event):
        return
    assert event.rendered is not None
    async with transaction(deps.pool) as conn:
        claim = await _claim(conn, event)
    if claim is None:
        logger.info("asset already stored; redelivery ignored")
        return
    try:
        stored = await deps.transfer.transfer(
            source_url=str(event.rendered.url),
            provider=event.provider or "unknown",
            keys=asset_keys(event.tenant_id, event.job_id, claim.key_date),
            thumbnail_url=str(event.rendered.thumbnail_url)
            if event.rendered.thumbnail_url
            else None,
            metadata=_job_metadata(event),
        )
    except TRANSFER_ERRORS as error:
        if error.retryable and claim.attempt < deps.max_attempts:
            raise
        await _fail(deps.pool, event, error_info(error))
        raise StorageFailedError(f"{error.code}: {error.message}") from error
    except Exception as error:
        if claim.attempt < deps.max_attempts:
            raise
        info = ErrorInfo(
            code="storage_failed",
            message=f"storing the video failed {claim.attempt} times ({type(error).__name__})",
            retryable=True,
            stage=Stage.STORAGE,
        )
        await _fail(deps.pool, event, info)
        raise StorageFailedError(info.message) from error
    ready = await _ready_event(event, claim, stored, deps)
    async with transaction(deps.pool) as conn:
        await _record_ready(conn, event, ready, stored)
    metrics.record_asset(stored.backend)
    if event.rendered.requested_at is not None:
        metrics.observe_end_to_end(
            (ready.occurred_at - event.rendered.requested_at).total_seconds()
        )


async def _claim(conn: Connection, event: VideoStatus) -> Claim | None:
    """The job's fixed video.ready event_id and key date, or None when it is already stored.

    A job seen again after it failed (e.g. replayed from the DLQ) starts a new round of attempts.
    """
    assert event.rendered is not None
    row = await conn.fetchrow(
        "INSERT INTO assets (job_id, tenant_id, state, ready_event_id, key_date, attempts)"
        " VALUES ($1, $2, 'storing', $3, $4, 1) ON CONFLICT (job_id) DO UPDATE SET"
        " attempts = CASE WHEN assets.state = 'failed' THEN 1"
        "   WHEN assets.state = 'ready' THEN assets.attempts ELSE assets.attempts + 1 END,"
        " state = CASE WHEN assets.state = 'ready' THEN 'ready' ELSE 'storing' END"
        " RETURNING state, ready_event_id, key_date, attempts, (xmax = 0) AS inserted",
        event.job_id,
        event.tenant_id,
        uuid.uuid4(),
        event.rendered.requested_at or event.occurred_at,
    )
    assert row is not None
    if row["state"] == "ready":
        return None
    if row["inserted"]:
        await add_to_outbox(conn, VIDEO_STATUS, _status(event, JobState.STORING, STORING_PROGRESS))
    return Claim(row["ready_event_id"], row["key_date"], row["attempts"])


async def _ready_event(
    event: VideoStatus, claim: Claim, stored: StoredAsset, deps: StorageDeps
) -> VideoReady:
    assert event.rendered is not None
    now = datetime.now(UTC)
    timings = {**event.rendered.timings, "storage": stored.transfer_seconds}
    if event.rendered.requested_at is not None:
        timings["total"] = round((now - event.rendered.requested_at).total_seconds(), 3)
    return VideoReady(
        event_id=claim.ready_event_id,
        occurred_at=now,
        job_id=event.job_id,
        tenant_id=event.tenant_id,
        correlation_id=event.correlation_id,
        asset=await deps.transfer.signed_asset(stored, deps.signed_url_ttl),
        provider=event.provider or "unknown",
        provider_video_id=event.provider_video_id,
        cost=event.rendered.cost,
        timings=timings,
        metadata=event.rendered.metadata,
    )


async def _record_ready(
    conn: Connection, event: VideoStatus, ready: VideoReady, stored: StoredAsset
) -> None:
    await conn.execute(
        "UPDATE assets SET state = 'ready', uri = $2, size_bytes = $3, sha256 = $4,"
        " error_code = NULL, stored_at = now() WHERE job_id = $1",
        event.job_id,
        stored.uri,
        stored.size_bytes,
        stored.sha256,
    )
    await add_to_outbox(conn, VIDEO_READY, ready)
    await add_to_outbox(conn, VIDEO_STATUS, _status(event, JobState.READY, 100))


async def _fail(pool: Pool, event: VideoStatus, error: ErrorInfo) -> None:
    async with transaction(pool) as conn:
        await conn.execute(
            "UPDATE assets SET state = 'failed', error_code = $2 WHERE job_id = $1",
            event.job_id,
            error.code,
        )
        await add_to_outbox(conn, VIDEO_STATUS, _status(event, JobState.FAILED, 100, error))
    logger.warning("storing the video failed", extra={"code": error.code})


def _job_metadata(event: VideoStatus) -> dict[str, object]:
    """What metadata.json records about the job besides the asset (no provider URLs)."""
    assert event.rendered is not None
    return {
        "job_id": str(event.job_id),
        "tenant_id": event.tenant_id,
        "correlation_id": event.correlation_id,
        "provider_video_id": event.provider_video_id,
        "requested_at": event.rendered.requested_at,
        "rendered_at": event.occurred_at,
        "cost": event.rendered.cost.model_dump(mode="json") if event.rendered.cost else None,
        "timings": event.rendered.timings,
        "metadata": event.rendered.metadata,
    }


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
