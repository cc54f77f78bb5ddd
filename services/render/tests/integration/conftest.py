"""The render service in-process on the real broker and a fresh PostgreSQL database per test,
with the fake providers as real HTTP servers and a stand-in for the webhook service."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reelforge.contracts import VIDEO_STATUS, JobState, StatusSource, VideoRequested, VideoStatus
from reelforge.render.bootstrap import bootstrap
from reelforge.render.config import RenderSettings
from reelforge.render.service_layer.dispatcher import Dispatcher
from reelforge.runtime import callback_tokens
from reelforge.runtime.db import create_database
from reelforge.runtime.testing import EventWaiter, publish
from tests.support.fake_providers import FakeDId, FakeHeyGen, serve_app
from tests.support.fake_providers import did as fake_did
from tests.support.fake_providers import heygen as fake_heygen

CALLBACK_SECRET = "test-callback-secret-0123456789abcdef"
HEYGEN_AVATAR, HEYGEN_VOICE = "Amy_public_look_1", "jenny_en_us"
DID_PRESENTERS = {"amy": fake_did.DEFAULT_PRESENTERS["amy"]}
SHARED_VOICE = {"voice_id": "en-US-JennyNeural", "name": "Jenny", "language": "English",
                "gender": "female"}  # fmt: skip
"""Known to both fakes, so that a job can fall back from HeyGen to D-ID."""


async def fresh_database(database_url: str) -> str:
    return await create_database(database_url, "render")


@pytest.fixture
async def render_dsn(database_url: str) -> str:
    return await fresh_database(database_url)


def fast_settings(kafka: str, dsn: str, media_dir: Path, **overrides: Any) -> RenderSettings:
    values: dict[str, Any] = {
        "http_port": 0,
        "kafka_bootstrap_servers": kafka,
        "database_url": dsn,
        "render_media_dir": media_dir,
        "render_provider_order": "heygen",
        "heygen_api_key": SecretStr(fake_heygen.API_KEY),
        "did_api_key": SecretStr(fake_did.API_KEY),
        "render_did_presenters": json.dumps(DID_PRESENTERS),
        "render_poll_initial_s": 0.1,
        "render_poll_factor": 1.5,
        "render_poll_max_s": 0.5,
        "render_poll_lease_s": 2.0,
        "render_submit_lease_s": 2.0,
        "render_dispatch_interval_s": 0.2,
        "render_retry_backoff_s": 0.05,
        "render_retry_backoff_max_s": 0.2,
        "render_circuit_reset_s": 0.5,
        "render_circuit_failure_threshold": 3,
        "render_provider_timeout_s": 2.0,
        "render_metrics_refresh_s": 0.2,
        "render_rate_limit_per_min": 60_000,
        "render_rate_burst": 50,
        "render_kafka_session_timeout_ms": 2000,
        **overrides,
    }
    return RenderSettings(**values)


@asynccontextmanager
async def running_render(settings: RenderSettings) -> AsyncIterator[Dispatcher]:
    app, _ = bootstrap(settings)
    async with app.router.lifespan_context(app):
        yield app.state.dispatcher


@pytest.fixture
async def heygen() -> AsyncIterator[FakeHeyGen]:
    fake = FakeHeyGen(completion_delay_s=0.1, voices=[*fake_heygen.DEFAULT_VOICES, SHARED_VOICE])
    async with fake.serve():
        yield fake


@pytest.fixture
async def did() -> AsyncIterator[FakeDId]:
    fake = FakeDId(completion_delay_s=0.1)
    async with fake.serve():
        yield fake


class WebhookStandIn:
    """Plays the webhook service: checks the per-job token of a provider callback and
    publishes the callback as a video.status signal with source=webhook."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self.base_url = ""
        self.accepted = 0
        self.rejected = 0

    async def handle(self, request: Request) -> Response:
        provider = request.path_params["provider"]
        job_id = uuid.UUID(request.query_params["job_id"])
        token = request.query_params.get("token", "")
        if not callback_tokens.is_valid([SecretStr(CALLBACK_SECRET)], provider, job_id, token):
            self.rejected += 1
            return Response(status_code=401)
        body = json.loads(await request.body())
        if provider == "heygen":
            failed = body["event_type"].endswith(".fail")
            video_id = body["event_data"]["video_id"]
        else:
            failed = body["status"] in ("error", "rejected")
            video_id = body["id"]
        signal = VideoStatus(
            job_id=job_id,
            tenant_id="acme",
            state=JobState.FAILED if failed else JobState.RENDERED,
            source=StatusSource.WEBHOOK,
            provider=provider,
            provider_video_id=video_id,
        )
        await publish(self.producer, VIDEO_STATUS, signal)
        self.accepted += 1
        return Response(status_code=204)


@pytest.fixture
async def webhook_stand_in(kafka_producer: AIOKafkaProducer) -> AsyncIterator[WebhookStandIn]:
    stand_in = WebhookStandIn(kafka_producer)
    app = Starlette(routes=[Route("/webhooks/{provider}", stand_in.handle, methods=["POST"])])
    async with serve_app(app) as base_url:
        stand_in.base_url = base_url
        yield stand_in


def video_request(avatar: str = HEYGEN_AVATAR, voice: str = HEYGEN_VOICE, **kw: Any):
    script = kw.pop("script", "Welcome to this four-bedroom home in Indian Wells.")
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        scenes=[{"avatar_id": avatar, "voice_id": voice, "script": script}],
        render=kw.pop("render", {"captions": False}),
        **kw,
    )


def is_final(event: dict[str, Any]) -> bool:
    return event.get("source") == "render" and event.get("state") in ("rendered", "failed")


async def wait_final(
    events: EventWaiter, job_ids: Iterable[uuid.UUID], timeout_s: float = 60.0
) -> dict[str, dict[str, Any]]:
    """The final (rendered or failed) status of every job, waiting for all of them."""
    pending = {str(j) for j in job_ids}
    found: dict[str, dict[str, Any]] = {}

    def match(topic: str, event: dict[str, Any]) -> bool:
        job = event.get("job_id")
        if topic == VIDEO_STATUS and job in pending and is_final(event):
            found[job] = event
            pending.discard(job)
        return not pending

    if pending:
        await events.wait_for(match, timeout_s)
    return found


def statuses_of(events: EventWaiter, job_id: uuid.UUID) -> list[dict[str, Any]]:
    return [
        e
        for t, e in events.seen
        if t == VIDEO_STATUS and e.get("job_id") == str(job_id) and e.get("source") == "render"
    ]


SettingsFactory = Callable[..., RenderSettings]


@pytest.fixture
def make_settings(kafka_bootstrap: str, render_dsn: str, tmp_path: Path) -> SettingsFactory:
    def make(**overrides: Any) -> RenderSettings:
        return fast_settings(kafka_bootstrap, render_dsn, tmp_path / "media", **overrides)

    return make


@pytest.fixture(scope="session")
async def status_events(kafka_bootstrap: str) -> AsyncIterator[EventWaiter]:
    """One reader of video.status for the whole session: joining a consumer group costs
    seconds, and every test's events carry fresh job ids anyway."""
    async with EventWaiter(kafka_bootstrap, VIDEO_STATUS) as events:
        yield events
