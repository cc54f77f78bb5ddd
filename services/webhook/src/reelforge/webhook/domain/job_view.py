"""The job view that ``GET /v1/videos/{id}`` shows, folded from ``video.status`` / ``video.ready``.

Rules:
- The state only moves forward along the pipeline (accepted ... ready); ``failed`` and ``ready``
  are final. A status that arrives late (a ``queued`` after ``rendering``, from another producer or
  a redelivery) still lands in the history, in time order, but does not move the state back.
- Statuses with ``source=webhook`` are provider hints that the render service has not confirmed
  yet: they are kept in ``hints`` and never change the state.
- An event already applied (same ``event_id``) changes nothing, so redeliveries are harmless.
- Progress never goes down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from reelforge.contracts import (
    Asset,
    Cost,
    ErrorInfo,
    JobState,
    StatusSource,
    VideoReady,
    VideoStatus,
    VideoType,
)

MAX_HINTS = 20
_ORDER = {
    JobState.ACCEPTED: 0,
    JobState.SCRIPTING: 1,
    JobState.QUEUED: 2,
    JobState.SUBMITTED: 3,
    JobState.RENDERING: 4,
    JobState.RENDERED: 5,
    JobState.STORING: 6,
    JobState.READY: 7,
    JobState.FAILED: 8,
}
_BASELINE_PROGRESS = {
    JobState.ACCEPTED: 0,
    JobState.SCRIPTING: 5,
    JobState.QUEUED: 10,
    JobState.SUBMITTED: 15,
    JobState.RENDERING: 20,
    JobState.RENDERED: 80,
    JobState.STORING: 90,
    JobState.READY: 100,
    JobState.FAILED: 0,
}


class HistoryEntry(BaseModel):
    model_config = ConfigDict(frozen=True)
    state: JobState
    at: datetime
    source: StatusSource
    event_id: UUID
    detail: str | None = None
    provider: str | None = None


class ProviderHint(BaseModel):
    """A provider said something (by webhook) that the render service has yet to confirm."""

    model_config = ConfigDict(frozen=True)
    state: JobState
    at: datetime
    provider: str | None
    provider_video_id: str | None
    event_id: UUID
    detail: str | None = None


class JobView(BaseModel):
    model_config = ConfigDict(frozen=True)
    job_id: UUID
    tenant_id: str
    state: JobState
    progress: int = Field(ge=0, le=100)
    created_at: datetime
    updated_at: datetime
    video_type: VideoType | None = None
    provider: str | None = None
    provider_video_id: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    hints: tuple[ProviderHint, ...] = ()
    asset: Asset | None = None
    cost: Cost | None = None
    timings: dict[str, float] = Field(default_factory=dict)
    metadata: dict[str, Any] = Field(default_factory=dict)
    error: ErrorInfo | None = None

    @property
    def is_final(self) -> bool:
        return self.state.is_terminal


class Outcome(StrEnum):
    """What applying one event did to the view."""

    CREATED = "created"
    ADVANCED = "advanced"
    PROGRESSED = "progressed"
    HINTED = "hinted"
    BACKFILLED = "backfilled"
    """A late event was added to the history; the state did not move."""
    IGNORED = "ignored"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class Applied:
    view: JobView
    outcome: Outcome

    @property
    def changed(self) -> bool:
        return self.outcome not in (Outcome.IGNORED, Outcome.DUPLICATE)

    @property
    def became_final(self) -> bool:
        """True exactly once per job: when it reached ready or failed."""
        return self.outcome in (Outcome.ADVANCED, Outcome.CREATED) and self.view.is_final


def accepted(
    job_id: UUID,
    tenant_id: str,
    *,
    at: datetime,
    event_id: UUID,
    video_type: VideoType | None = None,
    metadata: dict[str, Any] | None = None,
) -> JobView:
    """The view of a job the submission API just accepted."""
    return JobView(
        job_id=job_id,
        tenant_id=tenant_id,
        state=JobState.ACCEPTED,
        progress=0,
        created_at=at,
        updated_at=at,
        video_type=video_type,
        history=(
            HistoryEntry(
                state=JobState.ACCEPTED, at=at, source=StatusSource.API, event_id=event_id
            ),
        ),
        metadata=metadata or {},
    )


def apply_status(view: JobView | None, event: VideoStatus) -> Applied:
    if view is not None and _seen(view, event.event_id):
        return Applied(view, Outcome.DUPLICATE)
    if event.source is StatusSource.WEBHOOK:
        return _hint(view, event)
    entry = HistoryEntry(
        state=event.state,
        at=event.occurred_at,
        source=event.source,
        event_id=event.event_id,
        detail=event.detail,
        provider=event.provider,
    )
    if view is None:
        created = JobView(
            job_id=event.job_id,
            tenant_id=event.tenant_id,
            state=event.state,
            progress=_progress(0, event.state, event.progress),
            created_at=event.occurred_at,
            updated_at=event.occurred_at,
            provider=event.provider,
            provider_video_id=event.provider_video_id,
            history=(entry,),
            error=event.error,
        )
        return Applied(created, Outcome.CREATED)
    if view.is_final or event.state is JobState.READY:
        # Only video.ready makes a view ready: it carries the asset, which a client that saw
        # `ready` (e.g. at the end of the SSE stream) must find in the view.
        return _backfill(view, entry)
    rank, current = _ORDER[event.state], _ORDER[view.state]
    if rank > current:
        advanced = view.model_copy(
            update={
                "state": event.state,
                "progress": _progress(view.progress, event.state, event.progress),
                "updated_at": max(view.updated_at, event.occurred_at),
                "provider": event.provider or view.provider,
                "provider_video_id": event.provider_video_id or view.provider_video_id,
                "history": _with(view.history, entry),
                "error": event.error if event.state is JobState.FAILED else None,
            }
        )
        return Applied(advanced, Outcome.ADVANCED)
    if rank == current:
        return _same_state(view, event, entry)
    return _backfill(view, entry)


def _backfill(view: JobView, entry: HistoryEntry) -> Applied:
    """A status that arrived after a later one (other topic, other producer): history only."""
    if entry.state.is_terminal or any(item.state is entry.state for item in view.history):
        return Applied(view, Outcome.IGNORED)
    return Applied(
        view.model_copy(update={"history": _with(view.history, entry)}), Outcome.BACKFILLED
    )


def apply_ready(view: JobView | None, event: VideoReady) -> Applied:
    if view is not None and (_seen(view, event.event_id) or view.state is JobState.READY):
        return Applied(view, Outcome.DUPLICATE)
    if view is not None and view.is_final:
        return Applied(view, Outcome.IGNORED)
    entry = HistoryEntry(
        state=JobState.READY,
        at=event.occurred_at,
        source=StatusSource.STORAGE,
        event_id=event.event_id,
        provider=event.provider,
    )
    ready = {
        "state": JobState.READY,
        "progress": 100,
        "provider": event.provider,
        "provider_video_id": event.provider_video_id,
        "asset": event.asset,
        "cost": event.cost,
        "timings": dict(event.timings),
        "metadata": dict(event.metadata),
        "error": None,
    }
    if view is None:
        created = JobView(
            job_id=event.job_id,
            tenant_id=event.tenant_id,
            created_at=event.occurred_at,
            updated_at=event.occurred_at,
            history=(entry,),
            **ready,
        )
        return Applied(created, Outcome.CREATED)
    ready |= {
        "provider_video_id": event.provider_video_id or view.provider_video_id,
        "cost": event.cost or view.cost,
        "updated_at": max(view.updated_at, event.occurred_at),
        "history": _with(view.history, entry),
        "metadata": dict(event.metadata) or view.metadata,
    }
    return Applied(view.model_copy(update=ready), Outcome.ADVANCED)


def _hint(view: JobView | None, event: VideoStatus) -> Applied:
    if view is None:
        return Applied(
            JobView(
                job_id=event.job_id,
                tenant_id=event.tenant_id,
                state=JobState.ACCEPTED,
                progress=0,
                created_at=event.occurred_at,
                updated_at=event.occurred_at,
                hints=(_as_hint(event),),
            ),
            Outcome.HINTED,
        )
    if view.is_final:
        return Applied(view, Outcome.IGNORED)
    hints = (*view.hints, _as_hint(event))[-MAX_HINTS:]
    return Applied(view.model_copy(update={"hints": hints}), Outcome.HINTED)


def _as_hint(event: VideoStatus) -> ProviderHint:
    return ProviderHint(
        state=event.state,
        at=event.occurred_at,
        provider=event.provider,
        provider_video_id=event.provider_video_id,
        event_id=event.event_id,
        detail=event.detail,
    )


def _same_state(view: JobView, event: VideoStatus, entry: HistoryEntry) -> Applied:
    progress = _progress(view.progress, event.state, event.progress)
    switched = bool(event.provider) and (
        event.provider != view.provider or event.provider_video_id != view.provider_video_id
    )
    if not switched and progress == view.progress:
        return Applied(view, Outcome.IGNORED)
    update: dict[str, Any] = {
        "progress": progress,
        "updated_at": max(view.updated_at, event.occurred_at),
    }
    if switched:
        update |= {
            "provider": event.provider,
            "provider_video_id": event.provider_video_id,
            "history": _with(view.history, entry),
        }
    return Applied(view.model_copy(update=update), Outcome.PROGRESSED)


def _progress(current: int, state: JobState, reported: int) -> int:
    return max(current, _BASELINE_PROGRESS[state], reported if state is not JobState.FAILED else 0)


def _with(history: tuple[HistoryEntry, ...], entry: HistoryEntry) -> tuple[HistoryEntry, ...]:
    return tuple(sorted((*history, entry), key=lambda item: (item.at, _ORDER[item.state])))


def _seen(view: JobView, event_id: UUID) -> bool:
    return any(item.event_id == event_id for item in view.history) or any(
        hint.event_id == event_id for hint in view.hints
    )
