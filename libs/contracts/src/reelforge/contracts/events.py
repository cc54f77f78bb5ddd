"""Event contracts v1: what flows on `script.requested`, `video.requested`, `video.status`,
`video.ready`, and the dead-letter topics."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import AnyHttpUrl, AwareDatetime, Field, field_validator, model_validator

from .envelope import ContractModel, Event
from .topics import SCRIPT_REQUESTED, VIDEO_READY, VIDEO_REQUESTED, VIDEO_STATUS

MAX_SCRIPT_CHARS = 5000
MAX_SCENES = 50
Metadata = dict[str, Any]


class VideoType(StrEnum):
    PROPERTY_LISTING = "property_listing"
    MARKET_UPDATE = "market_update"
    PERSONAL_MESSAGE = "personal_message"
    CUSTOM = "custom"


class AspectRatio(StrEnum):
    LANDSCAPE = "16:9"
    PORTRAIT = "9:16"
    SQUARE = "1:1"
    CLASSIC = "4:3"


class Resolution(StrEnum):
    HD = "720p"
    FULL_HD = "1080p"


class Quality(StrEnum):
    PREVIEW = "preview"
    """A test render: free at the provider, may carry a watermark."""
    PRODUCTION = "production"


class Emotion(StrEnum):
    NEUTRAL = "neutral"
    HAPPY = "happy"
    SERIOUS = "serious"
    ENTHUSIASTIC = "enthusiastic"


class JobState(StrEnum):
    ACCEPTED = "accepted"
    SCRIPTING = "scripting"
    QUEUED = "queued"
    SUBMITTED = "submitted"
    RENDERING = "rendering"
    RENDERED = "rendered"
    STORING = "storing"
    READY = "ready"
    FAILED = "failed"

    @property
    def is_terminal(self) -> bool:
        return self in (JobState.READY, JobState.FAILED)


class Stage(StrEnum):
    INGRESS = "ingress"
    SCRIPT = "script"
    RENDER = "render"
    STORAGE = "storage"


class StatusSource(StrEnum):
    """Who said it. Only `render` is authoritative for render states; `webhook` is a hint."""

    API = "api"
    SCRIPT = "script"
    RENDER = "render"
    WEBHOOK = "webhook"
    STORAGE = "storage"


class BackgroundType(StrEnum):
    COLOR = "color"
    IMAGE = "image"
    VIDEO = "video"


class Background(ContractModel):
    type: BackgroundType = BackgroundType.COLOR
    value: str = Field(default="#FFFFFF", min_length=1, max_length=2048)

    @model_validator(mode="after")
    def _check_value(self) -> Background:
        if self.type is BackgroundType.COLOR:
            import re

            if not re.fullmatch(r"#[0-9A-Fa-f]{6}", self.value):
                raise ValueError("color background value must be a hex colour like #1A2B3C")
        return self


class Speaker(ContractModel):
    """Who speaks in the video; the script writer uses it in greetings and calls to action."""

    name: str | None = Field(default=None, max_length=100)
    company: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=200)


class SceneCast(ContractModel):
    """Avatar and voice for one scene, before its script is written."""

    avatar_id: str = Field(min_length=1, max_length=200)
    voice_id: str = Field(min_length=1, max_length=200)
    voice_speed: float = Field(default=1.0, ge=0.5, le=1.5)
    emotion: Emotion | None = None
    background: Background = Field(default_factory=Background)


class Scene(SceneCast):
    script: str = Field(min_length=1, max_length=MAX_SCRIPT_CHARS)

    @field_validator("script")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("script must contain spoken words, not only whitespace")
        return value


class RenderOptions(ContractModel):
    """How the video should look and who may render it; shared by both request events."""

    aspect_ratio: AspectRatio = AspectRatio.LANDSCAPE
    resolution: Resolution = Resolution.HD
    quality: Quality = Quality.PRODUCTION
    captions: bool = True
    title: str | None = Field(default=None, max_length=200)
    provider: str | None = Field(
        default=None,
        pattern=r"^[a-z][a-z0-9_-]{0,31}$",
        description="Preferred provider (heygen, did, local); None: the configured order.",
    )
    callback_url: AnyHttpUrl | None = Field(
        default=None, description="Where the webhook service POSTs the ready/failed event."
    )


class ScriptRequested(Event):
    """Write a spoken script for a video, then request the video."""

    event_type: ClassVar[str] = SCRIPT_REQUESTED
    video_type: VideoType = VideoType.CUSTOM
    topic: str = Field(min_length=1, max_length=1000)
    key_points: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=20
    )
    target_seconds: int = Field(default=30, ge=5, le=300)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    speaker: Speaker | None = None
    scenes: list[SceneCast] = Field(
        min_length=1,
        max_length=MAX_SCENES,
        description="One entry per scene; the script writer writes one script per scene.",
    )
    render: RenderOptions = Field(default_factory=RenderOptions)
    regenerate_of: UUID | None = Field(
        default=None, description="An earlier job whose brief this repeats; yields a new script."
    )
    metadata: Metadata = Field(default_factory=dict, description="Echoed to video.ready.")

    @field_validator("topic")
    @classmethod
    def _topic_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("topic must not be empty or whitespace")
        return value.strip()


class ScriptInfo(ContractModel):
    """How the script was made (for the job view and metrics)."""

    writer: str = Field(description="template, openai, or client (written by the caller).")
    words: int = Field(ge=0)
    estimated_seconds: float = Field(ge=0)
    within_budget: bool = True
    attempts: int = Field(default=1, ge=1)
    note: str | None = None


class VideoRequested(Event):
    """Render this video: one or more scenes, each with its own avatar, voice and script."""

    event_type: ClassVar[str] = VIDEO_REQUESTED
    video_type: VideoType = VideoType.CUSTOM
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    scenes: list[Scene] = Field(min_length=1, max_length=MAX_SCENES)
    render: RenderOptions = Field(default_factory=RenderOptions)
    script: ScriptInfo | None = None
    requested_at: AwareDatetime | None = Field(
        default=None, description="When the job entered reelforge (for end-to-end timings)."
    )
    metadata: Metadata = Field(default_factory=dict, description="Echoed to video.ready.")


class ErrorInfo(ContractModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="Stable, machine-readable.")
    message: str = Field(max_length=2000, description="For people; never contains secrets.")
    retryable: bool = False
    stage: Stage


class Cost(ContractModel):
    amount: float = Field(ge=0, description="Estimated cost in `currency`.")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    credits: float = Field(default=0, ge=0, description="Provider credits, where it bills in them.")


class RenderedVideo(ContractModel):
    """Where the render can be fetched from, carried by the authoritative `rendered` status."""

    url: AnyHttpUrl
    url_expires_at: AwareDatetime | None = None
    thumbnail_url: AnyHttpUrl | None = None
    duration_s: float | None = Field(default=None, ge=0)
    cost: Cost | None = None
    metadata: Metadata = Field(default_factory=dict, description="The request's metadata.")
    timings: dict[str, float] = Field(
        default_factory=dict, description="Seconds spent per stage so far, e.g. script, render."
    )
    requested_at: AwareDatetime | None = None


class VideoStatus(Event):
    """A job's state changed, or (source=webhook) a provider hinted that it did."""

    event_type: ClassVar[str] = VIDEO_STATUS
    state: JobState
    progress: int = Field(default=0, ge=0, le=100)
    source: StatusSource
    provider: str | None = None
    provider_video_id: str | None = Field(default=None, max_length=200)
    error: ErrorInfo | None = None
    rendered: RenderedVideo | None = None
    detail: str | None = Field(default=None, max_length=500, description="Human-readable note.")

    @model_validator(mode="after")
    def _consistent(self) -> VideoStatus:
        if self.state is JobState.FAILED and self.error is None:
            raise ValueError("a failed status must carry error {code, message, retryable, stage}")
        if (
            self.state is JobState.RENDERED
            and self.source is StatusSource.RENDER
            and self.rendered is None
        ):
            raise ValueError("an authoritative rendered status must carry `rendered` (the URL)")
        return self


class Asset(ContractModel):
    uri: str = Field(description="Permanent location, e.g. s3://bucket/key or file:///path.")
    signed_url: AnyHttpUrl
    signed_url_expires_at: AwareDatetime
    content_type: str = "video/mp4"
    size_bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    duration_s: float = Field(ge=0)
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    video_codec: str | None = None
    audio_codec: str | None = None
    thumbnail_uri: str | None = None
    thumbnail_url: AnyHttpUrl | None = None


class VideoReady(Event):
    """The finished video is in object storage."""

    event_type: ClassVar[str] = VIDEO_READY
    asset: Asset
    provider: str
    provider_video_id: str | None = None
    cost: Cost | None = None
    timings: dict[str, float] = Field(
        default_factory=dict,
        description="Seconds per stage (script, render, storage) and total (requested -> ready).",
    )
    metadata: Metadata = Field(default_factory=dict)


class DeadLetterError(ContractModel):
    type: str
    message: str = Field(max_length=4000)


class DeadLetter(ContractModel):
    """A message that could not be handled, with where it came from and why.

    Not an :class:`Event`: a message that does not parse has no trustworthy job or tenant.
    """

    event_type: ClassVar[str] = "dead_letter"
    schema_version: int = 1
    event_id: UUID
    occurred_at: AwareDatetime
    job_id: UUID | None = None
    tenant_id: str | None = None
    consumer_group: str
    original_topic: str
    original_partition: int
    original_offset: int
    original_key: str | None = None
    original_headers: dict[str, str] = Field(default_factory=dict)
    payload: str = Field(description="The original value, as UTF-8 text (or base64: prefixed).")
    error: DeadLetterError
    attempts: int = Field(ge=1)
    reason: Literal["unparseable", "retries_exhausted", "permanent_error"]


EVENT_TYPES: dict[str, type[Event]] = {
    cls.event_type: cls for cls in (ScriptRequested, VideoRequested, VideoStatus, VideoReady)
}
