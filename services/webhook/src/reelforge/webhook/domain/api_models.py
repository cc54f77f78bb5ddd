"""Request bodies of the submission API and their mapping onto the request events.

Bodies are strict (unknown fields are refused, so a typo is an error instead of a silently
ignored option) and every problem is reported with the path of the field it concerns.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Self
from uuid import UUID

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from reelforge.contracts import (
    MAX_SCENES,
    MAX_SCRIPT_CHARS,
    AspectRatio,
    Background,
    Quality,
    RenderOptions,
    Resolution,
    Scene,
    SceneCast,
    ScriptInfo,
    ScriptRequested,
    Speaker,
    VideoRequested,
    VideoType,
)

LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$"
MAX_METADATA_BYTES = 16 * 1024
WORDS_PER_SECOND = 2.5
"""Average speaking rate used to estimate the length of a client-written script."""


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


def field_problems(error: ValidationError) -> list[FieldProblem]:
    """One entry per problem, each naming the field's path (``scenes.0.script``)."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in item["loc"]) or "(body)"
        problems.append(FieldProblem(field=path, message=item["msg"]))
    return problems


_STRICT = ConfigDict(extra="forbid", frozen=True)


class BackgroundIn(Background):
    model_config = _STRICT


class SceneIn(Scene):
    """One scene: who speaks (avatar, voice) and what they say."""

    model_config = _STRICT
    background: BackgroundIn = Field(default_factory=BackgroundIn)


class SceneCastIn(SceneCast):
    """One scene of a video whose script reelforge writes: who speaks, not yet what."""

    model_config = _STRICT
    background: BackgroundIn = Field(default_factory=BackgroundIn)


class SpeakerIn(Speaker):
    model_config = _STRICT


class RenderOptionsIn(BaseModel):
    """How the video should look and which provider should render it."""

    model_config = _STRICT
    aspect_ratio: AspectRatio = AspectRatio.LANDSCAPE
    resolution: Resolution = Resolution.HD
    quality: Quality = Quality.PRODUCTION
    captions: bool = True
    title: str | None = Field(default=None, max_length=200)
    provider: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]{0,31}$")

    def to_contract(self, callback_url: AnyHttpUrl | None) -> RenderOptions:
        return RenderOptions(**self.model_dump(), callback_url=callback_url)


class _Submission(BaseModel):
    """Fields shared by both submissions."""

    model_config = _STRICT
    video_type: VideoType = VideoType.CUSTOM
    language: str = Field(default="en", pattern=LANGUAGE_PATTERN)
    render: RenderOptionsIn = Field(default_factory=RenderOptionsIn)
    callback_url: AnyHttpUrl | None = Field(
        default=None,
        description="Where reelforge POSTs the ready or failed event, signed (Standard Webhooks).",
    )
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="Free-form; echoed in video.ready and the job view."
    )
    correlation_id: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("metadata")
    @classmethod
    def _metadata_small(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            size = len(json.dumps(value, separators=(",", ":")).encode())
        except (TypeError, ValueError) as error:
            raise ValueError("metadata must be plain JSON") from error
        if size > MAX_METADATA_BYTES:
            raise ValueError(f"metadata is {size} bytes; at most {MAX_METADATA_BYTES} allowed")
        return value

    def fingerprint(self) -> str:
        """Stable hash of the request, to tell a replay of an Idempotency-Key from a reuse."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


class CreateVideoRequest(_Submission):
    """``POST /v1/videos``: a ready script (one scene) or scenes, each with its own script."""

    script: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SCRIPT_CHARS,
        description="Shorthand for one scene; needs avatar_id and voice_id.",
    )
    avatar_id: str | None = Field(default=None, min_length=1, max_length=200)
    voice_id: str | None = Field(default=None, min_length=1, max_length=200)
    scenes: list[SceneIn] | None = Field(default=None, min_length=1, max_length=MAX_SCENES)

    @model_validator(mode="after")
    def _script_or_scenes(self) -> Self:
        _one_shape(self.scenes, self.avatar_id, self.voice_id, extra=self.script, name="script")
        if self.script is not None and not self.script.strip():
            raise ValueError("script must contain spoken words, not only whitespace")
        return self

    def all_scenes(self) -> list[Scene]:
        if self.scenes is not None:
            return list(self.scenes)
        assert self.script is not None
        assert self.avatar_id
        assert self.voice_id
        return [Scene(avatar_id=self.avatar_id, voice_id=self.voice_id, script=self.script)]

    def to_event(self, *, job_id: UUID, tenant_id: str, requested_at: datetime) -> VideoRequested:
        scenes = self.all_scenes()
        words = sum(len(scene.script.split()) for scene in scenes)
        return VideoRequested(
            job_id=job_id,
            tenant_id=tenant_id,
            correlation_id=self.correlation_id,
            occurred_at=requested_at,
            requested_at=requested_at,
            video_type=self.video_type,
            language=self.language,
            scenes=scenes,
            render=self.render.to_contract(self.callback_url),
            script=ScriptInfo(
                writer="client", words=words, estimated_seconds=round(words / WORDS_PER_SECOND, 1)
            ),
            metadata=self.metadata,
        )


class CreateScriptRequest(_Submission):
    """``POST /v1/scripts``: a topic and key points; reelforge writes the script, then renders."""

    topic: str = Field(min_length=1, max_length=1000)
    key_points: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=20
    )
    target_seconds: int = Field(default=30, ge=5, le=300)
    speaker: SpeakerIn | None = None
    avatar_id: str | None = Field(
        default=None, min_length=1, max_length=200, description="Shorthand for one scene."
    )
    voice_id: str | None = Field(default=None, min_length=1, max_length=200)
    scenes: list[SceneCastIn] | None = Field(default=None, min_length=1, max_length=MAX_SCENES)
    regenerate_of: UUID | None = None

    @field_validator("topic")
    @classmethod
    def _topic_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("topic must not be empty or whitespace")
        return value

    @model_validator(mode="after")
    def _cast_or_scenes(self) -> Self:
        _one_shape(self.scenes, self.avatar_id, self.voice_id, extra=None, name=None)
        return self

    def all_scenes(self) -> list[SceneCast]:
        if self.scenes is not None:
            return list(self.scenes)
        assert self.avatar_id
        assert self.voice_id
        return [SceneCast(avatar_id=self.avatar_id, voice_id=self.voice_id)]

    def to_event(self, *, job_id: UUID, tenant_id: str, requested_at: datetime) -> ScriptRequested:
        return ScriptRequested(
            job_id=job_id,
            tenant_id=tenant_id,
            correlation_id=self.correlation_id,
            occurred_at=requested_at,
            video_type=self.video_type,
            topic=self.topic,
            key_points=self.key_points,
            target_seconds=self.target_seconds,
            language=self.language,
            speaker=self.speaker,
            scenes=self.all_scenes(),
            render=self.render.to_contract(self.callback_url),
            regenerate_of=self.regenerate_of,
            metadata=self.metadata,
        )


def _one_shape(
    scenes: list[Any] | None,
    avatar_id: str | None,
    voice_id: str | None,
    *,
    extra: str | None,
    name: str | None,
) -> None:
    """Either `scenes`, or the one-scene shorthand (avatar_id + voice_id [+ `name`])."""
    shorthand = "avatar_id and voice_id" if name is None else f"{name}, avatar_id and voice_id"
    uses_shorthand = any(v is not None for v in (avatar_id, voice_id, extra))
    if scenes is not None and uses_shorthand:
        raise ValueError(f"give either scenes or {shorthand}, not both")
    if scenes is None:
        missing = [
            field
            for field, value in (("avatar_id", avatar_id), ("voice_id", voice_id), (name, extra))
            if field is not None and value is None
        ]
        if missing:
            raise ValueError(
                f"give scenes, or {shorthand} for a single scene (missing: {', '.join(missing)})"
            )
