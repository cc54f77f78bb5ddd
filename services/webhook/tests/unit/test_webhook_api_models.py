"""Submission bodies: strict, errors that name the field, and the events they become."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from reelforge.contracts import ScriptRequested, VideoRequested
from reelforge.webhook.domain.api_models import (
    CreateScriptRequest,
    CreateVideoRequest,
    field_problems,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SCENE = {"avatar_id": "Amy_public", "voice_id": "en-US-Jenny", "script": "Welcome home."}


def _fields(model: type[Any], body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return {p.field: p.message for p in field_problems(caught.value)}


def test_a_one_scene_shorthand_becomes_a_video_requested_event() -> None:
    request = CreateVideoRequest.model_validate(
        {
            "script": "Four bedrooms, two baths, a garden.",
            "avatar_id": "Amy_public",
            "voice_id": "en-US-Jenny",
            "render": {"aspect_ratio": "9:16", "quality": "preview"},
            "callback_url": "https://upstream.example.com/hooks/reelforge",
            "metadata": {"listing": "L-4821"},
        }
    )
    job_id = uuid4()
    event = request.to_event(job_id=job_id, tenant_id="acme", requested_at=NOW)
    assert isinstance(event, VideoRequested)
    assert event.job_id == job_id
    assert event.tenant_id == "acme"
    assert [s.script for s in event.scenes] == ["Four bedrooms, two baths, a garden."]
    assert event.render.aspect_ratio.value == "9:16"
    assert str(event.render.callback_url) == "https://upstream.example.com/hooks/reelforge"
    assert event.script is not None
    assert event.script.writer == "client"
    assert event.script.words == 6
    assert event.metadata == {"listing": "L-4821"}
    assert event.requested_at == NOW


def test_scenes_keep_their_own_avatar_voice_and_background() -> None:
    request = CreateVideoRequest.model_validate(
        {
            "scenes": [
                SCENE,
                {**SCENE, "voice_id": "v2", "background": {"type": "color", "value": "#112233"}},
            ]
        }
    )
    event = request.to_event(job_id=uuid4(), tenant_id="acme", requested_at=NOW)
    assert [s.voice_id for s in event.scenes] == ["en-US-Jenny", "v2"]
    assert event.scenes[1].background.value == "#112233"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"scenes": [SCENE], "colour": "red"}, "colour", "Extra inputs"),
        ({"scenes": [{**SCENE, "avatar": "x"}]}, "scenes.0.avatar", "Extra inputs"),
        ({"scenes": [{**SCENE, "script": ""}]}, "scenes.0.script", "at least 1"),
        ({"scenes": [{**SCENE, "script": "   "}]}, "scenes.0.script", "spoken words"),
        ({"scenes": [{**SCENE, "voice_speed": 3}]}, "scenes.0.voice_speed", "less than or equal"),
        (
            {"scenes": [{**SCENE, "background": {"type": "color", "value": "red"}}]},
            "scenes.0.background",
            "hex colour",
        ),
        ({"scenes": []}, "scenes", "at least 1"),
        ({"scenes": [SCENE], "render": {"aspect_ratio": "2:1"}}, "render.aspect_ratio", "16:9"),
        ({"scenes": [SCENE], "callback_url": "not a url"}, "callback_url", "URL"),
        ({"scenes": [SCENE], "language": "English"}, "language", "pattern"),
    ],
)
def test_invalid_video_requests_name_the_field(
    body: dict[str, Any], field: str, words: str
) -> None:
    problems = _fields(CreateVideoRequest, body)
    assert field in problems, problems
    assert words in problems[field]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, "missing: avatar_id, voice_id, script"),
        ({"script": "hi", "avatar_id": "a"}, "missing: voice_id"),
        ({"scenes": [SCENE], "script": "hi"}, "not both"),
    ],
)
def test_script_or_scenes_is_required_but_not_both(body: dict[str, Any], words: str) -> None:
    problems = _fields(CreateVideoRequest, body)
    assert words in problems["(body)"]


def test_oversized_metadata_is_refused() -> None:
    problems = _fields(CreateVideoRequest, {"scenes": [SCENE], "metadata": {"blob": "x" * 20000}})
    assert "at most 16384" in problems["metadata"]


def test_a_script_request_becomes_a_script_requested_event() -> None:
    request = CreateScriptRequest.model_validate(
        {
            "topic": "4-bedroom home in Brisbane",
            "key_points": ["pool", "near schools"],
            "target_seconds": 45,
            "video_type": "property_listing",
            "avatar_id": "Amy_public",
            "voice_id": "en-US-Jenny",
            "speaker": {"name": "Sam", "company": "Acme Realty"},
        }
    )
    event = request.to_event(job_id=uuid4(), tenant_id="acme", requested_at=NOW)
    assert isinstance(event, ScriptRequested)
    assert event.key_points == ["pool", "near schools"]
    assert event.target_seconds == 45
    assert len(event.scenes) == 1
    assert event.scenes[0].avatar_id == "Amy_public"
    assert event.speaker is not None
    assert event.speaker.company == "Acme Realty"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"topic": "x", "target_seconds": 400, "avatar_id": "a", "voice_id": "v"},
            "target_seconds",
        ),
        ({"topic": " ", "avatar_id": "a", "voice_id": "v"}, "topic"),
        ({"topic": "x", "key_points": [""], "avatar_id": "a", "voice_id": "v"}, "key_points.0"),
        (
            {"topic": "x", "scenes": [{"avatar_id": "a", "voice_id": "v", "script": "s"}]},
            "scenes.0.script",
        ),
        (
            {"topic": "x", "avatar_id": "a", "voice_id": "v", "speaker": {"nick": "s"}},
            "speaker.nick",
        ),
    ],
)
def test_invalid_script_requests_name_the_field(body: dict[str, Any], field: str) -> None:
    assert field in _fields(CreateScriptRequest, body)


def test_the_fingerprint_tells_a_replay_from_a_different_request() -> None:
    first = CreateVideoRequest.model_validate({"scenes": [SCENE]})
    same = CreateVideoRequest.model_validate({"scenes": [dict(SCENE)]})
    other = CreateVideoRequest.model_validate({"scenes": [{**SCENE, "script": "Bye."}]})
    assert first.fingerprint() == same.fingerprint()
    assert first.fingerprint() != other.fingerprint()
