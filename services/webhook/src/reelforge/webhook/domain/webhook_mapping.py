"""Provider webhook bodies -> one ``video.status`` signal (source=webhook) per accepted delivery.

A signal is a hint: the render service confirms it with the provider's status API before it
publishes the authoritative ``rendered`` or ``failed``. Event types reelforge does not use are
recognised and ignored (the provider still gets its 2xx).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reelforge.contracts import (
    ErrorInfo,
    JobState,
    RenderedVideo,
    Stage,
    StatusSource,
    VideoStatus,
)

HEYGEN_SUCCESS = "avatar_video.success"
HEYGEN_FAIL = "avatar_video.fail"
DID_DONE = "done"
DID_FAILED = ("error", "rejected")
PROVIDER_FAILED_CODE = "provider_render_failed"
_EVENT_NAMESPACE = uuid.UUID("6f1c52c4-35a4-4f0e-9a37-5a0f6f0b7e1e")
_Model = TypeVar("_Model", bound=BaseModel)


class Provider(StrEnum):
    HEYGEN = "heygen"
    DID = "did"


class MalformedPayloadError(ValueError):
    """The body is not JSON, or not the shape the provider documents; names what is wrong."""


@dataclass(frozen=True)
class RenderSignal:
    """What the provider says happened to one render."""

    provider: Provider
    provider_event: str
    state: Literal[JobState.RENDERED, JobState.FAILED]
    provider_video_id: str
    job_id: UUID | None
    """The job the body names (HeyGen ``callback_id``, D-ID ``user_data``), if it names one."""
    video_url: str | None = None
    failure: str | None = None


@dataclass(frozen=True)
class IgnoredEvent:
    """A well-formed delivery reelforge has no use for (other event types, foreign videos)."""

    provider: Provider
    provider_event: str
    reason: str


class _Loose(BaseModel):
    model_config = ConfigDict(extra="ignore")


class _HeyGenEnvelope(_Loose):
    event_type: str = Field(min_length=1, max_length=100)
    event_data: dict[str, Any]


class _HeyGenVideoData(_Loose):
    video_id: str = Field(min_length=1, max_length=200)
    callback_id: str | None = Field(default=None, max_length=200)
    url: str | None = Field(default=None, max_length=4096)
    msg: str | None = None
    message: str | None = None
    failure_message: str | None = None
    failure_code: str | None = None


class _DidError(_Loose):
    kind: str | None = None
    description: str | None = None


class _DidTalk(_Loose):
    id: str = Field(min_length=1, max_length=200)
    status: str = Field(min_length=1, max_length=50)
    result_url: str | None = Field(default=None, max_length=4096)
    user_data: str | None = Field(default=None, max_length=1000)
    error: _DidError | str | None = None


def parse_heygen(body: bytes) -> RenderSignal | IgnoredEvent:
    envelope = _parse(_HeyGenEnvelope, body)
    event_type = envelope.event_type
    if event_type not in (HEYGEN_SUCCESS, HEYGEN_FAIL):
        return IgnoredEvent(Provider.HEYGEN, event_type, "event type not used by reelforge")
    data = _validate(_HeyGenVideoData, envelope.event_data, prefix="event_data.")
    job_id = _uuid_or_none(data.callback_id)
    if job_id is None:
        return IgnoredEvent(Provider.HEYGEN, event_type, "callback_id is not a reelforge job id")
    if event_type == HEYGEN_SUCCESS:
        return RenderSignal(
            Provider.HEYGEN, event_type, JobState.RENDERED, data.video_id, job_id, data.url
        )
    reason = data.failure_message or data.msg or data.message or "HeyGen reported a failure"
    if data.failure_code:
        reason = f"{data.failure_code}: {reason}"
    return RenderSignal(
        Provider.HEYGEN, event_type, JobState.FAILED, data.video_id, job_id, failure=reason
    )


def parse_did(body: bytes) -> RenderSignal | IgnoredEvent:
    talk = _parse(_DidTalk, body)
    event = f"talk.{talk.status}"
    job_id = _uuid_or_none(talk.user_data)
    if talk.status == DID_DONE:
        return RenderSignal(
            Provider.DID, event, JobState.RENDERED, talk.id, job_id, talk.result_url
        )
    if talk.status in DID_FAILED:
        return RenderSignal(
            Provider.DID, event, JobState.FAILED, talk.id, job_id, failure=_did_failure(talk)
        )
    return IgnoredEvent(Provider.DID, event, "talk not finished yet")


def status_event_id(provider: Provider, delivery_id: str) -> UUID:
    """The ``event_id`` of the signal for one delivery: the same for every retry of it, so a
    duplicate that slips past the dedupe table still carries the event_id consumers drop."""
    return uuid.uuid5(_EVENT_NAMESPACE, f"{provider.value}:{delivery_id}")


def to_video_status(
    signal: RenderSignal, *, job_id: UUID, tenant_id: str, event_id: UUID
) -> VideoStatus:
    """The ``video.status`` hint for `signal` about `job_id`."""
    rendered = None
    if signal.state is JobState.RENDERED and signal.video_url:
        rendered = _rendered_or_none(signal.video_url)
    error = None
    if signal.state is JobState.FAILED:
        error = ErrorInfo(
            code=PROVIDER_FAILED_CODE,
            message=(signal.failure or "the provider reported a failure")[:2000],
            retryable=False,
            stage=Stage.RENDER,
        )
    return VideoStatus(
        event_id=event_id,
        job_id=job_id,
        tenant_id=tenant_id,
        state=signal.state,
        source=StatusSource.WEBHOOK,
        provider=signal.provider.value,
        provider_video_id=signal.provider_video_id,
        rendered=rendered,
        error=error,
        progress=100 if signal.state is JobState.RENDERED else 0,
        detail=f"{signal.provider.value} {signal.provider_event} (hint, confirmed by render)",
    )


def _parse(model: type[_Model], body: bytes) -> _Model:
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        raise MalformedPayloadError(_describe(error)) from error


def _validate(model: type[_Model], data: dict[str, Any], prefix: str) -> _Model:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise MalformedPayloadError(_describe(error, prefix)) from error


def _describe(error: ValidationError, prefix: str = "") -> str:
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in item["loc"])
        problems.append(f"{prefix}{path or '(body)'}: {item['msg']}")
    return "; ".join(problems)


def _uuid_or_none(value: str | None) -> UUID | None:
    if not value:
        return None
    try:
        return UUID(value)
    except ValueError:
        return None


def _rendered_or_none(url: str) -> RenderedVideo | None:
    """The video the hint names, if its URL is an http(s) URL (render fetches the real one)."""
    try:
        return RenderedVideo.model_validate({"url": url})
    except ValidationError:
        return None


def _did_failure(talk: _DidTalk) -> str:
    if isinstance(talk.error, _DidError):
        parts = [p for p in (talk.error.kind, talk.error.description) if p]
        if parts:
            return ": ".join(parts)
    if isinstance(talk.error, str) and talk.error:
        return talk.error
    return f"D-ID talk {talk.status}"
