"""Mapping a video request onto HeyGen v3 and D-ID payloads, and their status answers back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from reelforge.contracts import VideoRequested
from reelforge.render.adapters.providers import did, heygen
from reelforge.render.domain.provider import (
    JobNotSupportedError,
    ProviderJob,
    ProviderSet,
    ProviderUrlExpiredError,
    RenderState,
    UnknownAvatarError,
    presigned_url_expiry,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)


def scene(**overrides: Any) -> dict[str, Any]:
    return {
        "avatar_id": "Amy_public_look_1",
        "voice_id": "jenny_en_us",
        "script": "Let me show you this stunning 4-bedroom home in Indian Wells.",
        **overrides,
    }


def request(scenes: list[dict[str, Any]] | None = None, **fields: Any) -> VideoRequested:
    return VideoRequested(
        job_id=uuid.UUID("6a1f0b9e-2c55-4b8e-9a43-0d4f0e7f9b11"),
        tenant_id="acme",
        scenes=scenes or [scene()],
        **fields,
    )


# --- HeyGen v3 -----------------------------------------------------------------------------


def test_heygen_payload_maps_the_scene_and_render_options():
    job = ProviderJob(
        request(
            [scene(voice_speed=1.2, background={"type": "color", "value": "#1A2B3C"})],
            language="en-US",
            render={
                "aspect_ratio": "9:16",
                "resolution": "1080p",
                "title": "Indian Wells listing",
                "captions": True,
            },
        ),
        callback_url="https://hooks.example.com/webhooks/heygen?token=abc",
    )
    payload, ignored = heygen.build_payload(job)
    assert payload == {
        "type": "avatar",
        "avatar_id": "Amy_public_look_1",
        "script": "Let me show you this stunning 4-bedroom home in Indian Wells.",
        "voice_id": "jenny_en_us",
        "aspect_ratio": "9:16",
        "resolution": "1080p",
        "title": "Indian Wells listing",
        "voice_settings": {"speed": 1.2, "locale": "en-US"},
        "background": {"type": "color", "value": "#1A2B3C"},
        "caption": {"file_format": "srt"},
        "callback_url": "https://hooks.example.com/webhooks/heygen?token=abc",
        "callback_id": "6a1f0b9e-2c55-4b8e-9a43-0d4f0e7f9b11",
    }
    assert ignored == ()


def test_heygen_payload_defaults_and_image_background():
    payload, _ = heygen.build_payload(
        ProviderJob(
            request(
                [scene(background={"type": "image", "value": "https://cdn.example.com/bg.jpg"})],
                render={"captions": False},
            )
        )
    )
    assert payload["background"] == {"type": "image", "url": "https://cdn.example.com/bg.jpg"}
    assert payload["aspect_ratio"] == "16:9"
    assert payload["resolution"] == "720p"
    for absent in ("voice_settings", "caption", "callback_url", "title"):
        assert absent not in payload
    assert payload["callback_id"] == "6a1f0b9e-2c55-4b8e-9a43-0d4f0e7f9b11"


def test_heygen_reports_options_it_cannot_honour():
    _, ignored = heygen.build_payload(
        ProviderJob(request([scene(emotion="enthusiastic")], render={"quality": "preview"}))
    )
    assert ignored == ("emotion", "quality=preview")


@pytest.mark.parametrize(
    ("req", "reason"),
    [
        (request([scene(), scene(), scene()]), "3 scenes requested"),
        (request(render={"aspect_ratio": "1:1"}), "aspect ratio 1:1"),
        (
            request([scene(background={"type": "video", "value": "https://x.test/bg.mp4"})]),
            "video backgrounds",
        ),
    ],
)
def test_heygen_refuses_jobs_v3_cannot_render(req: VideoRequested, reason: str):
    assert not heygen.CAPABILITIES.supports(req)
    with pytest.raises(JobNotSupportedError, match=reason) as info:
        heygen.build_payload(ProviderJob(req))
    assert info.value.code == "job_not_supported"
    assert not info.value.retryable


def test_idempotency_key_is_the_job_id_and_changes_for_a_deliberate_rerender():
    job = ProviderJob(request())
    assert job.idempotency_key == "6a1f0b9e-2c55-4b8e-9a43-0d4f0e7f9b11"
    rerender = ProviderJob(request(), attempt=2)
    assert rerender.idempotency_key == "6a1f0b9e-2c55-4b8e-9a43-0d4f0e7f9b11.2"
    assert rerender.callback_id == job.callback_id


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("waiting", RenderState.PENDING),
        ("pending", RenderState.PENDING),
        ("processing", RenderState.PROCESSING),
        ("something_new", RenderState.PROCESSING),
    ],
)
def test_heygen_status_mapping_while_rendering(raw: str, state: RenderState):
    status = heygen.parse_status({"id": "v1", "status": raw}, NOW, WEEK, HOUR)
    assert status.state is state
    assert status.video_url is None


def test_heygen_completed_status_carries_urls_and_their_expiry():
    expires = int((NOW + timedelta(days=6)).timestamp())
    url = f"https://files.heygen.ai/video/v1.mp4?Expires={expires}&Signature=x"
    status = heygen.parse_status(
        {
            "id": "v1",
            "status": "completed",
            "video_url": url,
            "captioned_video_url": url + "&captioned=1",
            "thumbnail_url": "https://files.heygen.ai/thumb/v1.jpg",
            "duration": 31.5,
        },
        NOW,
        WEEK,
        HOUR,
    )
    assert status.state is RenderState.COMPLETED
    assert status.url_expires_at == NOW + timedelta(days=6)
    assert status.duration_s == 31.5
    assert status.url_for(captions=True) == url + "&captioned=1"
    assert status.url_for(captions=False) == url


def test_heygen_never_hands_on_an_expired_url():
    expired = int((NOW - timedelta(minutes=1)).timestamp())
    almost = int((NOW + timedelta(minutes=10)).timestamp())
    for expires in (expired, almost):
        data = {"status": "completed", "video_url": f"https://f.test/v.mp4?Expires={expires}"}
        with pytest.raises(ProviderUrlExpiredError) as info:
            heygen.parse_status(data, NOW, WEEK, HOUR)
        assert info.value.retryable


def test_heygen_failed_status_has_a_stable_code_and_the_reason():
    status = heygen.parse_status(
        {
            "status": "failed",
            "failure_code": "rendering_failed",
            "failure_message": "Avatar timed out",
        },
        NOW,
        WEEK,
        HOUR,
    )
    assert status.state is RenderState.FAILED
    assert status.failure is not None
    assert status.failure.code == "provider_render_failed"
    assert "Avatar timed out" in status.failure.message
    assert "rendering_failed" in status.failure.message


def test_url_expiry_from_sigv4_or_documented_lifetime():
    sigv4 = "https://s3.test/r.mp4?X-Amz-Date=20261123T120000Z&X-Amz-Expires=3600&X-Amz-Signature=z"
    assert presigned_url_expiry(sigv4, NOW, WEEK) == NOW + HOUR
    assert presigned_url_expiry("https://cdn.test/v.mp4", NOW, WEEK) == NOW + WEEK
    assert presigned_url_expiry("https://cdn.test/v.mp4?Expires=junk", NOW, WEEK) == NOW + WEEK


# --- D-ID ----------------------------------------------------------------------------------

DID_CONFIG = did.DIdConfig(
    api_key=SecretStr("key"),
    presenters={"amy": "https://presenters.example.com/amy.jpg"},
)


def test_did_payload_maps_presenter_voice_speed_webhook_and_job():
    job = ProviderJob(
        request(
            [scene(avatar_id="amy", voice_id="en-US-JennyNeural", voice_speed=0.8)],
            render={"title": "Market update"},
        ),
        callback_url="https://hooks.example.com/webhooks/did?token=t",
    )
    payload, ignored = did.build_payload(DID_CONFIG, job)
    assert payload == {
        "source_url": "https://presenters.example.com/amy.jpg",
        "script": {
            "type": "text",
            "input": "Let me show you this stunning 4-bedroom home in Indian Wells.",
            "provider": {
                "type": "microsoft",
                "voice_id": "en-US-JennyNeural",
                "voice_config": {"rate": "-20%"},
            },
        },
        "config": {"stitch": True, "result_format": "mp4"},
        "user_data": "6a1f0b9e-2c55-4b8e-9a43-0d4f0e7f9b11",
        "name": "Market update",
        "webhook": "https://hooks.example.com/webhooks/did?token=t",
    }
    assert ignored == ("captions",)


def test_did_accepts_an_image_url_as_avatar_and_refuses_unknown_names():
    payload, _ = did.build_payload(
        DID_CONFIG, ProviderJob(request([scene(avatar_id="https://img.test/p.png")]))
    )
    assert payload["source_url"] == "https://img.test/p.png"
    with pytest.raises(UnknownAvatarError, match="ghost"):
        did.build_payload(DID_CONFIG, ProviderJob(request([scene(avatar_id="ghost")])))


def test_did_talks_are_single_scene():
    multi = request([scene(avatar_id="amy"), scene(avatar_id="amy")])
    assert "2 scenes requested" in did.capabilities_for(DID_CONFIG).unsupported_reasons(multi)[0]
    with pytest.raises(JobNotSupportedError):
        did.build_payload(DID_CONFIG, ProviderJob(multi))


@pytest.mark.parametrize(
    ("raw", "state", "failure_code"),
    [
        ("created", RenderState.PENDING, None),
        ("started", RenderState.PROCESSING, None),
        ("error", RenderState.FAILED, "provider_render_failed"),
        ("rejected", RenderState.FAILED, "provider_rejected"),
    ],
)
def test_did_talk_status_mapping(raw: str, state: RenderState, failure_code: str | None):
    status = did.parse_talk({"id": "tlk_1", "status": raw}, NOW, WEEK, HOUR)
    assert status.state is state
    assert (status.failure.code if status.failure else None) == failure_code


def test_did_done_talk_has_result_url_with_expiry():
    expires = int((NOW + timedelta(hours=20)).timestamp())
    url = f"https://d-id-talks-prod.s3.amazonaws.com/r.mp4?AWSAccessKeyId=A&Expires={expires}"
    status = did.parse_talk(
        {"id": "tlk_1", "status": "done", "result_url": url, "duration": 12.4}, NOW, WEEK, HOUR
    )
    assert (status.state, status.video_url, status.duration_s) == (RenderState.COMPLETED, url, 12.4)
    assert status.url_expires_at == NOW + timedelta(hours=20)


# --- choosing a provider -------------------------------------------------------------------


def test_candidates_skip_providers_that_cannot_render_the_job():
    hg = heygen.HeyGenProvider(heygen.HeyGenConfig(api_key=SecretStr("k")))
    d = did.DIdProvider(DID_CONFIG)
    providers = ProviderSet((hg, d))
    single = request([scene(avatar_id="amy")])
    assert [p.name for p in providers.candidates_for(single)] == ["heygen", "did"]
    preferred = request([scene(avatar_id="amy")], render={"provider": "did"})
    assert [p.name for p in providers.candidates_for(preferred)] == ["did", "heygen"]
    square = request([scene(avatar_id="amy")], render={"aspect_ratio": "1:1"})
    assert [p.name for p in providers.candidates_for(square)] == ["did"]
    assert providers.candidates_for(request([scene(), scene()])) == []
    assert providers.get("did") is d
