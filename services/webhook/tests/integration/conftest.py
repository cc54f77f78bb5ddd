"""The webhook service, running in-process under uvicorn on the real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
from pydantic import SecretStr

from reelforge.runtime.embedded import free_port
from reelforge.webhook.adapters import tenants
from reelforge.webhook.bootstrap import WebhookService, bootstrap
from reelforge.webhook.config import WebhookSettings
from reelforge.webhook.domain import heygen_signature, tenant_keys

HEYGEN_SECRET = "whsec_integration_heygen_secret"
TOKEN_SECRET = "integration-token-secret"
MASTER_SECRET = "integration-master-secret"


def fast_retries(attempts: int, first: datetime, now: datetime) -> datetime | None:
    """Callback retries every 100 ms, three attempts at most (the real schedule spans a day)."""
    return None if attempts >= 3 else now + timedelta(milliseconds=100)


@dataclass
class RunningWebhook:
    service: WebhookService
    base_url: str
    database_url: str
    settings: WebhookSettings

    async def tenant(self) -> tuple[str, str]:
        """A new tenant and its API key."""
        tenant_id = f"t{uuid.uuid4().hex[:10]}"
        issued = tenant_keys.generate()
        conn = await asyncpg.connect(self.database_url)
        try:
            await conn.execute('SET search_path TO "webhook", public')
            await tenants.create_tenant(conn, tenant_id, f"tenant {tenant_id}")
            await tenants.add_key(conn, tenant_id, issued)
        finally:
            await conn.close()
        return tenant_id, issued.plaintext.get_secret_value()

    def heygen_headers(self, body: bytes, event_id: str | None = None) -> dict[str, str]:
        headers = heygen_signature.signed_headers(
            body,
            SecretStr(HEYGEN_SECRET),
            event_id=event_id or f"evt_{uuid.uuid4().hex}",
            sent_at=datetime.now(UTC),
        )
        return {**headers, "content-type": "application/json"}

    heygen_secret = SecretStr(HEYGEN_SECRET)
    token_secret = SecretStr(TOKEN_SECRET)

    @staticmethod
    def heygen_body(job_id: uuid.UUID | str, event_type: str = "avatar_video.success") -> bytes:
        return heygen_body(job_id, event_type)


def heygen_body(job_id: uuid.UUID | str, event_type: str = "avatar_video.success") -> bytes:
    data: dict[str, Any] = {"video_id": f"v_{uuid.uuid4().hex[:8]}", "callback_id": str(job_id)}
    if event_type == "avatar_video.success":
        data["url"] = "https://files.heygen.ai/video.mp4"
    else:
        data["msg"] = "render failed"
    return json.dumps({"event_type": event_type, "event_data": data}).encode()


async def serve_in_process(app: Any, port: int) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    async with asyncio.timeout(60):
        while not server.started:
            if task.done():
                task.result()
            await asyncio.sleep(0.05)
    return server, task


@contextlib.asynccontextmanager
async def running_webhook(
    kafka_bootstrap: str,
    database_url: str,
    *,
    schedule: Callable[[int, datetime, datetime], datetime | None] = fast_retries,
    publish_timeout_s: float = 5.0,
) -> AsyncIterator[RunningWebhook]:
    port = free_port()
    settings = WebhookSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        http_port=port,
        webhook_public_base_url=f"http://127.0.0.1:{port}",
        webhook_heygen_secrets=SecretStr(HEYGEN_SECRET),
        webhook_callback_token_secret=SecretStr(TOKEN_SECRET),
        webhook_signing_master_secret=SecretStr(MASTER_SECRET),
        webhook_allow_insecure_callbacks=True,
        webhook_publish_timeout_s=publish_timeout_s,
    )
    service = bootstrap(settings, callback_retry_schedule=schedule)
    server, task = await serve_in_process(service.app, port)
    try:
        yield RunningWebhook(service, f"http://127.0.0.1:{port}", database_url, settings)
    finally:
        server.should_exit = True
        await task


@pytest.fixture(scope="session")
def running_webhook_factory() -> Callable[..., Any]:
    """`running_webhook` for modules that bring their own broker or settings."""
    return running_webhook


@pytest.fixture(scope="module")
async def webhook(kafka_bootstrap: str, database_url: str) -> AsyncIterator[RunningWebhook]:
    async with running_webhook(kafka_bootstrap, database_url) as running:
        yield running


@pytest.fixture
async def client(webhook: RunningWebhook) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=webhook.base_url, timeout=30) as http:
        yield http
