"""Consumers' handlers: fold request, status and ready events into the job view, and queue the
upstream callback when a job reaches ready or failed (in the same transaction)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from reelforge.contracts import ScriptRequested, VideoReady, VideoRequested, VideoStatus
from reelforge.runtime.db import Pool, transaction

from ..adapters import callbacks, jobs
from ..domain import job_view
from ..domain.job_view import Applied


async def on_requested(pool: Pool, event: VideoRequested | ScriptRequested) -> None:
    """Know jobs submitted straight to Kafka too: their owner, type and callback URL."""
    callback = str(event.render.callback_url) if event.render.callback_url else None
    async with transaction(pool) as conn:
        view, stored_callback = await jobs.get_for_update(conn, event.job_id)
        if view is None:
            at = getattr(event, "requested_at", None) or event.occurred_at
            created = job_view.accepted(
                event.job_id,
                event.tenant_id,
                at=at,
                event_id=event.event_id,
                video_type=event.video_type,
                metadata=event.metadata,
            )
            await jobs.save(conn, created, callback)
        elif callback and stored_callback is None:
            await jobs.save(conn, view, callback)


async def on_status(
    pool: Pool, event: VideoStatus, now: Callable[[], datetime], wake_sender: Callable[[], None]
) -> Applied:
    return await _apply(
        pool, event, lambda view: job_view.apply_status(view, event), now, wake_sender
    )


async def on_ready(
    pool: Pool, event: VideoReady, now: Callable[[], datetime], wake_sender: Callable[[], None]
) -> Applied:
    return await _apply(
        pool, event, lambda view: job_view.apply_ready(view, event), now, wake_sender
    )


async def _apply(
    pool: Pool,
    event: VideoStatus | VideoReady,
    fold: Callable[[job_view.JobView | None], Applied],
    now: Callable[[], datetime],
    wake_sender: Callable[[], None],
) -> Applied:
    queued = False
    async with transaction(pool) as conn:
        view, callback_url = await jobs.get_for_update(conn, event.job_id)
        applied = fold(view)
        if applied.changed:
            await jobs.save(conn, applied.view)
        if applied.became_final and callback_url:
            await callbacks.enqueue(conn, applied.view, callback_url, now())
            queued = True
    if queued:
        wake_sender()
    return applied
