"""The submission API and the job view, on the real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reelforge.contracts import (
    SCRIPT_REQUESTED,
    VIDEO_READY,
    VIDEO_REQUESTED,
    VIDEO_STATUS,
    Asset,
    ErrorInfo,
    JobState,
    RenderedVideo,
    Stage,
    StatusSource,
    VideoReady,
    VideoStatus,
)
from reelforge.runtime.embedded import free_port
from reelforge.runtime.testing import EventWaiter, for_job, publish
from reelforge.webhook.domain import standard_webhooks

pytestmark = pytest.mark.integration

RunningWebhook = Any
SCENE = {"avatar_id": "Amy", "voice_id": "Jenny", "script": "A four bedroom home with a pool."}


def _auth(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


async def _sse(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    event = "message"
    async for line in response.aiter_lines():
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            yield event, json.loads(line.removeprefix("data:").strip())
            event = "message"


def _status(job_id: uuid.UUID, tenant: str, state: JobState, **fields: Any) -> VideoStatus:
    if state is JobState.RENDERED:
        fields.setdefault("rendered", RenderedVideo(url="https://files.example.com/v.mp4"))
    return VideoStatus(
        job_id=job_id, tenant_id=tenant, state=state, source=StatusSource.RENDER, **fields
    )


def _ready(job_id: uuid.UUID, tenant: str) -> VideoReady:
    asset = Asset(
        uri=f"file:///objects/{job_id}.mp4",
        signed_url=f"http://127.0.0.1:9/objects/{job_id}.mp4?sig=x",
        signed_url_expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        size_bytes=4096,
        sha256="b" * 64,
        duration_s=12.5,
        width=1280,
        height=720,
        thumbnail_uri=f"file:///objects/{job_id}.jpg",
    )
    return VideoReady(job_id=job_id, tenant_id=tenant, asset=asset, provider="local")


async def test_a_submission_is_accepted_once_per_idempotency_key_and_reaches_kafka(
    webhook: RunningWebhook, client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    _, key = await webhook.tenant()
    headers = {**_auth(key), "idempotency-key": f"order-{uuid.uuid4()}"}
    body = {"script": "Hello there.", "avatar_id": "Amy", "voice_id": "Jenny"}
    async with EventWaiter(kafka_bootstrap, VIDEO_REQUESTED) as requested:
        first = await client.post("/v1/videos", json=body, headers=headers)
        assert first.status_code == 202
        job_id = first.json()["job_id"]
        assert first.headers["location"] == f"/v1/videos/{job_id}"
        event = await requested.wait_for(for_job(job_id), 30)
    assert event["scenes"][0]["script"] == "Hello there."
    assert event["script"]["writer"] == "client"

    replay = await client.post("/v1/videos", json=body, headers=headers)
    assert replay.status_code == 202
    assert replay.json() | {"replayed": True} == replay.json()
    assert replay.json()["job_id"] == job_id
    reused = await client.post(
        "/v1/videos", json={**body, "script": "Something else."}, headers=headers
    )
    assert reused.status_code == 409
    assert reused.json()["error"] == "idempotency_key_reused"


async def test_a_script_submission_becomes_script_requested(
    webhook: RunningWebhook, client: httpx.AsyncClient, kafka_bootstrap: str
) -> None:
    tenant, key = await webhook.tenant()
    body = {
        "topic": "A 4-bedroom home in Brisbane",
        "key_points": ["pool", "near schools"],
        "target_seconds": 30,
        "video_type": "property_listing",
        "avatar_id": "Amy",
        "voice_id": "Jenny",
    }
    async with EventWaiter(kafka_bootstrap, SCRIPT_REQUESTED) as requested:
        response = await client.post("/v1/scripts", json=body, headers=_auth(key))
        assert response.status_code == 202
        event = await requested.wait_for(for_job(response.json()["job_id"]), 30)
    assert event["tenant_id"] == tenant
    assert event["key_points"] == ["pool", "near schools"]


async def test_bad_submissions_are_refused_naming_the_field(
    webhook: RunningWebhook, client: httpx.AsyncClient
) -> None:
    _, key = await webhook.tenant()
    unauthenticated = await client.post("/v1/videos", json={"scenes": [SCENE]})
    assert unauthenticated.status_code == 401
    forged = await client.post(
        "/v1/videos", json={"scenes": [SCENE]}, headers=_auth("rf_live_AAAAAAAA_" + "x" * 43)
    )
    assert forged.status_code == 401
    invalid = await client.post(
        "/v1/videos",
        json={"scenes": [{**SCENE, "voice_speed": 9}], "colour": "red"},
        headers=_auth(key),
    )
    assert invalid.status_code == 422
    fields = {p["field"] for p in invalid.json()["problems"]}
    assert fields == {"scenes.0.voice_speed", "colour"}
    not_json = await client.post("/v1/videos", content=b"{oops", headers=_auth(key))
    assert not_json.status_code == 400
    private_callback = await client.post(
        "/v1/videos",
        json={"scenes": [SCENE], "callback_url": "ftp://example.com/x"},
        headers=_auth(key),
    )
    assert private_callback.status_code == 422
    assert private_callback.json()["problems"][0]["field"] == "callback_url"


async def test_a_tenant_sees_only_its_own_jobs_newest_first_page_by_page(
    webhook: RunningWebhook, client: httpx.AsyncClient
) -> None:
    _, key_a = await webhook.tenant()
    _, key_b = await webhook.tenant()
    created = []
    for n in range(5):
        response = await client.post(
            "/v1/videos", json={"scenes": [{**SCENE, "script": f"Home {n}."}]}, headers=_auth(key_a)
        )
        created.append(response.json()["job_id"])
    other = await client.post("/v1/videos", json={"scenes": [SCENE]}, headers=_auth(key_b))

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/videos", params=params, headers=_auth(key_a))).json()
        seen.extend(item["job_id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(created))
    assert pages == 3

    foreign = await client.get(f"/v1/videos/{other.json()['job_id']}", headers=_auth(key_a))
    assert foreign.status_code == 404
    own = await client.get(f"/v1/videos/{created[0]}", headers=_auth(key_a))
    assert own.status_code == 200
    assert own.json()["state"] == "accepted"
    bad_query = await client.get(
        "/v1/videos", params={"limit": "0", "state": "done"}, headers=_auth(key_a)
    )
    assert bad_query.status_code == 400
    assert {p["field"] for p in bad_query.json()["problems"]} == {"limit", "state"}
    filtered = await client.get("/v1/videos", params={"state": "ready"}, headers=_auth(key_a))
    assert filtered.json()["items"] == []


async def test_sse_streams_every_status_of_a_job_until_ready_and_the_view_holds_the_asset(
    webhook: RunningWebhook, client: httpx.AsyncClient, kafka_producer: AIOKafkaProducer
) -> None:
    tenant, key = await webhook.tenant()
    submitted = await client.post("/v1/videos", json={"scenes": [SCENE]}, headers=_auth(key))
    job_id = uuid.UUID(submitted.json()["job_id"])
    progression = [
        _status(job_id, tenant, JobState.QUEUED),
        _status(job_id, tenant, JobState.SUBMITTED, provider="local", provider_video_id="r1"),
        _status(job_id, tenant, JobState.RENDERING, progress=50),
        _status(job_id, tenant, JobState.RENDERED, progress=80),
    ]
    states: list[str] = []
    async with client.stream("GET", f"/v1/videos/{job_id}/events", headers=_auth(key)) as stream:
        assert stream.status_code == 200
        events = _sse(stream)
        kind, first = await anext(events)
        assert (kind, first["state"]) == ("status", "accepted")
        for status in progression:
            await publish(kafka_producer, VIDEO_STATUS, status)
        async with asyncio.timeout(60):
            async for kind, data in events:
                if kind == "end":
                    break
                states.append(data["state"])
                if data["state"] == "rendered":
                    await publish(kafka_producer, VIDEO_READY, _ready(job_id, tenant))
    assert states[-1] == "ready"
    assert states == sorted(set(states), key=states.index)
    assert set(states) <= {"queued", "submitted", "rendering", "rendered", "ready"}
    view = (await client.get(f"/v1/videos/{job_id}", headers=_auth(key))).json()
    assert view["state"] == "ready"
    assert view["progress"] == 100
    assert view["asset"]["size_bytes"] == 4096
    assert [h["state"] for h in view["history"]] == [
        "accepted",
        "queued",
        "submitted",
        "rendering",
        "rendered",
        "ready",
    ]


async def test_a_failed_job_is_called_back_signed_and_every_attempt_is_recorded(
    webhook: RunningWebhook, client: httpx.AsyncClient, kafka_producer: AIOKafkaProducer
) -> None:
    received: list[tuple[bytes, dict[str, str]]] = []
    delivered = asyncio.Event()

    async def upstream(request: Request) -> Response:
        received.append((await request.body(), dict(request.headers)))
        if len(received) == 1:
            return Response(status_code=500)
        delivered.set()
        return Response(status_code=204)

    import uvicorn

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/hook", upstream, methods=["POST"])]),
            port=port,
            log_config=None,
        )
    )
    serving = asyncio.create_task(server.serve())
    try:
        tenant, key = await webhook.tenant()
        submitted = await client.post(
            "/v1/videos",
            json={"scenes": [SCENE], "callback_url": f"http://127.0.0.1:{port}/hook"},
            headers=_auth(key),
        )
        job_id = uuid.UUID(submitted.json()["job_id"])
        failure = ErrorInfo(code="avatar_not_found", message="no avatar Amy", stage=Stage.RENDER)
        await publish(
            kafka_producer, VIDEO_STATUS, _status(job_id, tenant, JobState.FAILED, error=failure)
        )
        await asyncio.wait_for(delivered.wait(), 60)
    finally:
        server.should_exit = True
        await serving
    body, headers = received[-1]
    secret = standard_webhooks.derive_tenant_secret(webhook.settings.signing_master, tenant)
    payload = Webhook(secret.get_secret_value()).verify(body, headers)
    assert payload["type"] == "video.failed"
    assert payload["data"]["job_id"] == str(job_id)
    assert payload["data"]["error"]["code"] == "avatar_not_found"
    assert received[0][1]["webhook-id"] == headers["webhook-id"]
    conn_rows = await _attempts(webhook, job_id)
    assert [(r["attempt"], r["status_code"]) for r in conn_rows] == [(1, 500), (2, 204)]
    assert conn_rows[-1]["status"] == "delivered"


async def _attempts(webhook: RunningWebhook, job_id: uuid.UUID) -> list[dict[str, Any]]:
    import asyncpg

    from reelforge.webhook.adapters import callbacks

    pool = await asyncpg.create_pool(
        webhook.database_url, min_size=1, max_size=1, server_settings={"search_path": "webhook"}
    )
    try:
        async with asyncio.timeout(30):
            while True:
                rows = await callbacks.attempts_of(pool, job_id)
                if rows and rows[-1]["status"] == "delivered":
                    return rows
                await asyncio.sleep(0.1)
    finally:
        await pool.close()


async def test_the_openapi_document_describes_the_api(
    client: httpx.AsyncClient, webhook: RunningWebhook
) -> None:
    document = (await client.get("/docs")).json()
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": webhook.settings.webhook_public_base_url}]
    assert {"/v1/videos", "/v1/scripts", "/v1/videos/{job_id}", "/webhooks/heygen"} <= set(
        document["paths"]
    )
    assert "CreateVideoRequest" in document["components"]["schemas"]
