"""Takes queued jobs from PostgreSQL as capacity allows, renders them, and records the outcome.

Queued jobs wait in PostgreSQL, not in memory. Each replica leases jobs with SKIP LOCKED; a
lease that runs out (the replica died) puts the job back in the queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from uuid import UUID

from reelforge.contracts import VIDEO_STATUS, Cost, JobState, RenderedVideo, VideoRequested
from reelforge.runtime.db import Pool, add_to_outbox, transaction

from ..adapters import job_store
from ..adapters.local_provider import LocalRenderPool
from ..adapters.local_renderer import LocalRenderError
from .statuses import render_status

logger = logging.getLogger(__name__)

PROGRESS_STEP = 0.25
"""Publish rendering progress in steps of this fraction (a status event per step)."""


class LocalDispatcher:
    def __init__(
        self,
        renderer: LocalRenderPool,
        public_base_url: str,
        max_in_flight: int,
        lease: timedelta,
    ) -> None:
        self._pool: Pool | None = None
        self.renderer = renderer
        self.public_base_url = public_base_url.rstrip("/")
        self.max_in_flight = max_in_flight
        self.lease = lease
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._reported: dict[UUID, float] = {}

    def wake(self) -> None:
        self._wake.set()

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            raise RuntimeError("dispatcher used before start()")
        return self._pool

    async def start(self, pool: Pool) -> None:
        self._pool = pool
        self.renderer.start()
        self._loop_task = asyncio.create_task(self._run(), name="render-dispatcher")

    async def stop(self) -> None:
        for task in [self._loop_task, *self._tasks]:
            if task is not None:
                task.cancel()
        for task in [self._loop_task, *self._tasks]:
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self.renderer.close()

    async def _run(self) -> None:
        while True:
            try:
                await self._recover()
                await self._dispatch()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("dispatcher iteration failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=2.0)

    async def _recover(self) -> None:
        async with transaction(self.pool) as conn:
            for job in await job_store.requeue_expired_leases(conn):
                await add_to_outbox(
                    conn,
                    VIDEO_STATUS,
                    render_status(job.request, JobState.QUEUED, detail="lease expired; retrying"),
                )
            for job in await job_store.fail_overdue(conn):
                await add_to_outbox(
                    conn,
                    VIDEO_STATUS,
                    render_status(
                        job.request,
                        JobState.FAILED,
                        provider=job.provider,
                        error=("render_deadline_exceeded", "no result before the deadline", False),
                    ),
                )

    async def _dispatch(self) -> None:
        free = self.max_in_flight - len(self._tasks)
        if free <= 0:
            return
        async with transaction(self.pool) as conn:
            jobs = await job_store.lease_queued(conn, "local", free, self.lease)
            for job in jobs:
                await add_to_outbox(
                    conn,
                    VIDEO_STATUS,
                    render_status(
                        job.request,
                        JobState.SUBMITTED,
                        provider="local",
                        provider_video_id=str(job.job_id),
                    ),
                )
        for job in jobs:
            task = asyncio.create_task(self._render(job), name=f"render-{job.job_id}")
            self._tasks.add(task)
            task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.wake()

    async def _render(self, job: job_store.RenderJob) -> None:
        request = job.request
        started = time.monotonic()
        try:
            result = await self.renderer.render(request, self._on_progress)
        except LocalRenderError as error:
            await self._fail(job, error.code, error.message)
            return
        except Exception as error:
            logger.exception("local render crashed", extra={"job_id": str(job.job_id)})
            await self._fail(job, "local_render_failed", f"local renderer failed: {error}")
            return
        finally:
            self._reported.pop(request.job_id, None)
        base = f"{self.public_base_url}/media/{job.job_id}"
        timings = {"render": round(time.monotonic() - started, 3)}
        rendered = RenderedVideo(
            url=f"{base}/video.mp4",
            thumbnail_url=f"{base}/{result.thumbnail_path.name}",
            duration_s=result.duration_s,
            cost=Cost(amount=0.0),
            metadata=request.metadata,
            timings=timings,
            requested_at=request.requested_at or job.created_at,
        )
        async with transaction(self.pool) as conn:
            await job_store.set_state(conn, job.job_id, JobState.RENDERED, 95, cost_usd=0.0)
            await add_to_outbox(
                conn,
                VIDEO_STATUS,
                render_status(
                    request,
                    JobState.RENDERED,
                    provider="local",
                    provider_video_id=str(job.job_id),
                    rendered=rendered,
                ),
            )

    def _on_progress(self, job_id: UUID, fraction: float) -> None:
        last = self._reported.get(job_id, 0.0)
        if fraction - last >= PROGRESS_STEP and fraction < 1.0:
            self._reported[job_id] = fraction
            task = asyncio.create_task(self._report_progress(job_id, fraction))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _report_progress(self, job_id: UUID, fraction: float) -> None:
        async with transaction(self.pool) as conn:
            row = await conn.fetchrow(
                "SELECT request FROM render_jobs WHERE job_id = $1 AND state IN"
                " ('submitted', 'rendering') FOR UPDATE",
                job_id,
            )
            if row is None:
                return
            request = VideoRequested.model_validate_json(row["request"])
            status = render_status(
                request,
                JobState.RENDERING,
                provider="local",
                fraction=fraction,
                provider_video_id=str(job_id),
            )
            await job_store.set_state(conn, job_id, JobState.RENDERING, status.progress)
            await add_to_outbox(conn, VIDEO_STATUS, status)

    async def _fail(self, job: job_store.RenderJob, code: str, message: str) -> None:
        async with transaction(self.pool) as conn:
            await job_store.set_state(conn, job.job_id, JobState.FAILED, 100, (code, message))
            await add_to_outbox(
                conn,
                VIDEO_STATUS,
                render_status(
                    job.request, JobState.FAILED, provider="local", error=(code, message, False)
                ),
            )
