"""Natural batching: callers submit one item each; while one batch is being executed, the items
that arrive meanwhile wait and go together in the next. At low load a batch is one item (no added
latency); under load, one database round trip serves many requests."""

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

    async def submit(self, item: Item) -> Result:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self._name)
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        self._wake.set()
        return await future

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
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch = self._pending[: self._max_batch]
                del self._pending[: self._max_batch]
                try:
                    results = await self._execute([item for item, _ in batch])
                except Exception as error:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_, future), result in zip(batch, results, strict=True):
                    if not future.done():
                        future.set_result(result)
