"""What both fake providers share: render bookkeeping with a completion delay and a
concurrency limit, presigned download URLs that expire, the sample MP4, webhook delivery."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from .faults import Fault, FaultInjector, FaultKind
from .media import sample_mp4, sample_thumbnail
from .server import serve_app


@dataclass
class FakeRender:
    id: str
    body: dict[str, Any]
    callback_url: str | None
    started_at: float
    completes_at: float
    fails: bool
    created_epoch: int
    extra: dict[str, Any] = field(default_factory=dict)

    def finished(self, now: float) -> bool:
        return now >= self.completes_at


@dataclass(frozen=True)
class WebhookDelivery:
    url: str
    body: bytes
    headers: dict[str, str]
    status: int | None
    """The receiver's answer, or None if it could not be reached."""


class FakeProviderBase:
    """Subclasses add the provider's own routes and JSON shapes."""

    id_prefix = "vid_"

    def __init__(
        self,
        *,
        completion_delay_s: float,
        max_concurrent_renders: int,
        url_ttl_s: float,
        fail_scripts_containing: str,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.completion_delay_s = completion_delay_s
        self.max_concurrent_renders = max_concurrent_renders
        self.url_ttl_s = url_ttl_s
        self.fail_scripts_containing = fail_scripts_containing
        self.clock = clock
        self.wall = wall
        self.faults = FaultInjector(clock)
        self.renders: dict[str, FakeRender] = {}
        self.submissions = 0
        """Renders actually started (what the provider would bill)."""
        self.requests: Counter[str] = Counter()
        self.max_in_flight_seen = 0
        self.rejected_for_concurrency = 0
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.base_url = ""
        self._signing_key = secrets.token_bytes(32)
        self._ids = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._finished: dict[str, asyncio.Event] = {}
        self._submission_waiters: list[tuple[int, asyncio.Future[None]]] = []
        self._webhook_client: httpx.AsyncClient | None = None

    # renders -------------------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        now = self.clock()
        return sum(1 for render in self.renders.values() if not render.finished(now))

    def at_capacity(self) -> bool:
        return self.in_flight >= self.max_concurrent_renders

    def start_render(
        self, body: dict[str, Any], script: str, callback_url: str | None
    ) -> FakeRender:
        now = self.clock()
        render = FakeRender(
            id=f"{self.id_prefix}{next(self._ids):06d}{secrets.token_hex(4)}",
            body=body,
            callback_url=callback_url,
            started_at=now,
            completes_at=now + self.completion_delay_s,
            fails=bool(self.fail_scripts_containing) and self.fail_scripts_containing in script,
            created_epoch=int(self.wall()),
        )
        self.renders[render.id] = render
        self._finished[render.id] = asyncio.Event()
        self.submissions += 1
        for count, waiter in self._submission_waiters:
            if self.submissions >= count and not waiter.done():
                waiter.set_result(None)
        self.max_in_flight_seen = max(self.max_in_flight_seen, self.in_flight)
        task = asyncio.create_task(self._finish_later(render))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return render

    def phase(self, render: FakeRender) -> str:
        """ "pending" for the first fifth of the delay, then "processing", then done/failed."""
        now = self.clock()
        if render.finished(now):
            return "failed" if render.fails else "completed"
        if now - render.started_at < self.completion_delay_s / 5:
            return "pending"
        return "processing"

    async def _finish_later(self, render: FakeRender) -> None:
        await asyncio.sleep(max(0.0, render.completes_at - self.clock()))
        try:
            if render.callback_url:
                await self.deliver_webhook(render.callback_url, self.webhook_payload(render))
        finally:
            self._finished[render.id].set()

    async def wait_submissions(self, count: int, timeout_s: float = 10.0) -> None:
        """Until at least ``count`` renders were started."""
        if self.submissions >= count:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._submission_waiters.append((count, waiter))
        try:
            await asyncio.wait_for(waiter, timeout_s)
        finally:
            self._submission_waiters.remove((count, waiter))

    async def wait_finished(self, render_id: str, timeout_s: float = 10.0) -> None:
        """Until the render is done (and its webhook, if any, was delivered)."""
        await asyncio.wait_for(self._finished[render_id].wait(), timeout_s)

    def webhook_payload(self, render: FakeRender) -> dict[str, Any]:
        raise NotImplementedError

    def webhook_headers(self, body: bytes) -> dict[str, str]:
        return {}

    async def deliver_webhook(self, url: str, payload: dict[str, Any]) -> WebhookDelivery:
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"content-type": "application/json", **self.webhook_headers(body)}
        if self._webhook_client is None:
            self._webhook_client = httpx.AsyncClient(timeout=5.0)
        try:
            response = await self._webhook_client.post(url, content=body, headers=headers)
            status: int | None = response.status_code
        except httpx.HTTPError:
            status = None
        delivery = WebhookDelivery(url, body, headers, status)
        self.webhook_deliveries.append(delivery)
        return delivery

    async def injected(
        self, operation: str, answer: Callable[[Fault], Response]
    ) -> Response | None:
        """The injected answer for this call, if a fault applies (a slow one just waits)."""
        self.requests[operation] += 1
        fault = self.faults.take(operation)
        if fault is None:
            return None
        if fault.kind is FaultKind.SLOW:
            await asyncio.sleep(fault.delay_s)
            return None
        return answer(fault)

    # download URLs -------------------------------------------------------------------------

    def _signature(self, path: str, expires: int) -> str:
        message = f"{path}:{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()

    def presigned_url(self, path: str) -> str:
        """``base_url + path`` signed to expire ``url_ttl_s`` from now, CloudFront style."""
        expires = int(self.wall() + self.url_ttl_s)
        return f"{self.base_url}{path}?Expires={expires}&Signature={self._signature(path, expires)}"

    def _check_signed(self, request: Request) -> Response | None:
        try:
            expires = int(request.query_params.get("Expires", ""))
        except ValueError:
            return PlainTextResponse("AccessDenied: missing Expires", status_code=403)
        signature = request.query_params.get("Signature", "")
        if not hmac.compare_digest(signature, self._signature(request.url.path, expires)):
            return PlainTextResponse("AccessDenied: bad signature", status_code=403)
        if self.wall() >= expires:
            return PlainTextResponse("AccessDenied: Request has expired", status_code=403)
        return None

    async def download_video(self, request: Request) -> Response:
        self.requests["download"] += 1
        if (denied := self._check_signed(request)) is not None:
            return denied
        if request.path_params["render_id"] not in self.renders:
            return PlainTextResponse("NoSuchKey", status_code=404)
        return FileResponse(sample_mp4(), media_type="video/mp4")

    async def download_thumbnail(self, request: Request) -> Response:
        if (denied := self._check_signed(request)) is not None:
            return denied
        return Response(sample_thumbnail(), media_type="image/jpeg")

    def file_routes(self) -> list[Route]:
        return [
            Route("/files/{render_id}.mp4", self.download_video, methods=["GET", "HEAD"]),
            Route("/files/{render_id}.jpg", self.download_thumbnail, methods=["GET"]),
        ]

    # serving -------------------------------------------------------------------------------

    @property
    def app(self) -> Any:
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def serve(self) -> AsyncIterator[str]:
        """Serve on 127.0.0.1:<free port>; yields the base URL."""
        sample_mp4()
        async with serve_app(self.app) as base_url:
            self.base_url = base_url
            try:
                yield base_url
            finally:
                for task in list(self._tasks):
                    task.cancel()
                await asyncio.gather(*self._tasks, return_exceptions=True)
                if self._webhook_client is not None:
                    await self._webhook_client.aclose()
                    self._webhook_client = None
