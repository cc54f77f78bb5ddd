"""Provider webhooks over real HTTP, with the signal checked on the real broker."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from pydantic import SecretStr

from reelforge.contracts import VIDEO_STATUS
from reelforge.runtime import callback_tokens as callback_token
from reelforge.runtime.testing import EventWaiter, for_job
from reelforge.webhook.adapters.deliveries import DeliveryLog
from reelforge.webhook.domain import heygen_signature
from reelforge.webhook.domain.heygen_signature import SIGNATURE_HEADER

RunningWebhook = Any

pytestmark = pytest.mark.integration

SCENE = {"avatar_id": "Amy", "voice_id": "Jenny", "script": "A four bedroom home."}


async def _job(client: httpx.AsyncClient, webhook: RunningWebhook) -> uuid.UUID:
    _, key = await webhook.tenant()
    response = await client.post(
        "/v1/videos", json={"scenes": [SCENE]}, headers={"authorization": f"Bearer {key}"}
    )
    assert response.status_code == 202, response.text
    return uuid.UUID(response.json()["job_id"])


async def test_a_signed_heygen_webhook_becomes_one_video_status_hint_after_kafkas_ack(
    webhook: RunningWebhook, client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    job_id = await _job(client, webhook)
    body = webhook.heygen_body(job_id)
    headers = webhook.heygen_headers(body, event_id="evt-dup-1")
    async with EventWaiter(kafka_bootstrap, VIDEO_STATUS) as statuses:
        first = await client.post("/webhooks/heygen", content=body, headers=headers)
        assert first.status_code == 200
        assert first.json()["outcome"] == "accepted"
        hint = await statuses.wait_for(for_job(job_id, source="webhook"), 30)
        assert hint["state"] == "rendered"
        assert hint["provider"] == "heygen"

        again = await client.post("/webhooks/heygen", content=body, headers=headers)
        assert again.status_code == 200
        assert again.json()["outcome"] == "duplicate"

        failed_body = webhook.heygen_body(job_id, "avatar_video.fail")
        marker = await client.post(
            "/webhooks/heygen", content=failed_body, headers=webhook.heygen_headers(failed_body)
        )
        assert marker.status_code == 200
        await statuses.wait_for(for_job(job_id, source="webhook", state="failed"), 30)
    from_webhook = [
        e for _, e in statuses.seen if e.get("job_id") == str(job_id) and e["source"] == "webhook"
    ]
    assert [e["state"] for e in from_webhook] == ["rendered", "failed"]


@pytest.mark.parametrize(
    ("case", "outcome"),
    [
        ("zeroed_signature", "bad_signature"),
        ("tampered_body", "bad_signature"),
        ("no_signature", "missing_signature"),
        ("six_minutes_old", "stale_timestamp"),
        ("wrong_secret", "bad_signature"),
    ],
)
async def test_unverifiable_deliveries_get_401(
    webhook: RunningWebhook, client: httpx.AsyncClient, case: str, outcome: str
) -> None:
    body = webhook.heygen_body(uuid.uuid4())
    headers = webhook.heygen_headers(body)
    if case == "zeroed_signature":
        headers[SIGNATURE_HEADER] = "0" * 64
    elif case == "tampered_body":
        body = body.replace(b"video.mp4", b"other.mp4")
    elif case == "no_signature":
        del headers[SIGNATURE_HEADER]
    else:
        old = case == "six_minutes_old"
        headers |= heygen_signature.signed_headers(
            body,
            webhook.heygen_secret if old else SecretStr("whsec_wrong"),
            event_id="evt",
            sent_at=datetime.now(UTC) - timedelta(minutes=6 if old else 0),
        )
    response = await client.post("/webhooks/heygen", content=body, headers=headers)
    assert response.status_code == 401
    assert response.json()["outcome"] == outcome


async def test_bad_input_gets_4xx_never_5xx(
    webhook: RunningWebhook, client: httpx.AsyncClient
) -> None:
    big = b'{"event_type": "avatar_video.success", "pad": "' + b"x" * (1024 * 1024) + b'"}'
    too_large = await client.post(
        "/webhooks/heygen", content=big, headers=webhook.heygen_headers(big)
    )
    assert too_large.status_code == 413

    not_json = b"{not json"
    malformed = await client.post(
        "/webhooks/heygen", content=not_json, headers=webhook.heygen_headers(not_json)
    )
    assert malformed.status_code == 400
    assert malformed.json()["outcome"] == "malformed"

    other = json.dumps({"event_type": "video_translate.success", "event_data": {}}).encode()
    ignored = await client.post(
        "/webhooks/heygen", content=other, headers=webhook.heygen_headers(other)
    )
    assert ignored.status_code == 200
    assert ignored.json()["outcome"] == "ignored"

    stranger = webhook.heygen_body(uuid.uuid4())
    unknown = await client.post(
        "/webhooks/heygen", content=stranger, headers=webhook.heygen_headers(stranger)
    )
    assert unknown.status_code == 404
    assert unknown.json()["outcome"] == "unknown_job"


async def test_unsigned_callbacks_need_the_jobs_token(
    webhook: RunningWebhook, client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    job_id = await _job(client, webhook)
    talk = json.dumps(
        {"id": "tlk_1", "status": "done", "result_url": "https://d-id.example/t.mp4"}
    ).encode()
    good = callback_token.callback_url(webhook.base_url, "did", job_id, webhook.token_secret)
    forged = f"{webhook.base_url}/webhooks/did?job_id={job_id}&token=forged"
    other_jobs_token = callback_token.derive(webhook.token_secret, "did", uuid.uuid4())
    wrong_job = f"{webhook.base_url}/webhooks/did?job_id={job_id}&token={other_jobs_token}"
    no_token = f"{webhook.base_url}/webhooks/did"
    for url in (forged, wrong_job, no_token):
        refused = await client.post(url, content=talk)
        assert refused.status_code == 401, url

    async with EventWaiter(kafka_bootstrap, VIDEO_STATUS) as statuses:
        accepted = await client.post(good, content=talk)
        assert accepted.status_code == 200
        hint = await statuses.wait_for(for_job(job_id, source="webhook"), 30)
    assert hint["provider"] == "did"
    assert hint["provider_video_id"] == "tlk_1"
    duplicate = await client.post(good, content=talk)
    assert duplicate.json()["outcome"] == "duplicate"


async def test_a_delivery_stays_a_duplicate_for_a_restarted_process(
    webhook: RunningWebhook, client: httpx.AsyncClient, database_url: str
) -> None:
    """The 2xx does not wait for the dedupe row; the row still lands, for the next process."""
    job_id = await _job(client, webhook)
    body = webhook.heygen_body(job_id)
    accepted = await client.post(
        "/webhooks/heygen", content=body, headers=webhook.heygen_headers(body, "evt-restart-1")
    )
    assert accepted.json()["outcome"] == "accepted"
    await webhook.service.deliveries.flush()

    pool = await asyncpg.create_pool(
        database_url, min_size=1, max_size=2, server_settings={"search_path": "webhook,public"}
    )
    fresh = DeliveryLog(lambda: pool)
    try:
        seen = await fresh.context("heygen", "evt-restart-1", job_id)
        unseen = await fresh.context("heygen", "evt-restart-2", job_id)
    finally:
        await fresh.stop()
        await pool.close()
    assert seen.duplicate
    assert not unseen.duplicate
    assert unseen.tenant_id is not None


async def test_a_streamed_body_over_the_cap_is_413_and_options_still_answers(
    webhook: RunningWebhook, client: httpx.AsyncClient
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 65536  # 1.25 MiB in all, no Content-Length (chunked)

    streamed = await client.post("/webhooks/heygen", content=chunks())
    assert streamed.status_code == 413
    assert streamed.json()["error"] == "too_large"
    preflight = await client.options("/webhooks/did")
    assert preflight.status_code == 200


async def test_every_webhook_is_counted_and_logged_without_secrets_and_keyed_by_job(
    webhook: RunningWebhook,
    client: httpx.AsyncClient,
    kafka_bootstrap: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job_id = await _job(client, webhook)
    body = webhook.heygen_body(job_id)
    headers = webhook.heygen_headers(body)
    token_url = callback_token.callback_url(
        webhook.base_url, "heygen", job_id, webhook.token_secret
    )
    token = token_url.split("token=")[1]
    with caplog.at_level(logging.INFO, logger="reelforge.webhook"):
        accepted = await client.post("/webhooks/heygen", content=body, headers=headers)
        forged = await client.post(
            "/webhooks/heygen", content=body, headers={**headers, SIGNATURE_HEADER: "0" * 64}
        )
        by_token = await client.post(token_url, content=webhook.heygen_body(job_id))
    assert [accepted.status_code, forged.status_code, by_token.status_code] == [200, 401, 200]

    logged = [r for r in caplog.records if r.getMessage() == "webhook received"]
    assert [(r.__dict__["outcome"], r.__dict__["status_code"]) for r in logged] == [
        ("accepted", 200),
        ("bad_signature", 401),
        ("accepted", 200),
    ]
    # The service's own records (this test's httpx client and the test server's access log, off
    # in production, log URLs on their own account).
    ours = [r for r in caplog.records if r.name not in ("httpx", "uvicorn.access")]
    everything = " ".join(f"{r.getMessage()} {r.__dict__}" for r in ours)
    for secret in (webhook.heygen_secret.get_secret_value(), headers[SIGNATURE_HEADER], token):
        assert secret not in everything
    for answer in (accepted, forged, by_token):
        assert webhook.heygen_secret.get_secret_value() not in answer.text
        assert token not in answer.text

    metrics = (await client.get("/metrics")).text
    counted = [
        'event_type="avatar_video.success",outcome="accepted",provider="heygen"',
        'event_type="unknown",outcome="bad_signature",provider="heygen"',  # body never read
    ]
    for labels in counted:
        assert f"reelforge_webhooks_received_total{{{labels}}}" in metrics

    async with EventWaiter(kafka_bootstrap, VIDEO_STATUS) as statuses:
        await statuses.wait_for(for_job(job_id, source="webhook"), 30)
    keys = await _keys_of(kafka_bootstrap, job_id)
    assert keys
    assert set(keys) == {str(job_id).encode()}


async def _keys_of(bootstrap: str, job_id: uuid.UUID) -> list[bytes | None]:
    """The message keys of every video.status event about `job_id`."""
    consumer = AIOKafkaConsumer(
        VIDEO_STATUS,
        bootstrap_servers=bootstrap,
        group_id=f"test-keys-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    keys: list[bytes | None] = []
    try:
        await consumer.getmany(timeout_ms=500)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(list(consumer.assignment()))
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            for records in (await consumer.getmany(timeout_ms=2000)).values():
                for record in records:
                    if json.loads(record.value or b"{}").get("job_id") == str(job_id):
                        keys.append(record.key)
    finally:
        await consumer.stop()
    return keys
