"""Event contracts v1: round-trips, refusals that name the field, tolerance of unknown fields."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from reelforge.contracts import (
    Asset,
    ErrorInfo,
    JobState,
    RenderedVideo,
    Scene,
    SceneCast,
    ScriptRequested,
    Stage,
    StatusSource,
    UnknownFieldError,
    VideoReady,
    VideoRequested,
    VideoStatus,
    describe_validation_error,
)
from reelforge.contracts.schema_export import render_schemas

pytestmark = pytest.mark.unit
JOB = uuid.uuid4()
SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"


def examples() -> list[Any]:
    common: dict[str, Any] = {"job_id": JOB, "tenant_id": "acme", "correlation_id": "order-7"}
    return [
        ScriptRequested(
            **common,
            topic="4-bedroom home in Indian Wells",
            key_points=["pool", "mountain views"],
            target_seconds=30,
            scenes=[SceneCast(avatar_id="amy", voice_id="en-us-female")],
            metadata={"listing": 42},
        ),
        VideoRequested(
            **common,
            scenes=[
                Scene(avatar_id=f"a{i}", voice_id="en-us-male", script=f"Scene {i}.")
                for i in range(3)
            ],
        ),
        VideoStatus(
            **common,
            state=JobState.FAILED,
            source=StatusSource.RENDER,
            error=ErrorInfo(code="unknown_avatar", message="no avatar x", stage=Stage.RENDER),
        ),
        VideoStatus(
            **common,
            state=JobState.RENDERED,
            source=StatusSource.RENDER,
            rendered=RenderedVideo(url="https://cdn.example/v.mp4"),  # type: ignore[arg-type]
        ),
        VideoReady(
            **common,
            provider="local",
            asset=Asset(
                uri="s3://videos/acme/2026/11/x/video.mp4",
                signed_url="https://s3.example/x?sig=1",  # type: ignore[arg-type]
                signed_url_expires_at="2026-11-24T00:00:00Z",  # type: ignore[arg-type]
                size_bytes=10,
                sha256="a" * 64,
                duration_s=30.0,
                width=1280,
                height=720,
            ),
        ),
    ]


@pytest.mark.parametrize("event", examples(), ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_json(event: Any) -> None:
    text = event.model_dump_json()
    again = type(event).model_validate_json(text)
    assert again == event
    assert type(event).validate_for_publish(json.loads(text)) == event
    assert event.key == str(JOB).encode()


def test_occurred_at_is_utc_whatever_the_producer_sent() -> None:
    event = examples()[1].model_copy(update={})
    data = json.loads(event.model_dump_json())
    data["occurred_at"] = "2026-11-23T10:00:00+02:00"
    parsed = VideoRequested.model_validate(data)
    assert parsed.occurred_at.isoformat() == "2026-11-23T08:00:00+00:00"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"target_seconds": 301}, "target_seconds"),
        ({"target_seconds": 4}, "target_seconds"),
        ({"topic": "   "}, "topic"),
        ({"video_type": "webinar"}, "video_type"),
        ({"tenant_id": "Bad Tenant!"}, "tenant_id"),
        ({"scenes": []}, "scenes"),
        ({"render": {"aspect_ratio": "21:9"}}, "render.aspect_ratio"),
    ],
)
def test_invalid_script_request_is_refused_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    data = json.loads(examples()[0].model_dump_json()) | change
    with pytest.raises(ValidationError) as caught:
        ScriptRequested.model_validate(data)
    assert describe_validation_error(caught.value).startswith(field)


def test_scene_script_over_5000_characters_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Scene(avatar_id="a", voice_id="v", script="x" * 5001)
    assert "script" in describe_validation_error(caught.value)


def test_failed_status_without_error_is_refused() -> None:
    with pytest.raises(ValidationError, match="error"):
        VideoStatus(job_id=JOB, tenant_id="acme", state=JobState.FAILED, source=StatusSource.RENDER)


def test_consumers_tolerate_unknown_fields_but_producers_refuse_them() -> None:
    data = json.loads(examples()[1].model_dump_json())
    data["added_in_v1_5"] = {"anything": True}
    data["scenes"][0]["lip_sync"] = "v2"
    assert VideoRequested.model_validate(data).scenes[0].avatar_id == "a0"
    with pytest.raises(UnknownFieldError, match=r"added_in_v1_5, scenes\.0\.lip_sync"):
        VideoRequested.validate_for_publish(data)


def test_checked_in_json_schemas_match_the_models() -> None:
    rendered = render_schemas()
    on_disk = {p.name: p.read_text() for p in SCHEMAS_DIR.glob("*.json")}
    assert on_disk == rendered, "schemas drifted from the models: run `make schemas`"
