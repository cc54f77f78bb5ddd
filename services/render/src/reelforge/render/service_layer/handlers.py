"""One handler per consumed event; each does its work in one transaction with its outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from reelforge.contracts import VIDEO_STATUS, JobState, VideoRequested
from reelforge.runtime.db import Pool, add_to_outbox, transaction

from ..adapters import job_store
from .statuses import render_status


async def handle_video_requested(
    event: VideoRequested, pool: Pool, deadline: timedelta, wake_dispatcher: Callable[[], None]
) -> None:
    """Queue the job in PostgreSQL (once per job_id); the dispatcher submits it when it may."""
    async with transaction(pool) as conn:
        if not await job_store.insert_if_new(conn, event, deadline):
            return
        await add_to_outbox(conn, VIDEO_STATUS, render_status(event, JobState.QUEUED))
    wake_dispatcher()
