"""Provider bodies -> video.status hints (source=webhook)."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from reelforge.contracts import JobState, StatusSource, VideoStatus
from reelforge.webhook.domain import webhook_mapping as mapping
from reelforge.webhook.domain.webhook_mapping import (
    IgnoredEvent,
    MalformedPayloadError,
    Provider,
    RenderSignal,
)

pytestmark = pytest.mark.unit

JOB = UUID("5a0f8a4e-2d0c-4c1d-9a57-3c7b8a1d2e3f")


def _heygen(event_type: str, **data: Any) -> bytes:
    return json.dumps({"event_type": event_type, "event_data": data}).encode()


def _status(signal: RenderSignal) -> VideoStatus:
    return mapping.to_video_status(
        signal, job_id=JOB, tenant_id="acme", event_id=mapping.status_event_id(Provider.HEYGEN, "e")
    )


def test_heygen_success_becomes_a_rendered_hint_for_the_callback_id_job() -> None:
    body = _heygen(
        "avatar_video.success",
        video_id="v_1",
        url="https://files.heygen.ai/v_1.mp4",
        callback_id=str(JOB),
        gif_download_url="https://files.heygen.ai/v_1.gif",
    )
    signal = mapping.parse_heygen(body)
    assert isinstance(signal, RenderSignal)
    assert signal.job_id == JOB
    status = _status(signal)
    assert status.state is JobState.RENDERED
    assert status.source is StatusSource.WEBHOOK
    assert status.provider == "heygen"
    assert status.provider_video_id == "v_1"
    assert status.rendered is not None
    assert str(status.rendered.url) == "https://files.heygen.ai/v_1.mp4"
    assert status.error is None


def test_heygen_fail_becomes_a_failed_hint_with_the_providers_reason() -> None:
    body = _heygen(
        "avatar_video.fail", video_id="v_2", callback_id=str(JOB), msg="Avatar not found"
    )
    status = _status(mapping.parse_heygen(body))  # type: ignore[arg-type]
    assert status.state is JobState.FAILED
    assert status.error is not None
    assert status.error.code == "provider_render_failed"
    assert "Avatar not found" in status.error.message


def test_heygen_v3_failure_fields_are_used_when_present() -> None:
    body = _heygen(
        "avatar_video.fail",
        video_id="v_3",
        callback_id=str(JOB),
        failure_code="MODERATION_REJECTED",
        failure_message="content rejected",
    )
    signal = mapping.parse_heygen(body)
    assert isinstance(signal, RenderSignal)
    assert signal.failure == "MODERATION_REJECTED: content rejected"


@pytest.mark.parametrize(
    "event_type", ["avatar_video_gif.success", "video_translate.fail", "personalized_video"]
)
def test_event_types_reelforge_does_not_use_are_ignored(event_type: str) -> None:
    result = mapping.parse_heygen(_heygen(event_type, anything="goes"))
    assert isinstance(result, IgnoredEvent)
    assert result.provider_event == event_type


def test_a_video_that_is_not_a_reelforge_job_is_ignored() -> None:
    body = _heygen("avatar_video.success", video_id="v", url="https://x.y/z", callback_id="crm-42")
    assert isinstance(mapping.parse_heygen(body), IgnoredEvent)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not json", "(body)"),
        (b"[1, 2]", "(body)"),
        (b'{"event_data": {}}', "event_type"),
        (b'{"event_type": "avatar_video.success"}', "event_data"),
        (_heygen("avatar_video.success", url="https://x.y/z"), "event_data.video_id"),
        (_heygen("avatar_video.success", video_id=7), "event_data.video_id"),
    ],
)
def test_malformed_heygen_bodies_are_refused_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(MalformedPayloadError) as caught:
        mapping.parse_heygen(body)
    assert str(caught.value).startswith(field)


def test_did_done_and_error_map_to_rendered_and_failed() -> None:
    done = mapping.parse_did(
        json.dumps(
            {"id": "tlk_1", "status": "done", "result_url": "https://d-id.example/x.mp4"}
        ).encode()
    )
    failed = mapping.parse_did(
        json.dumps(
            {
                "id": "tlk_2",
                "status": "error",
                "error": {"kind": "FaceError", "description": "no face"},
            }
        ).encode()
    )
    assert isinstance(done, RenderSignal)
    assert done.state is JobState.RENDERED
    assert done.video_url == "https://d-id.example/x.mp4"
    assert isinstance(failed, RenderSignal)
    assert failed.state is JobState.FAILED
    assert failed.failure == "FaceError: no face"


def test_did_user_data_carries_the_job_id_when_render_set_it() -> None:
    signal = mapping.parse_did(
        json.dumps({"id": "tlk_1", "status": "done", "user_data": str(JOB)}).encode()
    )
    assert isinstance(signal, RenderSignal)
    assert signal.job_id == JOB


def test_did_talks_still_running_are_ignored() -> None:
    assert isinstance(mapping.parse_did(b'{"id": "tlk_1", "status": "started"}'), IgnoredEvent)


def test_a_non_http_video_url_is_not_passed_on() -> None:
    signal = RenderSignal(
        Provider.HEYGEN, "avatar_video.success", JobState.RENDERED, "v", JOB, "file:///etc/passwd"
    )
    assert _status(signal).rendered is None


def test_the_event_id_is_the_same_for_every_retry_of_one_delivery() -> None:
    first = mapping.status_event_id(Provider.HEYGEN, "evt_1")
    assert first == mapping.status_event_id(Provider.HEYGEN, "evt_1")
    assert first != mapping.status_event_id(Provider.HEYGEN, "evt_2")
    assert first != mapping.status_event_id(Provider.DID, "evt_1")
