"""Each provider adapter against its fake provider, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from reelforge.contracts import VideoRequested
from reelforge.render.adapters.providers import DIdConfig, DIdProvider, HeyGenConfig, HeyGenProvider
from reelforge.render.domain.provider import (
    InsufficientCreditError,
    ProviderAuthError,
    ProviderJob,
    ProviderRateLimitedError,
    ProviderTimeoutError,
    ProviderUnavailableError,
    ProviderUrlExpiredError,
    ProviderVideoNotFoundError,
    RenderState,
    UnknownAvatarError,
    UnknownVoiceError,
)
from reelforge.runtime.resilience import CircuitBreaker, CircuitOpenError, CircuitState
from tests.support.fake_providers import FakeDId, FakeHeyGen, serve_app
from tests.support.fake_providers import did as fake_did
from tests.support.fake_providers import heygen as fake_heygen

pytestmark = pytest.mark.integration

WEBHOOK_SECRET = "whsec_test_secret"


def video_request(avatar: str = "Amy_public_look_1", voice: str = "jenny_en_us", **kw: Any):
    script = kw.pop("script", "Hi, I'm Joseph with eXp Realty. Let me show you this home.")
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        scenes=[{"avatar_id": avatar, "voice_id": voice, "script": script}],
        **kw,
    )


@dataclass
class Receiver:
    """Records the webhooks a fake provider delivers."""

    base_url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        self.arrived.set()
        return Response(status_code=204)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()
    app = Starlette(routes=[Route("/hooks/{provider}", rec.handle, methods=["POST"])])
    async with serve_app(app) as base_url:
        rec.base_url = base_url
        yield rec


@pytest.fixture
async def fake_heygen_server() -> AsyncIterator[FakeHeyGen]:
    fake = FakeHeyGen(
        completion_delay_s=0.15, max_concurrent_renders=3, webhook_secret=WEBHOOK_SECRET
    )
    async with fake.serve():
        yield fake


def heygen_provider(fake: FakeHeyGen, **overrides: Any) -> HeyGenProvider:
    settings: dict[str, Any] = {
        "api_key": SecretStr(fake_heygen.API_KEY),
        "base_url": fake.base_url,
        "timeout_s": 2.0,
        **overrides,
    }
    return HeyGenProvider(HeyGenConfig(**settings))


@pytest.fixture
async def heygen_client(fake_heygen_server: FakeHeyGen) -> AsyncIterator[HeyGenProvider]:
    provider = heygen_provider(fake_heygen_server)
    yield provider
    await provider.aclose()


def metric(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- HeyGen --------------------------------------------------------------------------------


async def test_heygen_job_from_submit_to_signed_webhook_to_completed_status(
    fake_heygen_server: FakeHeyGen, heygen_client: HeyGenProvider, receiver: Receiver
):
    job = ProviderJob(
        video_request(render={"captions": True}),
        callback_url=f"{receiver.base_url}/hooks/heygen?token=per-job-token",
    )
    submission = await heygen_client.submit(job)
    assert submission.provider == "heygen"
    first = await heygen_client.get_status(submission.provider_video_id)
    assert first.state in (RenderState.PENDING, RenderState.PROCESSING)

    await asyncio.wait_for(receiver.arrived.wait(), 5)
    headers, body = receiver.received[0]
    expected = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(
        headers[heygen_client.webhook_verification.signature_header.lower()], expected
    )
    event = json.loads(body)
    assert event["event_type"] == "avatar_video.success"
    assert event["event_data"]["callback_id"] == str(job.job_id)
    assert event["event_data"]["video_id"] == submission.provider_video_id

    status = await heygen_client.get_status(submission.provider_video_id)
    assert status.state is RenderState.COMPLETED
    assert status.url_expires_at is not None
    async with httpx.AsyncClient() as client:
        video = await client.get(status.url_for(captions=True) or "")
        partial = await client.get(status.video_url or "", headers={"Range": "bytes=0-99"})
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert video.content[4:8] == b"ftyp"
    assert partial.status_code == 206
    assert len(partial.content) == 100
    sent = fake_heygen_server.renders[submission.provider_video_id].body
    assert sent["callback_id"] == str(job.job_id)
    assert sent["caption"] == {"file_format": "srt"}


async def test_heygen_failed_render_is_reported_with_a_stable_code(
    fake_heygen_server: FakeHeyGen, heygen_client: HeyGenProvider
):
    submission = await heygen_client.submit(
        ProviderJob(video_request(script="This one will RENDER_FAIL at the provider."))
    )
    await fake_heygen_server.wait_finished(submission.provider_video_id)
    status = await heygen_client.get_status(submission.provider_video_id)
    assert status.state is RenderState.FAILED
    assert status.failure is not None
    assert status.failure.code == "provider_render_failed"


async def test_heygen_idempotency_key_replay_means_one_submission(
    fake_heygen_server: FakeHeyGen, heygen_client: HeyGenProvider
):
    job = ProviderJob(video_request())
    first = await heygen_client.submit(job)
    again = await heygen_client.submit(job)
    assert again.provider_video_id == first.provider_video_id
    assert fake_heygen_server.submissions == 1
    assert fake_heygen_server.replays == 1
    rerender = await heygen_client.submit(ProviderJob(job.request, attempt=2))
    assert rerender.provider_video_id != first.provider_video_id
    assert fake_heygen_server.submissions_for(str(job.job_id)) == 2


async def test_heygen_lists_avatars_and_voices_across_pages():
    voices = [
        {"voice_id": f"v{n}", "name": f"Voice {n}", "language": "English", "gender": "female"}
        for n in range(230)
    ]
    fake = FakeHeyGen(voices=voices)
    async with fake.serve():
        provider = heygen_provider(fake)
        try:
            listed = await provider.list_voices()
            avatars = await provider.list_avatars()
        finally:
            await provider.aclose()
    assert [v.id for v in listed] == [f"v{n}" for n in range(230)]
    assert fake.requests["voices"] == 3
    assert {a.id for a in avatars} == {a["id"] for a in fake_heygen.DEFAULT_AVATARS}
    maya = next(a for a in avatars if a.name == "Maya")
    assert maya.kind == "photo_avatar"
    assert maya.default_voice_id == "aria_en_us"


async def test_heygen_429_with_retry_after(
    fake_heygen_server: FakeHeyGen, heygen_client: HeyGenProvider
):
    fake_heygen_server.faults.rate_limit(retry_after="7", operations={"submit"})
    with pytest.raises(ProviderRateLimitedError) as info:
        await heygen_client.submit(ProviderJob(video_request()))
    assert info.value.retryable
    assert info.value.retry_after_s == 7.0
    assert fake_heygen_server.submissions == 0
    assert (await heygen_client.submit(ProviderJob(video_request()))).provider_video_id


async def test_heygen_http_200_with_error_body_is_an_error(
    fake_heygen_server: FakeHeyGen, heygen_client: HeyGenProvider
):
    fake_heygen_server.faults.error_in_200(code="internal_error", operations={"status"})
    fake_heygen_server.faults.error_in_200(
        code="insufficient_credit", message="Your account has 0 credits", operations={"submit"}
    )
    with pytest.raises(InsufficientCreditError) as info:
        await heygen_client.submit(ProviderJob(video_request()))
    assert (info.value.code, info.value.retryable) == ("insufficient_credit", False)
    assert "0 credits" in str(info.value)
    submission = await heygen_client.submit(ProviderJob(video_request()))
    with pytest.raises(ProviderUnavailableError):
        await heygen_client.get_status(submission.provider_video_id)


async def test_heygen_unknown_avatar_and_voice_fail_permanently(
    fake_heygen_server: FakeHeyGen, heygen_client: HeyGenProvider
):
    before = metric(
        "reelforge_provider_errors_total", {"provider": "heygen", "error_class": "unknown_avatar"}
    )
    with pytest.raises(UnknownAvatarError) as info:
        await heygen_client.submit(ProviderJob(video_request(avatar="Ghost_look")))
    assert not info.value.retryable
    assert "Ghost_look" in str(info.value)
    with pytest.raises(UnknownVoiceError):
        await heygen_client.submit(ProviderJob(video_request(voice="no_such_voice")))
    assert fake_heygen_server.submissions == 0
    after = metric(
        "reelforge_provider_errors_total", {"provider": "heygen", "error_class": "unknown_avatar"}
    )
    assert after == before + 1


async def test_heygen_bad_api_key(fake_heygen_server: FakeHeyGen):
    provider = heygen_provider(fake_heygen_server, api_key=SecretStr("wrong-key-123"))
    try:
        with pytest.raises(ProviderAuthError) as info:
            await provider.submit(ProviderJob(video_request()))
        with pytest.raises(ProviderAuthError):
            await provider.list_voices()
    finally:
        await provider.aclose()
    assert info.value.code == "provider_auth_failed"
    assert "wrong-key-123" not in str(info.value)


async def test_heygen_timeout_is_retryable(fake_heygen_server: FakeHeyGen):
    fake_heygen_server.faults.slow(0.4, operations={"status"})
    provider = heygen_provider(fake_heygen_server, timeout_s=0.1)
    before = metric(
        "reelforge_provider_request_duration_seconds_count",
        {"provider": "heygen", "operation": "get_status"},
    )
    try:
        with pytest.raises(ProviderTimeoutError) as info:
            await provider.get_status("v_anything")
    finally:
        await provider.aclose()
    assert (info.value.code, info.value.retryable) == ("provider_timeout", True)
    after = metric(
        "reelforge_provider_request_duration_seconds_count",
        {"provider": "heygen", "operation": "get_status"},
    )
    assert after == before + 1


async def test_heygen_connection_refused_is_retryable():
    provider = HeyGenProvider(
        HeyGenConfig(api_key=SecretStr("k"), base_url="http://127.0.0.1:9", timeout_s=1)
    )
    try:
        with pytest.raises(ProviderUnavailableError):
            await provider.list_avatars()
    finally:
        await provider.aclose()


async def test_heygen_unknown_video_and_expired_urls_are_retryable(fake_heygen_server: FakeHeyGen):
    short_lived = FakeHeyGen(completion_delay_s=0.05, url_ttl_s=60)
    async with short_lived.serve():
        provider = heygen_provider(short_lived)
        try:
            with pytest.raises(ProviderVideoNotFoundError):
                await provider.get_status("v_unknown")
            submission = await provider.submit(ProviderJob(video_request()))
            await short_lived.wait_finished(submission.provider_video_id)
            with pytest.raises(ProviderUrlExpiredError):
                await provider.get_status(submission.provider_video_id)
        finally:
            await provider.aclose()


async def test_heygen_concurrency_limit_is_enforced_and_counted():
    # Renders long enough that none finishes while the four submits run, even on a busy machine.
    fake_heygen_server = FakeHeyGen(completion_delay_s=1.5, max_concurrent_renders=3)
    async with fake_heygen_server.serve():
        heygen_client = heygen_provider(fake_heygen_server)
        try:
            submissions = [
                await heygen_client.submit(ProviderJob(video_request())) for _ in range(3)
            ]
            assert fake_heygen_server.in_flight == 3
            with pytest.raises(ProviderRateLimitedError, match="rendering"):
                await heygen_client.submit(ProviderJob(video_request()))
            assert fake_heygen_server.rejected_for_concurrency == 1
            await fake_heygen_server.wait_finished(submissions[-1].provider_video_id)
            assert fake_heygen_server.in_flight == 0
            assert fake_heygen_server.max_in_flight_seen == 3
        finally:
            await heygen_client.aclose()


async def test_circuit_opens_on_5xx_and_closes_after_recovery(
    fake_heygen_server: FakeHeyGen, heygen_client: HeyGenProvider
):
    clock = [0.0]
    breaker = CircuitBreaker(
        f"heygen-it-{uuid.uuid4().hex[:6]}",
        failure_threshold=3,
        reset_timeout_s=30,
        clock=lambda: clock[0],
    )
    fake_heygen_server.faults.fail(times=3, status=503, operations={"submit"})
    for _ in range(3):
        with pytest.raises(ProviderUnavailableError):
            await breaker.call(heygen_client.submit, ProviderJob(video_request()))
    assert breaker.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        await breaker.call(heygen_client.submit, ProviderJob(video_request()))
    assert fake_heygen_server.requests["submit"] == 3
    clock[0] = 31
    with pytest.raises(UnknownAvatarError):
        await breaker.call(heygen_client.submit, ProviderJob(video_request(avatar="nobody")))
    assert breaker.state is CircuitState.CLOSED, "a permanent answer proves the provider is up"


# --- D-ID ----------------------------------------------------------------------------------


@pytest.fixture
async def fake_did_server() -> AsyncIterator[FakeDId]:
    fake = FakeDId(completion_delay_s=0.15, max_concurrent_renders=5)
    async with fake.serve():
        yield fake


def did_provider(fake: FakeDId, **overrides: Any) -> DIdProvider:
    settings: dict[str, Any] = {
        "api_key": SecretStr(fake_did.API_KEY),
        "base_url": fake.base_url,
        "presenters": dict(fake_did.DEFAULT_PRESENTERS),
        "timeout_s": 2.0,
        **overrides,
    }
    return DIdProvider(DIdConfig(**settings))


@pytest.fixture
async def did_client(fake_did_server: FakeDId) -> AsyncIterator[DIdProvider]:
    provider = did_provider(fake_did_server)
    yield provider
    await provider.aclose()


def did_request(**kw: Any) -> VideoRequested:
    return video_request(avatar="amy", voice="en-US-JennyNeural", **kw)


async def test_did_talk_from_submit_to_webhook_to_done(
    fake_did_server: FakeDId, did_client: DIdProvider, receiver: Receiver
):
    job = ProviderJob(did_request(), callback_url=f"{receiver.base_url}/hooks/did?token=t0k")
    submission = await did_client.submit(job)
    assert submission.provider_video_id.startswith("tlk_")
    await asyncio.wait_for(receiver.arrived.wait(), 5)
    talk = json.loads(receiver.received[0][1])
    assert (talk["id"], talk["status"], talk["user_data"]) == (
        submission.provider_video_id,
        "done",
        str(job.job_id),
    )
    status = await did_client.get_status(submission.provider_video_id)
    assert status.state is RenderState.COMPLETED
    async with httpx.AsyncClient() as client:
        video = await client.get(status.video_url or "")
    assert video.content[4:8] == b"ftyp"


async def test_did_lists_voices_and_configured_presenters(did_client: DIdProvider):
    voices = await did_client.list_voices()
    assert {v.id for v in voices} >= {"en-US-JennyNeural", "en-GB-RyanNeural"}
    ryan = next(v for v in voices if v.id == "en-GB-RyanNeural")
    assert ryan.locales == ("en-GB",)
    avatars = await did_client.list_avatars()
    assert {a.id for a in avatars} == set(fake_did.DEFAULT_PRESENTERS)


async def test_did_ambiguous_timeout_then_find_submission_avoids_a_second_talk(
    fake_did_server: FakeDId,
):
    fake_did_server.faults.slow(0.6, operations={"submit"})
    provider = did_provider(fake_did_server, timeout_s=0.2)
    job = ProviderJob(did_request())
    try:
        with pytest.raises(ProviderTimeoutError):
            await provider.submit(job)
        await fake_did_server.wait_submissions(1)
        found = await provider.find_submission(job)
    finally:
        await provider.aclose()
    assert found is not None
    assert fake_did_server.submissions_for(str(job.job_id)) == 1


async def test_did_errors_are_classified(fake_did_server: FakeDId, did_client: DIdProvider):
    fake_did_server.faults.rate_limit(retry_after="3", operations={"submit"})
    with pytest.raises(ProviderRateLimitedError) as limited:
        await did_client.submit(ProviderJob(did_request()))
    assert limited.value.retry_after_s == 3.0
    fake_did_server.faults.error_in_200(operations={"status"})
    with pytest.raises(ProviderUnavailableError):
        await did_client.get_status("tlk_x")
    with pytest.raises(UnknownVoiceError):
        await did_client.submit(ProviderJob(video_request(avatar="amy", voice="nobody")))
    odd_presenter = did_provider(
        fake_did_server, presenters={"amy": "https://elsewhere.example.com/no-face.jpg"}
    )
    try:
        with pytest.raises(UnknownAvatarError):
            await odd_presenter.submit(ProviderJob(did_request()))
    finally:
        await odd_presenter.aclose()
    bad_key = did_provider(fake_did_server, api_key=SecretStr("nope"))
    try:
        with pytest.raises(ProviderAuthError):
            await bad_key.list_voices()
    finally:
        await bad_key.aclose()
    assert fake_did_server.submissions == 0
