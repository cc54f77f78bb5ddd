"""Delivers queued upstream callbacks, signed the Standard Webhooks way, with retries for a day."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from prometheus_client import Counter
from pydantic import SecretStr

from reelforge.runtime.db import Pool

from ..domain import callback_schedule, callback_urls, standard_webhooks
from . import callbacks, tenants
from .callbacks import PendingCallback

logger = logging.getLogger(__name__)

Schedule = Callable[[int, datetime, datetime], datetime | None]
"""(attempts made, first attempt at, now) -> when to try next, or None to give up."""

CALLBACK_DELIVERIES = Counter(
    "reelforge_callback_deliveries",
    "Upstream callback attempts by outcome (delivered, retry, gave_up).",
    ["outcome"],
)


class CallbackSender:
    def __init__(
        self,
        pool: Pool,
        master_secret: SecretStr,
        *,
        timeout_s: float,
        allow_insecure: bool,
        batch: int = 20,
        poll_s: float = 1.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        schedule: Schedule = callback_schedule.next_attempt,
    ) -> None:
        self.pool = pool
        self.master_secret = master_secret
        self.allow_insecure = allow_insecure
        self.batch = batch
        self.poll_s = poll_s
        self.clock = clock
        self.schedule = schedule
        self.client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook-callback-sender")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.client.aclose()

    async def _run(self) -> None:
        while True:
            try:
                sent = await self.send_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("callback round failed; retrying")
                sent = 0
            if sent < self.batch:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_s)

    async def send_due(self) -> int:
        due = await callbacks.lease_due(self.pool, self.clock(), self.batch)
        await asyncio.gather(*(self._deliver(callback) for callback in due))
        return len(due)

    async def _deliver(self, callback: PendingCallback) -> None:
        at = self.clock()
        started = time.monotonic()
        status_code: int | None = None
        error: str | None = None
        try:
            await self._check_destination(callback.url)
            secret = await self._secret_for(callback.tenant_id)
            body = callback.payload.encode()
            headers = standard_webhooks.signed_headers(secret, str(callback.message_id), at, body)
            headers["content-type"] = "application/json"
            response = await self.client.post(callback.url, content=body, headers=headers)
            status_code = response.status_code
        except (httpx.HTTPError, OSError, callback_urls.CallbackUrlError) as failure:
            error = f"{type(failure).__name__}: {failure}"[:500]
        delivered = status_code is not None and 200 <= status_code < 300
        first = callback.first_attempt_at or at
        next_at = None if delivered else self.schedule(callback.attempts + 1, first, self.clock())
        outcome = "delivered" if delivered else ("retry" if next_at else "gave_up")
        CALLBACK_DELIVERIES.labels(outcome).inc()
        logger.info(
            "callback attempt",
            extra={
                "job_id": str(callback.job_id),
                "attempt": callback.attempts + 1,
                "status_code": status_code,
                "outcome": outcome,
                "error": error,
            },
        )
        await callbacks.record_attempt(
            self.pool,
            callback,
            at=at,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
            next_attempt_at=next_at,
            delivered=delivered,
        )

    async def _secret_for(self, tenant_id: str) -> SecretStr:
        async with self.pool.acquire() as conn:
            generation = await tenants.signing_generation(conn, tenant_id) or 1
        return standard_webhooks.derive_tenant_secret(self.master_secret, tenant_id, generation)

    async def _check_destination(self, url: str) -> None:
        """Refuse URLs whose host resolves into a private network, unless insecure is allowed."""
        callback_urls.check(url, allow_insecure=self.allow_insecure)
        if self.allow_insecure:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = await asyncio.get_running_loop().getaddrinfo(host, port)
        for info in infos:
            address = ipaddress.ip_address(info[4][0])
            if not callback_urls.is_public(address):
                raise callback_urls.CallbackUrlError(f"{host} resolves to a non-public address")
