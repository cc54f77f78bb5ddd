"""Avatars and voices per provider, cached in memory (seed 001: 18 hours) and filtered."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from ...domain.catalogue import Avatar, CatalogueQuery, Voice, filter_avatars, filter_voices
from ...domain.provider import ProviderError

logger = logging.getLogger(__name__)

DEFAULT_TTL_S = 18 * 3600
T = TypeVar("T")


@dataclass
class _Entry(Generic[T]):
    items: list[T]
    fetched_at: float


class _Cached(Generic[T]):
    """One list, fetched at most once per TTL even under concurrent readers."""

    def __init__(
        self, fetch: Callable[[], Awaitable[list[T]]], ttl_s: float, clock: Callable[[], float]
    ) -> None:
        self._fetch = fetch
        self._ttl_s = ttl_s
        self._clock = clock
        self._entry: _Entry[T] | None = None
        self._lock = asyncio.Lock()

    def _fresh(self) -> _Entry[T] | None:
        entry = self._entry
        if entry is not None and self._clock() - entry.fetched_at < self._ttl_s:
            return entry
        return None

    async def get(self) -> list[T]:
        if (entry := self._fresh()) is not None:
            return entry.items
        async with self._lock:
            if (entry := self._fresh()) is not None:
                return entry.items
            try:
                items = await self._fetch()
            except ProviderError:
                if self._entry is None:
                    raise
                logger.warning("catalogue refresh failed; serving the previous list", exc_info=True)
                return self._entry.items
            self._entry = _Entry(items, self._clock())
            return items

    def invalidate(self) -> None:
        self._entry = None


class CatalogueSource(Protocol):
    """What a catalogue is read from: a provider adapter, or the local renderer's lists."""

    async def list_avatars(self) -> list[Avatar]: ...

    async def list_voices(self) -> list[Voice]: ...


class CachedCatalogue:
    """A provider's avatars and voices, refreshed every ``ttl_s``; a failed refresh keeps
    serving the previous list rather than failing the API."""

    def __init__(
        self,
        provider: CatalogueSource,
        ttl_s: float = DEFAULT_TTL_S,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.provider = provider
        self._avatars = _Cached(provider.list_avatars, ttl_s, clock)
        self._voices = _Cached(provider.list_voices, ttl_s, clock)

    async def avatars(self, query: CatalogueQuery | None = None) -> list[Avatar]:
        items = await self._avatars.get()
        return items if query is None else filter_avatars(items, query)

    async def voices(self, query: CatalogueQuery | None = None) -> list[Voice]:
        items = await self._voices.get()
        return items if query is None else filter_voices(items, query)

    def invalidate(self) -> None:
        self._avatars.invalidate()
        self._voices.invalidate()
