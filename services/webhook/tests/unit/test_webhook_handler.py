"""The webhook use case with in-memory ports: which answer each situation gets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from pydantic import SecretStr

from reelforge.contracts import Event, VideoStatus
from reelforge.runtime import callback_tokens as callback_token
from reelforge.webhook.adapters.batching import NaturalBatcher
from reelforge.webhook.adapters.deliveries import DeliveryContext
from reelforge.webhook.adapters.publisher import BrokerUnavailableError
from reelforge.webhook.domain import heygen_signature
from reelforge.webhook.domain.webhook_mapping import Provider
from reelforge.webhook.service_layer.webhooks import WebhookHandler, WebhookPolicy

pytestmark = pytest.mark.unit

SECRET = SecretStr("whsec_unit")
TOKEN = SecretStr("token-secret")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
JOB = UUID("5a0f8a4e-2d0c-4c1d-9a57-3c7b8a1d2e3f")


class Ports:
    def __init__(self, tenant: str | None = "acme", broker_up: bool = True) -> None:
        self.tenant = tenant
        self.broker_up = broker_up
        self.recorded: set[tuple[str, str]] = set()
        self.published: list[VideoStatus] = []

    async def lookup(self, provider: str, delivery: str, job: UUID) -> DeliveryContext:
        return DeliveryContext(self.tenant, (provider, delivery) in self.recorded)

    async def record(self, provider: str, delivery: str, job: UUID, event: UUID) -> None:
        self.recorded.add((provider, delivery))

    async def publish(self, topic: str, event: Event) -> None:
        if not self.broker_up:
            raise BrokerUnavailableError("down")
        assert isinstance(event, VideoStatus)
        self.published.append(event)


def _handler(ports: Ports) -> WebhookHandler:
    return WebhookHandler(
        WebhookPolicy([SECRET], [TOKEN], timedelta(minutes=5)),
        ports.lookup,
        ports.record,
        ports.publish,
        lambda: NOW,
    )


def _body(job: UUID = JOB, event_type: str = "avatar_video.success") -> bytes:
    data = {"video_id": "v1", "callback_id": str(job), "url": "https://files.heygen.ai/v.mp4"}
    return json.dumps({"event_type": event_type, "event_data": data}).encode()


def _signed(body: bytes, event_id: str = "evt_1") -> dict[str, str]:
    return heygen_signature.signed_headers(body, SECRET, event_id=event_id, sent_at=NOW)


async def test_accepted_once_then_duplicate_without_a_second_event() -> None:
    ports = Ports()
    handler = _handler(ports)
    body = _body()
    first = await handler.handle(Provider.HEYGEN, _signed(body), {}, body)
    again = await handler.handle(Provider.HEYGEN, _signed(body), {}, body)
    assert (first.status_code, first.outcome) == (200, "accepted")
    assert (again.status_code, again.outcome) == (200, "duplicate")
    assert len(ports.published) == 1
    assert ports.published[0].tenant_id == "acme"


async def test_broker_down_answers_503_and_records_nothing_so_the_retry_is_processed() -> None:
    ports = Ports(broker_up=False)
    handler = _handler(ports)
    body = _body()
    refused = await handler.handle(Provider.HEYGEN, _signed(body), {}, body)
    assert (refused.status_code, refused.outcome) == (503, "broker_unavailable")
    ports.broker_up = True
    retried = await handler.handle(Provider.HEYGEN, _signed(body), {}, body)
    assert retried.outcome == "accepted"
    assert len(ports.published) == 1


async def test_a_job_this_service_does_not_know_is_404() -> None:
    body = _body()
    result = await _handler(Ports(tenant=None)).handle(Provider.HEYGEN, _signed(body), {}, body)
    assert (result.status_code, result.outcome) == (404, "unknown_job")


async def test_a_token_url_for_one_job_cannot_speak_for_another() -> None:
    other = uuid4()
    body = _body(job=other)
    query = {"job_id": str(JOB), "token": callback_token.derive(TOKEN, "heygen", JOB)}
    result = await _handler(Ports()).handle(Provider.HEYGEN, {}, query, body)
    assert (result.status_code, result.outcome) == (400, "job_mismatch")


async def test_a_database_outage_is_503_not_an_error_page() -> None:
    ports = Ports()

    async def broken(provider: str, delivery: str, job: UUID) -> DeliveryContext:
        raise ConnectionError("database down")

    handler = WebhookHandler(
        WebhookPolicy([SECRET], [TOKEN], timedelta(minutes=5)),
        broken,
        ports.record,
        ports.publish,
        lambda: NOW,
    )
    body = _body()
    result = await handler.handle(Provider.HEYGEN, _signed(body), {}, body)
    assert (result.status_code, result.outcome) == (503, "database_unavailable")


async def test_the_natural_batcher_serves_concurrent_callers_in_few_batches() -> None:
    sizes: list[int] = []

    async def double(items: Sequence[int]) -> list[int]:
        sizes.append(len(items))
        await asyncio.sleep(0)
        return [2 * item for item in items]

    batcher: NaturalBatcher[int, int] = NaturalBatcher(double)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(100)))
    await batcher.stop()
    assert results == [2 * n for n in range(100)]
    assert len(sizes) < 10
