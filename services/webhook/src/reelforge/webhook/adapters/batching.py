"""Natural batching: callers submit one item each; while a batch is being executed, the items
that arrive meanwhile wait and go together in the next. At low load a batch is one item (no added
latency); under load, one database round trip serves many requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")
Result = TypeVar("Result")


class NaturalBatcher(Generic[Item, Result]):
    def __init__(
        self,
        execute: Callable[[Sequence[Item]], Awaitable[Sequence[Result]]],
        max_batch: int = 500,
        name: str = "batcher",
    ) -> None:
        self._execute = execute
        self._max_batch = max_batch
        self._name = name
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._running: set[asyncio.Future[Result]] = set()

    async def submit(self, item: Item) -> Result:
        return await self.enqueue(item)

    def enqueue(self, item: Item) -> asyncio.Future[Result]:
        """Queue `item` without waiting; the future settles when its batch has run."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self._name)
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wake.set()
        return future

    async def drain(self, timeout_s: float) -> None:
        """Wait (at most `timeout_s`) until everything queued so far has been executed."""
        waiting = [future for _, future in self._pending] + list(self._running)
        if waiting:
            await asyncio.wait(waiting, timeout=timeout_s)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for _, future in self._pending:
            if not future.done():
                future.set_exception(RuntimeError(f"{self._name} stopped"))
        self._pending.clear()

    async def _run(self) -> None:
        while True:
            while not self._pending:
                self._wake.clear()
                await self._wake.wait()
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            futures = [future for _, future in batch]
            self._running.update(futures)
            try:
                results = await self._execute([item for item, _ in batch])
            except Exception as error:
                for future in futures:
                    if not future.done():
                        future.set_exception(error)
                continue
            finally:
                self._running.difference_update(futures)
            for future, result in zip(futures, results, strict=True):
                if not future.done():
                    future.set_result(result)
