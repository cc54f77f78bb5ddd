"""Tells this process's SSE streams when a job view changed, whichever replica changed it.

One connection per process LISTENs on the channel that `jobs.save` notifies; each stream
subscribes to its job and is woken for every change of it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from reelforge.runtime.db import Connection, Pool

from .jobs import CHANGES_CHANNEL


class ChangeNotifier:
    def __init__(self) -> None:
        self._subscribers: dict[UUID, set[asyncio.Event]] = defaultdict(set)
        self._conn: Connection | None = None
        self._pool: Pool | None = None

    async def start(self, pool: Pool) -> None:
        self._pool = pool
        self._conn = await pool.acquire()
        await self._conn.add_listener(CHANGES_CHANNEL, self._on_notify)

    async def stop(self) -> None:
        if self._conn is not None and self._pool is not None:
            with contextlib.suppress(Exception):
                await self._conn.remove_listener(CHANGES_CHANNEL, self._on_notify)
            await self._pool.release(self._conn)
            self._conn = None

    @contextlib.contextmanager
    def subscribe(self, job_id: UUID) -> Iterator[asyncio.Event]:
        """An event that is set whenever `job_id`'s view changes (clear it after reading)."""
        changed = asyncio.Event()
        self._subscribers[job_id].add(changed)
        try:
            yield changed
        finally:
            subscribers = self._subscribers.get(job_id)
            if subscribers is not None:
                subscribers.discard(changed)
                if not subscribers:
                    del self._subscribers[job_id]

    def _on_notify(self, *args: Any) -> None:
        payload = args[3] if len(args) > 3 else ""
        try:
            job_id = UUID(str(payload))
        except ValueError:
            return
        for changed in self._subscribers.get(job_id, ()):
            changed.set()
