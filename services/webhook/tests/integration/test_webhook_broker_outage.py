"""Kafka down: the webhook gets 503 (the provider retries) and the retry lands once it is back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reelforge.contracts import VIDEO_STATUS
from reelforge.runtime.embedded import EmbeddedKafka, create_topics
from reelforge.runtime.testing import EventWaiter, for_job

pytestmark = pytest.mark.integration

RunningWebhook = Any


@pytest.fixture(scope="module")
def own_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedKafka]:
    kafka = EmbeddedKafka(log_path=tmp_path_factory.mktemp("outage") / "kafka.log").start()
    asyncio.run(create_topics(kafka.bootstrap_servers, 1))
    try:
        yield kafka
    finally:
        kafka.stop()


@pytest.fixture(scope="module")
async def outage_webhook(
    own_kafka: EmbeddedKafka, database_url: str, request: pytest.FixtureRequest
) -> AsyncIterator[RunningWebhook]:
    running_webhook = request.getfixturevalue("running_webhook_factory")
    async with running_webhook(
        own_kafka.bootstrap_servers, database_url, publish_timeout_s=2.0
    ) as running:
        yield running


async def test_a_webhook_is_refused_with_503_while_kafka_is_down_and_its_retry_lands_later(
    outage_webhook: RunningWebhook, own_kafka: EmbeddedKafka
) -> None:
    webhook = outage_webhook
    _, key = await webhook.tenant()
    async with httpx.AsyncClient(base_url=webhook.base_url, timeout=30) as client:
        submitted = await client.post(
            "/v1/videos",
            json={"scenes": [{"avatar_id": "a", "voice_id": "v", "script": "Hi."}]},
            headers={"authorization": f"Bearer {key}"},
        )
        job_id = uuid.UUID(submitted.json()["job_id"])
        body = webhook.heygen_body(job_id)
        headers = webhook.heygen_headers(body, event_id="evt-outage-1")

        own_kafka.stop()
        refused = await client.post("/webhooks/heygen", content=body, headers=headers)
        assert refused.status_code == 503
        assert refused.json()["outcome"] == "broker_unavailable"

        restarted = EmbeddedKafka(log_path=Path(own_kafka.log_path), port=own_kafka.port).start()
        own_kafka.process = restarted.process
        await create_topics(own_kafka.bootstrap_servers, 1)
        async with EventWaiter(own_kafka.bootstrap_servers, VIDEO_STATUS) as statuses:
            outcome = None
            async with asyncio.timeout(90):
                while outcome != "accepted":
                    retry = await client.post("/webhooks/heygen", content=body, headers=headers)
                    assert retry.status_code in (200, 503)
                    outcome = retry.json()["outcome"]
                    if outcome != "accepted":
                        await asyncio.sleep(1.0)  # the provider's retry interval
            hint = await statuses.wait_for(for_job(job_id, source="webhook"), 30)
    assert hint["state"] == "rendered"
