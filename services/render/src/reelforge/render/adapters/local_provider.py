"""Runs the offline renderer in a bounded process pool, never on the event loop, and reports
its progress back to the event loop."""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.managers import SyncManager
from pathlib import Path
from uuid import UUID

from reelforge.contracts import VideoRequested

from .local_renderer import LocalRenderResult, render_video

ProgressListener = Callable[[UUID, float], None]


def _render_in_worker(
    request: VideoRequested, output_path: Path, progress_queue: queue.Queue[tuple[UUID, float]]
) -> LocalRenderResult:
    def report(fraction: float) -> None:
        progress_queue.put((request.job_id, fraction))

    return render_video(request, output_path, report)


class LocalRenderPool:
    def __init__(self, media_dir: Path, workers: int) -> None:
        self.media_dir = media_dir
        self.workers = workers
        self._context = multiprocessing.get_context("spawn")
        self._executor: ProcessPoolExecutor | None = None
        self._manager: SyncManager | None = None
        self._progress: queue.Queue[tuple[UUID, float]] | None = None
        self._listeners: dict[UUID, ProgressListener] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._reader = threading.Thread(target=self._read_progress, daemon=True)

    def start(self) -> None:
        """Start the worker processes; call from the event loop that awaits renders."""
        self._loop = asyncio.get_running_loop()
        self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context)
        self._manager = self._context.Manager()
        self._progress = self._manager.Queue()
        self._reader.start()

    def output_path(self, job_id: UUID) -> Path:
        return self.media_dir / str(job_id) / "video.mp4"

    async def render(
        self, request: VideoRequested, on_progress: ProgressListener
    ) -> LocalRenderResult:
        output = self.output_path(request.job_id)
        output.parent.mkdir(parents=True, exist_ok=True)
        self._listeners[request.job_id] = on_progress
        try:
            if self._executor is None or self._progress is None:
                raise RuntimeError("LocalRenderPool.start() not called")
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._executor, _render_in_worker, request, output, self._progress
            )
        finally:
            self._listeners.pop(request.job_id, None)

    def _read_progress(self) -> None:
        while self._progress is not None:
            try:
                job_id, fraction = self._progress.get()
            except (EOFError, OSError):
                return
            listener = self._listeners.get(job_id)
            if listener is not None and self._loop is not None:
                self._loop.call_soon_threadsafe(listener, job_id, fraction)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._manager is not None:
            self._manager.shutdown()
