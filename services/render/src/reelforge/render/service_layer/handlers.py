"""One handler per consumed event; each does its work in one transaction with its outbox."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from reelforge.contracts import (
    VIDEO_STATUS,
    JobState,
    StatusSource,
    VideoRequested,
    VideoStatus,
)
from reelforge.runtime.db import Pool, add_to_outbox, transaction

from ..adapters import job_store
from .statuses import render_status


async def handle_video_requested(
    events: Sequence[VideoRequested],
    pool: Pool,
    deadline: timedelta,
    wake_dispatcher: Callable[[], None],
) -> None:
    """Queue the jobs in PostgreSQL (once per job_id; a redelivery changes nothing), in one
    transaction; the dispatcher submits them when it may."""
    queued = 0
    async with transaction(pool) as conn:
        for event in events:
            if await job_store.insert_if_new(conn, event, deadline):
                await add_to_outbox(conn, VIDEO_STATUS, render_status(event, JobState.QUEUED))
                queued += 1
    if queued:
        wake_dispatcher()


async def handle_video_status(
    event: VideoStatus, pool: Pool, wake_poller: Callable[[], None]
) -> None:
    """A provider webhook (relayed by the webhook service) is a hint, never the verdict: the
    job's poll becomes due at once, and the poll asks the provider's status API before anything
    is published. Statuses from other sources (our own included) are ignored."""
    if event.source is not StatusSource.WEBHOOK:
        return
    if event.state not in (JobState.RENDERED, JobState.FAILED, JobState.RENDERING):
        return
    async with transaction(pool) as conn:
        due = await job_store.poll_now(conn, event.job_id, event.provider)
    if due:
        wake_poller()
