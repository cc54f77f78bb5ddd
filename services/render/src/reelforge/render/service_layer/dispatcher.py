"""Takes queued jobs from PostgreSQL as providers have room, submits or renders them, polls the
remote ones on a schedule kept in PostgreSQL, and records every outcome through the outbox.

Queued jobs wait in PostgreSQL, not in memory. A job goes to the first provider in the
configured order that supports it, whose circuit lets a call through, that has fewer than its
cap of renders in flight (counted in PostgreSQL across replicas, under an advisory lock) and a
token in its bucket. Replicas share queued jobs and due polls with ``FOR UPDATE SKIP LOCKED``;
leases that run out (a replica died) make the work available again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from reelforge.contracts import VIDEO_STATUS, Cost, JobState, RenderedVideo, VideoRequested
from reelforge.runtime.db import Connection, Pool, add_to_outbox, transaction
from reelforge.runtime.resilience import (
    CircuitBreaker,
    CircuitOpenError,
    CircuitState,
    TokenBucket,
    retry_delay,
)

from ..adapters import job_store
from ..adapters.local_provider import LocalRenderPool
from ..adapters.local_renderer import LocalRenderError
from ..adapters.metrics import (
    OLDEST_ACTIVE_JOB_AGE,
    PROVIDER_ERRORS,
    RATE_LIMIT_WAIT,
    RENDER_COST,
    RENDER_DURATION,
    RENDER_JOBS,
)
from ..domain.provider import (
    JobNotSupportedError,
    ProviderError,
    ProviderJob,
    ProviderStatus,
    RenderState,
    Submission,
    VideoProvider,
)
from ..domain.routing import Assign, Unsupported, choose_provider, next_poll_delay
from .statuses import render_status

logger = logging.getLogger(__name__)

LOCAL = "local"
PROGRESS_STEP = 0.25
"""Publish local rendering progress in steps of this fraction (a status event per step)."""
STATES = ("queued", "submitted", "rendering", "rendered", "failed")


@dataclass
class ProviderSlot:
    """One configured remote provider with its guards."""

    name: str
    provider: VideoProvider
    breaker: CircuitBreaker
    bucket: TokenBucket
    max_in_flight: int
    starved_since: float | None = None
    """When the bucket last ran dry with jobs waiting (for reelforge_rate_limit_wait_seconds)."""


@dataclass(frozen=True)
class DispatchPolicy:
    order: tuple[str, ...]
    local_max_in_flight: int = 10
    local_lease: timedelta = timedelta(seconds=900)
    submit_lease: timedelta = timedelta(seconds=120)
    submit_max_attempts: int = 5
    retry_backoff_s: float = 1.0
    retry_backoff_max_s: float = 60.0
    poll_initial_s: float = 5.0
    poll_factor: float = 1.5
    poll_max_s: float = 60.0
    poll_lease: timedelta = timedelta(seconds=30)
    poll_batch: int = 100
    poll_concurrency: int = 5
    idle_s: float = 2.0
    housekeeping_s: float = 1.0
    metrics_refresh_s: float = 15.0


CallbackUrls = Callable[[str, UUID], str | None]
"""(provider, job_id) -> the callback URL with its per-job token, or None (poll only)."""


@dataclass
class _Timers:
    housekeeping: float = 0.0
    metrics: float = 0.0


class Dispatcher:
    def __init__(
        self,
        policy: DispatchPolicy,
        slots: list[ProviderSlot],
        local: LocalRenderPool | None,
        public_base_url: str,
        callback_urls: CallbackUrls | None = None,
    ) -> None:
        self.policy = policy
        self.slots = {slot.name: slot for slot in slots}
        self.local = local
        self.public_base_url = public_base_url.rstrip("/")
        self.callback_urls = callback_urls
        self._pool: Pool | None = None
        self._wake = asyncio.Event()
        self._poll_wake = asyncio.Event()
        self._local_tasks: set[asyncio.Task[None]] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self._reported: dict[UUID, float] = {}
        self._trials: dict[str, int] = {}
        self._timers = _Timers()
        self._capabilities = {
            name: (self.slots[name].provider.capabilities() if name in self.slots else None)
            for name in policy.order
        }

    def wake(self) -> None:
        self._wake.set()

    def wake_poller(self) -> None:
        self._poll_wake.set()

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            raise RuntimeError("dispatcher used before start()")
        return self._pool

    async def start(self, pool: Pool) -> None:
        self._pool = pool
        if self.local is not None:
            self.local.start()
        self._loops = [
            asyncio.create_task(self._run_dispatch(), name="render-dispatcher"),
            asyncio.create_task(self._run_polls(), name="render-poller"),
        ]

    async def stop(self) -> None:
        tasks = [*self._loops, *self._tasks, *self._local_tasks]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self.local is not None:
            self.local.close()
        for slot in self.slots.values():
            with contextlib.suppress(Exception):
                await slot.provider.aclose()

    def _spawn(
        self, coro: Coroutine[Any, Any, None], name: str, bucket: set[asyncio.Task[None]]
    ) -> None:
        task: asyncio.Task[None] = asyncio.create_task(coro, name=name)
        bucket.add(task)
        task.add_done_callback(bucket.discard)
        task.add_done_callback(lambda _: self.wake())

    # the dispatch loop ---------------------------------------------------------------------

    async def _run_dispatch(self) -> None:
        while True:
            pause = self.policy.idle_s
            try:
                await self._housekeeping()
                pause = min(pause, await self._dispatch())
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("dispatcher iteration failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=pause)

    async def _housekeeping(self) -> None:
        now = time.monotonic()
        if now >= self._timers.housekeeping:
            self._timers.housekeeping = now + self.policy.housekeeping_s
            await self._recover()
        if now >= self._timers.metrics:
            self._timers.metrics = now + self.policy.metrics_refresh_s
            await self.refresh_metrics()

    async def refresh_metrics(self) -> None:
        async with self.pool.acquire() as conn:
            counts = await job_store.count_by_state(conn)
            oldest = await job_store.oldest_active_age_s(conn)
        for state in {*STATES, *counts}:
            RENDER_JOBS.labels(state=state).set(counts.get(state, 0))
        OLDEST_ACTIVE_JOB_AGE.set(oldest)

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

    def _circuit_room(self, slot: ProviderSlot) -> int | None:
        """None: no limit from the circuit; else how many calls it lets through now."""
        state = slot.breaker.state
        if state is CircuitState.CLOSED:
            return None
        if state is CircuitState.HALF_OPEN:
            return max(0, slot.breaker.half_open_max_calls - self._trials.get(slot.name, 0))
        return 0

    async def _dispatch(self) -> float:
        """Assign due queued jobs to providers; the pause until it is worth trying again."""
        pause = self.policy.idle_s
        started: list[tuple[job_store.RenderJob, str]] = []
        async with transaction(self.pool) as conn:
            room: dict[str, int] = {}
            for name in self.policy.order:
                if name == LOCAL:
                    room[name] = self.policy.local_max_in_flight - len(self._local_tasks)
                    continue
                slot = self.slots.get(name)
                if slot is None:
                    continue
                circuit = self._circuit_room(slot)
                if circuit == 0:
                    room[name] = 0
                    pause = min(pause, max(0.05, slot.breaker.seconds_until_trial()))
                    continue
                tokens = int(slot.bucket.available)
                if tokens <= 0:
                    room[name] = 0
                    if slot.starved_since is None:
                        slot.starved_since = time.monotonic()
                    pause = min(pause, self._until_token(slot))
                    continue
                await job_store.lock_provider(conn, name)
                free = slot.max_in_flight - await job_store.count_in_flight(conn, name)
                room[name] = min(free, tokens) if circuit is None else min(free, circuit, tokens)
            wanted = sum(max(0, n) for n in room.values())
            if wanted <= 0:
                return pause
            jobs = await job_store.lock_due_queued(conn, min(self.policy.poll_batch, wanted * 2))
            tokens_short: set[str] = set()

            def has_room(name: str) -> bool:
                if room.get(name, 0) <= 0:
                    return False
                slot = self.slots.get(name)
                if slot is not None and not slot.bucket.try_acquire():
                    tokens_short.add(name)
                    room[name] = 0
                    if slot.starved_since is None:
                        slot.starved_since = time.monotonic()
                    return False
                return True

            for job in jobs:
                decision = choose_provider(
                    self.policy.order,
                    job.request,
                    self._capabilities,
                    has_room,
                    job.excluded_providers,
                    pinned=job.provider if job.provider != LOCAL else None,
                )
                if isinstance(decision, Assign):
                    name = decision.provider
                    room[name] -= 1
                    await self._assign(conn, job, name)
                    started.append((job, name))
                elif isinstance(decision, Unsupported):
                    await self._fail_unsupported(conn, job, decision)
            if jobs:
                # Jobs are waiting: come back when the next token is there.
                for name in {*tokens_short, *(n for n in room if n in self.slots)}:
                    pause = min(pause, self._until_token(self.slots[name]))
        for job, name in started:
            if name == LOCAL:
                self._spawn(self._render_local(job), f"render-{job.job_id}", self._local_tasks)
            else:
                self._spawn(
                    self._submit(job, self.slots[name]), f"submit-{job.job_id}", self._tasks
                )
        return pause

    @staticmethod
    def _until_token(slot: ProviderSlot) -> float:
        bucket = slot.bucket
        return max(0.005, (1 - bucket.available) / bucket.rate_per_s)

    async def _assign(self, conn: Connection, job: job_store.RenderJob, name: str) -> None:
        if name == LOCAL:
            await job_store.assign(conn, job.job_id, LOCAL, self.policy.local_lease, 0.0)
            await add_to_outbox(
                conn,
                VIDEO_STATUS,
                render_status(
                    job.request,
                    JobState.SUBMITTED,
                    provider=LOCAL,
                    provider_video_id=str(job.job_id),
                ),
            )
            return
        slot = self.slots[name]
        if slot.starved_since is not None:
            RATE_LIMIT_WAIT.labels(name).observe(time.monotonic() - slot.starved_since)
            slot.starved_since = None
        else:
            RATE_LIMIT_WAIT.labels(name).observe(0.0)
        if slot.breaker.state is CircuitState.HALF_OPEN:
            self._trials[name] = self._trials.get(name, 0) + 1
        cost = slot.provider.estimate_cost(job.request)
        await job_store.assign(conn, job.job_id, name, self.policy.submit_lease, cost.amount)

    async def _fail_unsupported(
        self, conn: Connection, job: job_store.RenderJob, decision: Unsupported
    ) -> None:
        code, message = job.last_error or (
            JobNotSupportedError.code,
            "no configured provider can render this job: " + " | ".join(decision.reasons),
        )
        await job_store.set_state(conn, job.job_id, JobState.FAILED, 100, (code, message[:2000]))
        await add_to_outbox(
            conn,
            VIDEO_STATUS,
            render_status(job.request, JobState.FAILED, error=(code, message[:2000], False)),
        )

    # remote submission ---------------------------------------------------------------------

    async def _submit(self, job: job_store.RenderJob, slot: ProviderSlot) -> None:
        callback = self.callback_urls(slot.name, job.job_id) if self.callback_urls else None
        provider_job = ProviderJob(job.request, callback_url=callback)
        try:
            submission = None
            if job.provider == slot.name:
                # A replica died while submitting this job here: the render may exist already
                # (D-ID has no idempotency key; HeyGen answers None and replays by key).
                with contextlib.suppress(ProviderError):
                    submission = await slot.provider.find_submission(provider_job)
            if submission is None:
                submission = await self._guarded_submit(slot, provider_job)
        except CircuitOpenError:
            await self._requeue(job, slot, 0.0, count_attempt=False)
        except ProviderError as error:
            await self._submit_failed(job, slot, error)
        else:
            await self._submitted(job, slot, submission)
        finally:
            if self._trials.get(slot.name):
                self._trials[slot.name] -= 1

    async def _guarded_submit(self, slot: ProviderSlot, job: ProviderJob) -> Submission:
        try:
            async with slot.breaker.guard():
                return await slot.provider.submit(job)
        except ProviderError as error:
            if not error.retryable or error.http_status == 429:
                raise
            # Ambiguous (timeout, 5xx): did the provider start the render anyway?
            with contextlib.suppress(ProviderError, CircuitOpenError):
                found = await slot.provider.find_submission(job)
                if found is not None:
                    return found
            raise

    async def _submit_failed(
        self, job: job_store.RenderJob, slot: ProviderSlot, error: ProviderError
    ) -> None:
        log = {"job_id": str(job.job_id), "provider": slot.name, "error_code": error.code}
        if isinstance(error, JobNotSupportedError):
            logger.info("provider cannot render the job; trying the next", extra=log)
            await self._requeue(job, slot, 0.0, count_attempt=False, exclude=True, error=error)
            return
        if not error.retryable:
            logger.warning("submission rejected: %s", error.code, extra=log)
            await self._fail(job.job_id, slot.name, error.code, str(error))
            return
        attempts = job.submit_attempts + 1
        if attempts >= self.policy.submit_max_attempts:
            logger.warning("submission retries exhausted; falling back", extra=log)
            await self._requeue(job, slot, 0.0, count_attempt=True, exclude=True, error=error)
            return
        delay = retry_delay(
            attempts - 1,
            self.policy.retry_backoff_s,
            self.policy.retry_backoff_max_s,
            error.retry_after_s,
        )
        logger.info("submission failed (%s); retrying in %.2fs", error.code, delay, extra=log)
        await self._requeue(job, slot, delay, count_attempt=True, error=error)

    async def _requeue(
        self,
        job: job_store.RenderJob,
        slot: ProviderSlot,
        delay_s: float,
        *,
        count_attempt: bool,
        exclude: bool = False,
        error: ProviderError | None = None,
    ) -> None:
        async with transaction(self.pool) as conn:
            await job_store.requeue_submission(
                conn,
                job.job_id,
                slot.name,
                timedelta(seconds=delay_s),
                count_attempt=count_attempt,
                exclude=exclude,
                error=(error.code, str(error)) if error is not None else None,
            )
        if delay_s > 0:
            loop = asyncio.get_running_loop()
            loop.call_later(delay_s, self.wake)

    async def _submitted(
        self, job: job_store.RenderJob, slot: ProviderSlot, submission: Submission
    ) -> None:
        first_poll = timedelta(seconds=self.policy.poll_initial_s)
        async with transaction(self.pool) as conn:
            if not await job_store.mark_submitted(
                conn, job.job_id, slot.name, submission.provider_video_id, first_poll
            ):
                return
            await add_to_outbox(
                conn,
                VIDEO_STATUS,
                render_status(
                    job.request,
                    JobState.SUBMITTED,
                    provider=slot.name,
                    provider_video_id=submission.provider_video_id,
                    detail=(
                        "ignored options: " + ", ".join(submission.ignored_options)
                        if submission.ignored_options
                        else None
                    ),
                ),
            )
        asyncio.get_running_loop().call_later(self.policy.poll_initial_s, self.wake_poller)

    # polling -------------------------------------------------------------------------------

    async def _run_polls(self) -> None:
        while True:
            pause = self.policy.idle_s
            try:
                if await self.poll_due():
                    pause = 0.0
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("poll iteration failed")
            self._poll_wake.clear()
            if pause:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._poll_wake.wait(), timeout=pause)

    async def poll_due(self) -> bool:
        """Poll the due jobs once; True when a full batch was due (more may be waiting)."""
        async with transaction(self.pool) as conn:
            jobs = await job_store.lease_due_polls(
                conn, self.policy.poll_batch, self.policy.poll_lease
            )
        if jobs:
            # A few at a time: each poll holds a pooled connection for its update, and the
            # dispatcher must still get one promptly (a late dispatcher loses rate-limit tokens).
            limit = asyncio.Semaphore(self.policy.poll_concurrency)

            async def poll(job: job_store.RenderJob) -> None:
                async with limit:
                    await self._poll_one(job)

            await asyncio.gather(*(poll(job) for job in jobs))
        return len(jobs) >= self.policy.poll_batch

    async def _poll_one(self, job: job_store.RenderJob) -> None:
        slot = self.slots.get(job.provider or "")
        if slot is None or job.provider_video_id is None:
            await self._reschedule(job)
            return
        try:
            async with slot.breaker.guard():
                status = await slot.provider.get_status(job.provider_video_id)
        except CircuitOpenError as error:
            await self._reschedule(job, max(error.retry_in_s, self.policy.poll_initial_s))
        except ProviderError as error:
            if error.retryable:
                await self._reschedule(job)
            else:
                await self._fail(job.job_id, slot.name, error.code, str(error))
        except Exception:
            logger.exception("status poll crashed", extra={"job_id": str(job.job_id)})
            await self._reschedule(job)
        else:
            await self._apply_status(job, slot, status)

    async def _reschedule(self, job: job_store.RenderJob, delay_s: float | None = None) -> None:
        if delay_s is None:
            delay_s = next_poll_delay(
                job.poll_count,
                self.policy.poll_initial_s,
                self.policy.poll_factor,
                self.policy.poll_max_s,
            )
        async with transaction(self.pool) as conn:
            await job_store.schedule_poll(conn, job.job_id, timedelta(seconds=delay_s))
        asyncio.get_running_loop().call_later(delay_s, self.wake_poller)

    async def _apply_status(
        self, job: job_store.RenderJob, slot: ProviderSlot, status: ProviderStatus
    ) -> None:
        if status.state is RenderState.COMPLETED:
            await self._rendered(job, slot, status)
            return
        if status.state is RenderState.FAILED:
            failure = status.failure
            message = f"{failure.code}: {failure.message}" if failure else "the render failed"
            PROVIDER_ERRORS.labels(slot.name, "provider_render_failed").inc()
            await self._fail(job.job_id, slot.name, "provider_render_failed", message)
            return
        fraction = status.progress / 100 if status.progress is not None else None
        if status.state is RenderState.PROCESSING or fraction is not None:
            update = render_status(
                job.request,
                JobState.RENDERING,
                provider=slot.name,
                provider_video_id=job.provider_video_id,
                fraction=fraction,
            )
            if job.state is not JobState.RENDERING or update.progress != job.progress:
                async with transaction(self.pool) as conn:
                    if await job_store.set_rendering(conn, job.job_id, update.progress):
                        await add_to_outbox(conn, VIDEO_STATUS, update)
        await self._reschedule(job)

    async def _rendered(
        self, job: job_store.RenderJob, slot: ProviderSlot, status: ProviderStatus
    ) -> None:
        url = status.url_for(job.request.render.captions)
        if url is None:
            await self._reschedule(job)
            return
        async with transaction(self.pool) as conn:
            done = await job_store.finish(conn, job.job_id, JobState.RENDERED)
            if done is None:
                return
            seconds = time.time() - done.submitted_at.timestamp() if done.submitted_at else None
            cost = Cost(amount=done.cost_usd or 0.0)
            rendered = RenderedVideo(
                url=url,
                url_expires_at=status.url_expires_at,
                thumbnail_url=status.thumbnail_url,
                duration_s=status.duration_s,
                cost=cost,
                metadata=job.request.metadata,
                timings={"render": round(seconds, 3)} if seconds is not None else {},
                requested_at=job.request.requested_at or job.created_at,
            )
            await add_to_outbox(
                conn,
                VIDEO_STATUS,
                render_status(
                    job.request,
                    JobState.RENDERED,
                    provider=slot.name,
                    provider_video_id=job.provider_video_id,
                    rendered=rendered,
                ),
            )
        self.wake()  # a slot at the provider is free
        if seconds is not None:
            RENDER_DURATION.labels(slot.name).observe(max(0.0, seconds))
        RENDER_COST.labels(slot.name).inc(cost.amount)

    async def _fail(self, job_id: UUID, provider: str, code: str, message: str) -> None:
        async with transaction(self.pool) as conn:
            done = await job_store.finish(conn, job_id, JobState.FAILED, (code, message[:2000]))
            if done is None:
                return
            await add_to_outbox(
                conn,
                VIDEO_STATUS,
                render_status(
                    done.request,
                    JobState.FAILED,
                    provider=provider,
                    provider_video_id=done.provider_video_id,
                    error=(code, message[:2000], False),
                ),
            )
        self.wake()

    # local rendering -----------------------------------------------------------------------

    async def _render_local(self, job: job_store.RenderJob) -> None:
        if self.local is None:
            raise RuntimeError("local provider configured without a render pool")
        request = job.request
        started = time.monotonic()
        try:
            result = await self.local.render(request, self._on_progress)
        except LocalRenderError as error:
            await self._fail(job.job_id, LOCAL, error.code, error.message)
            return
        except Exception as error:
            logger.exception("local render crashed", extra={"job_id": str(job.job_id)})
            await self._fail(
                job.job_id, LOCAL, "local_render_failed", f"local renderer failed: {error}"
            )
            return
        finally:
            self._reported.pop(request.job_id, None)
        base = f"{self.public_base_url}/media/{job.job_id}"
        elapsed = time.monotonic() - started
        rendered = RenderedVideo(
            url=f"{base}/video.mp4",
            thumbnail_url=f"{base}/{result.thumbnail_path.name}",
            duration_s=result.duration_s,
            cost=Cost(amount=0.0),
            metadata=request.metadata,
            timings={"render": round(elapsed, 3)},
            requested_at=request.requested_at or job.created_at,
        )
        async with transaction(self.pool) as conn:
            if await job_store.finish(conn, job.job_id, JobState.RENDERED) is None:
                return
            await add_to_outbox(
                conn,
                VIDEO_STATUS,
                render_status(
                    request,
                    JobState.RENDERED,
                    provider=LOCAL,
                    provider_video_id=str(job.job_id),
                    rendered=rendered,
                ),
            )
        RENDER_DURATION.labels(LOCAL).observe(elapsed)

    def _on_progress(self, job_id: UUID, fraction: float) -> None:
        last = self._reported.get(job_id, 0.0)
        if fraction - last >= PROGRESS_STEP and fraction < 1.0:
            self._reported[job_id] = fraction
            self._spawn(self._report_progress(job_id, fraction), "progress", self._tasks)

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
                provider=LOCAL,
                fraction=fraction,
                provider_video_id=str(job_id),
            )
            await job_store.set_rendering(conn, job_id, status.progress)
            await add_to_outbox(conn, VIDEO_STATUS, status)
