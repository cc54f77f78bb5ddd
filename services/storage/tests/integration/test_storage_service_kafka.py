"""The storage service in-process on the real broker and PostgreSQL: an authoritative `rendered`
`video.status` in, the video in the local backend and `video.ready` (or a failed `video.status`
and a dead letter) out. Sources are a real local HTTP server.

The service joins the `reelforge-storage` consumer group; no other storage service runs on the
session's broker while these tests do (the stacks of the e2e tests start later in the session).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import REGISTRY
from pydantic import SecretStr

from reelforge.contracts import (
    VIDEO_READY,
    VIDEO_STATUS,
    Cost,
    JobState,
    RenderedVideo,
    StatusSource,
    VideoStatus,
    dead_letter_topic,
)
from reelforge.runtime.testing import EventWaiter, for_job, publish
from reelforge.storage.adapters.local_media import media_app
from reelforge.storage.bootstrap import bootstrap
from reelforge.storage.config import StorageSettings

pytestmark = pytest.mark.integration

MIB = 1024 * 1024
SIGNING_KEY = "storage-service-test-signing-key-0123456789"
METADATA_ADDRESS = "169.254.169.254"
PROVIDER_SECRET = "provider-signature-must-not-leak"


class Service:
    def __init__(self, settings: StorageSettings, app: Any) -> None:
        self.settings = settings
        self.app = app
        self.root = settings.local_dir


@pytest.fixture(scope="module")
async def storage_service(
    kafka_bootstrap: str, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Service]:
    settings = StorageSettings(
        kafka_bootstrap_servers=kafka_bootstrap,
        database_url=database_url,
        http_port=0,
        handler_max_attempts=2,
        handler_retry_backoff_s=0.0,
        backend="local",
        local_dir=tmp_path_factory.mktemp("objects"),
        public_base_url="http://storage.test",
        signing_key=SecretStr(SIGNING_KEY),
        download_allowed_hosts={"local": ["127.0.0.1", METADATA_ADDRESS]},
        download_allow_http_hosts=["127.0.0.1", "localhost", METADATA_ADDRESS],
        download_allow_private_networks=["127.0.0.0/8"],
        download_max_redirects=2,
        max_download_bytes=MIB,
        download_max_attempts=2,
        download_retry_backoff_s=0.0,
        upload_part_bytes=5 * MIB,
    )
    app, _ = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield Service(settings, app)


def rendered(
    url: str, *, thumbnail_url: str | None = None, requested_at: datetime | None = None
) -> VideoStatus:
    return VideoStatus(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        correlation_id="order-42",
        state=JobState.RENDERED,
        progress=95,
        source=StatusSource.RENDER,
        provider="local",
        provider_video_id="local-123",
        rendered=RenderedVideo(
            url=url,
            thumbnail_url=thumbnail_url,
            cost=Cost(amount=0.5),
            metadata={"listing_id": "IW-4BR-001"},
            timings={"script": 1.5, "render": 20.0},
            requested_at=requested_at or datetime.now(UTC) - timedelta(seconds=30),
        ),
    )


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def job_files(service: Service, job_id: uuid.UUID) -> list[Path]:
    return sorted(p for p in service.root.rglob("*") if p.is_file() and str(job_id) in str(p))


async def asset_row(database_url: str, job_id: uuid.UUID) -> asyncpg.Record:
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow("SELECT * FROM storage.assets WHERE job_id = $1", job_id)
    finally:
        await conn.close()
    assert row is not None
    return row


def ready_for(job_id: uuid.UUID) -> Callable[[str, dict[str, Any]], bool]:
    return for_job(job_id, topic=VIDEO_READY)


def failed_for(job_id: uuid.UUID) -> Callable[[str, dict[str, Any]], bool]:
    return for_job(job_id, topic=VIDEO_STATUS, state="failed", source="storage")


def dead_letter_for(job_id: uuid.UUID) -> Callable[[str, dict[str, Any]], bool]:
    def match(topic: str, event: dict[str, Any]) -> bool:
        return topic == dead_letter_topic(VIDEO_STATUS) and event.get("job_id") == str(job_id)

    return match


async def test_a_redelivered_rendered_stores_one_asset_and_one_ready(
    storage_service: Service,
    module_source_server,
    route,
    sample_mp4: Path,
    kafka_bootstrap: str,
    kafka_producer: AIOKafkaProducer,
    database_url: str,
) -> None:
    body = sample_mp4.read_bytes()
    served = module_source_server.add("/renders/once.mp4", route(body=body))
    module_source_server.add("/renders/after.mp4", route(body=body))
    event = rendered(module_source_server.url("/renders/once.mp4"))
    after = rendered(module_source_server.url("/renders/after.mp4"))
    assets_before = metric("reelforge_storage_assets_total", backend="local")
    e2e_before = metric("reelforge_job_end_to_end_seconds_count")
    bytes_before = metric("reelforge_storage_bytes_total", backend="local")

    async with EventWaiter(kafka_bootstrap, VIDEO_READY, VIDEO_STATUS) as waiter:
        await publish(kafka_producer, VIDEO_STATUS, event)
        await publish(kafka_producer, VIDEO_STATUS, event)
        # Same Kafka key as the duplicates, so the same partition: handled after both of them.
        await kafka_producer.send_and_wait(
            VIDEO_STATUS, after.model_dump_json().encode(), key=event.key
        )
        ready = await waiter.wait_for(ready_for(event.job_id), timeout_s=90)
        await waiter.wait_for(ready_for(after.job_id), timeout_s=90)
        await waiter.wait_for(for_job(after.job_id, topic=VIDEO_STATUS, state="ready"))

    readies = [e for t, e in waiter.seen if ready_for(event.job_id)(t, e)]
    assert len(readies) == 1
    states = [
        e["state"]
        for t, e in waiter.seen
        if for_job(event.job_id, topic=VIDEO_STATUS, source="storage")(t, e)
    ]
    assert states == ["storing", "ready"]
    assert len(served.requests) == 1  # downloaded once
    names = [p.name for p in job_files(storage_service, event.job_id)]
    assert sorted(names) == ["metadata.json", "thumbnail.jpg", "video.mp4"]

    row = await asset_row(database_url, event.job_id)
    assert (row["state"], str(row["ready_event_id"])) == ("ready", ready["event_id"])
    asset = ready["asset"]
    now = datetime.now(UTC)
    assert asset["uri"].endswith(f"/acme/{now:%Y}/{now:%m}/{event.job_id}/video.mp4")
    assert asset["size_bytes"] == len(body) == row["size_bytes"]
    assert asset["sha256"] == hashlib.sha256(body).hexdigest()
    assert (asset["width"], asset["height"], asset["video_codec"]) == (320, 180, "h264")
    assert asset["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert ready["cost"]["amount"] == 0.5
    assert ready["metadata"] == {"listing_id": "IW-4BR-001"}
    assert ready["correlation_id"] == "order-42"
    assert ready["timings"]["render"] == 20.0
    assert 30 <= ready["timings"]["total"] < 120
    assert "storage" in ready["timings"]

    # The signed URL is served by the media route, with ranges.
    transport = httpx.ASGITransport(app=media_app(storage_service.root, [SecretStr(SIGNING_KEY)]))
    async with httpx.AsyncClient(transport=transport) as client:
        part = await client.get(asset["signed_url"], headers={"Range": "bytes=0-99"})
        assert (part.status_code, part.content) == (206, body[:100])
        thumbnail = await client.get(asset["thumbnail_url"])
        assert thumbnail.content[:3] == b"\xff\xd8\xff"

    # One asset per job in the metrics too (2 jobs: `event` and `after`).
    assert metric("reelforge_storage_assets_total", backend="local") - assets_before == 2
    assert metric("reelforge_job_end_to_end_seconds_count") - e2e_before == 2
    assert metric("reelforge_storage_bytes_total", backend="local") - bytes_before == 2 * len(body)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=storage_service.app), base_url="http://storage"
    ) as client:
        exposed = (await client.get("/metrics")).text
    for name in (
        "reelforge_storage_bytes_total",
        "reelforge_storage_transfer_seconds_bucket",
        "reelforge_storage_throughput_bytes_per_second_bucket",
        "reelforge_storage_failures_total",
        "reelforge_storage_assets_total",
        'reelforge_job_end_to_end_seconds_bucket{le="5.0"}',
        'reelforge_job_end_to_end_seconds_bucket{le="3600.0"}',
    ):
        assert name in exposed, name


async def test_a_broken_redirected_download_is_resumed_and_retried_with_one_event_id(
    storage_service: Service,
    module_source_server,
    route,
    sample_mp4: Path,
    kafka_bootstrap: str,
    kafka_producer: AIOKafkaProducer,
    database_url: str,
) -> None:
    body = sample_mp4.read_bytes()
    # Two hops of redirect (the limit), then a file that is cut half way once (resumed with
    # Range) after two 503s: the first handler attempt fails (2 download attempts), the
    # second one stores the video.
    flaky = module_source_server.add(
        "/renders/flaky.mp4",
        route(body=body, failures_before_success=2, cut_after=len(body) // 2, cuts=3),
    )
    module_source_server.add(
        "/renders/hop2", route(redirect_to=module_source_server.url("/renders/flaky.mp4"))
    )
    module_source_server.add("/renders/hop1", route(redirect_to="/renders/hop2"))
    # Requested in another month: the object keys are dated by the job, not by the transfer.
    event = rendered(
        module_source_server.url("/renders/hop1"),
        requested_at=datetime(2026, 1, 31, 23, 59, tzinfo=UTC),
    )

    async with EventWaiter(kafka_bootstrap, VIDEO_READY, VIDEO_STATUS) as waiter:
        await publish(kafka_producer, VIDEO_STATUS, event)
        ready = await waiter.wait_for(ready_for(event.job_id), timeout_s=90)

    assert ready["asset"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert ready["asset"]["size_bytes"] == len(body)
    assert ready["asset"]["uri"].endswith(f"/acme/2026/01/{event.job_id}/video.mp4")
    ranges = [r.get("range") for r in flaky.requests]
    assert ranges[:3] == [None, None, None]  # 503, 503, cut
    assert ranges[3] == f"bytes={len(body) // 2}-"  # resumed where it broke
    row = await asset_row(database_url, event.job_id)
    assert row["attempts"] == 2
    assert str(row["ready_event_id"]) == ready["event_id"]
    assert not [e for t, e in waiter.seen if failed_for(event.job_id)(t, e)]


REFUSALS = {
    "host_not_allowed": "download_host_not_allowed",
    "metadata_address": "download_address_refused",
    "redirect_to_file": "download_scheme_refused",
    "redirect_to_metadata": "download_address_refused",
    "too_many_redirects": "download_too_many_redirects",
    "declared_too_large": "download_too_large",
    "actually_too_large": "download_too_large",
}


def refused_source(case: str, server, route, make_bytes) -> str:
    """Set up the source for one refusal case; returns the URL the `rendered` event carries."""
    path = f"/refused/{case}"
    query = f"?Signature={PROVIDER_SECRET}"
    if case == "host_not_allowed":  # localhost is not on the `local` provider's list
        return server.url(path, host="localhost") + query
    if case == "metadata_address":  # allowed by name, refused by address (link-local)
        return f"http://{METADATA_ADDRESS}/latest/meta-data/{query}"
    if case == "redirect_to_file":
        server.add(path, route(redirect_to="file:///etc/passwd"))
    elif case == "redirect_to_metadata":
        server.add(path, route(redirect_to=f"http://{METADATA_ADDRESS}/latest/meta-data/"))
    elif case == "too_many_redirects":  # 3 hops, 2 allowed
        server.add(path, route(redirect_to=f"{path}/1"))
        server.add(f"{path}/1", route(redirect_to=f"{path}/2"))
        server.add(f"{path}/2", route(redirect_to=f"{path}/3"))
        server.add(f"{path}/3", route(body=b"never reached"))
    elif case == "declared_too_large":  # Content-Length over the 1 MiB cap
        server.add(path, route(body=make_bytes(MIB + 1)))
    elif case == "actually_too_large":  # no Content-Length; the bytes go over the cap
        server.add(path, route(body=make_bytes(2 * MIB), chunked=True))
    return server.url(path) + query


async def test_a_refused_download_fails_the_job_with_its_code_and_dead_letters_it(
    storage_service: Service,
    module_source_server,
    route,
    make_bytes,
    kafka_bootstrap: str,
    kafka_producer: AIOKafkaProducer,
) -> None:
    events = {
        case: rendered(refused_source(case, module_source_server, route, make_bytes))
        for case in REFUSALS
    }
    failures_before = {
        code: metric("reelforge_storage_failures_total", reason=code)
        for code in set(REFUSALS.values())
    }

    async with EventWaiter(
        kafka_bootstrap, VIDEO_STATUS, VIDEO_READY, dead_letter_topic(VIDEO_STATUS)
    ) as waiter:
        for event in events.values():
            await publish(kafka_producer, VIDEO_STATUS, event)
        outcomes = {
            case: (
                await waiter.wait_for(failed_for(event.job_id), timeout_s=90),
                await waiter.wait_for(dead_letter_for(event.job_id), timeout_s=90),
            )
            for case, event in events.items()
        }

    for case, (failed, letter) in outcomes.items():
        job_id = events[case].job_id
        error = failed["error"]
        assert (error["code"], error["stage"], error["retryable"]) == (
            REFUSALS[case],
            "storage",
            False,
        ), case
        assert PROVIDER_SECRET not in json.dumps(failed), case
        assert letter["original_topic"] == VIDEO_STATUS
        assert letter["original_key"] == str(job_id)
        assert letter["reason"] == "permanent_error"
        assert letter["attempts"] == 1, case  # refused at once, not retried
        assert job_files(storage_service, job_id) == [], case
        assert not [e for t, e in waiter.seen if ready_for(job_id)(t, e)], case
    for code, before in failures_before.items():
        expected = sum(1 for c in REFUSALS.values() if c == code)
        assert metric("reelforge_storage_failures_total", reason=code) == before + expected


async def test_a_source_that_keeps_failing_fails_the_job_after_retries_and_dead_letters_it(
    storage_service: Service,
    module_source_server,
    route,
    kafka_bootstrap: str,
    kafka_producer: AIOKafkaProducer,
    database_url: str,
) -> None:
    down = module_source_server.add("/renders/down.mp4", route(failures_before_success=100))
    event = rendered(module_source_server.url("/renders/down.mp4"))

    async with EventWaiter(
        kafka_bootstrap, VIDEO_STATUS, VIDEO_READY, dead_letter_topic(VIDEO_STATUS)
    ) as waiter:
        await publish(kafka_producer, VIDEO_STATUS, event)
        failed = await waiter.wait_for(failed_for(event.job_id), timeout_s=90)
        letter = await waiter.wait_for(dead_letter_for(event.job_id), timeout_s=90)

    error = failed["error"]
    assert (error["code"], error["stage"], error["retryable"]) == (
        "download_failed",
        "storage",
        True,
    )
    # HANDLER_MAX_ATTEMPTS (2) handler attempts x STORAGE_DOWNLOAD_MAX_ATTEMPTS (2) requests.
    assert len(down.requests) == 4
    assert letter["reason"] == "permanent_error"
    assert json.loads(letter["payload"])["job_id"] == str(event.job_id)
    row = await asset_row(database_url, event.job_id)
    assert (row["state"], row["error_code"], row["attempts"]) == ("failed", "download_failed", 2)
    assert not [e for t, e in waiter.seen if ready_for(event.job_id)(t, e)]
    assert job_files(storage_service, event.job_id) == []
