"""The job view folded from video.status and video.ready."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from reelforge.contracts import (
    Asset,
    ErrorInfo,
    JobState,
    RenderedVideo,
    Stage,
    StatusSource,
    VideoReady,
    VideoStatus,
)
from reelforge.webhook.domain import job_view
from reelforge.webhook.domain.job_view import JobView, Outcome

pytestmark = pytest.mark.unit

JOB = UUID("5a0f8a4e-2d0c-4c1d-9a57-3c7b8a1d2e3f")
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _status(state: JobState, minute: int, **fields: Any) -> VideoStatus:
    if state is JobState.FAILED and "error" not in fields:
        fields["error"] = ErrorInfo(
            code="avatar_not_found", message="no such avatar", stage=Stage.RENDER
        )
    fields.setdefault("source", StatusSource.RENDER)
    if state is JobState.RENDERED and fields["source"] is StatusSource.RENDER:
        fields.setdefault("rendered", RenderedVideo(url="https://files.example.com/v.mp4"))
    return VideoStatus(
        job_id=JOB,
        tenant_id="acme",
        state=state,
        occurred_at=T0 + timedelta(minutes=minute),
        **fields,
    )


def _ready(minute: int) -> VideoReady:
    asset = Asset(
        uri="s3://videos/acme/j.mp4",
        signed_url="https://store.example.com/j.mp4?sig=1",
        signed_url_expires_at=T0 + timedelta(days=7),
        size_bytes=1234,
        sha256="a" * 64,
        duration_s=31.5,
        width=1280,
        height=720,
        thumbnail_uri="s3://videos/acme/j.jpg",
    )
    return VideoReady(
        job_id=JOB,
        tenant_id="acme",
        occurred_at=T0 + timedelta(minutes=minute),
        asset=asset,
        provider="local",
        metadata={"listing": "L-1"},
    )


def _fold(events: list[VideoStatus | VideoReady]) -> JobView:
    view: JobView | None = job_view.accepted(JOB, "acme", at=T0, event_id=uuid4())
    for event in events:
        if isinstance(event, VideoReady):
            view = job_view.apply_ready(view, event).view
        else:
            view = job_view.apply_status(view, event).view
    assert view is not None
    return view


def test_a_job_moves_through_the_pipeline_with_timed_history_and_ends_with_its_asset() -> None:
    view = _fold(
        [
            _status(JobState.QUEUED, 1),
            _status(JobState.SUBMITTED, 2, provider="heygen", provider_video_id="v1"),
            _status(JobState.RENDERING, 3, progress=40),
            _status(JobState.RENDERED, 5),
            _status(JobState.STORING, 6, source=StatusSource.STORAGE),
            _ready(7),
        ]
    )
    assert view.state is JobState.READY
    assert view.progress == 100
    assert [h.state for h in view.history] == [
        JobState.ACCEPTED,
        JobState.QUEUED,
        JobState.SUBMITTED,
        JobState.RENDERING,
        JobState.RENDERED,
        JobState.STORING,
        JobState.READY,
    ]
    assert view.history[-1].at == T0 + timedelta(minutes=7)
    assert view.asset is not None
    assert view.asset.size_bytes == 1234
    assert view.provider_video_id == "v1"
    assert view.metadata == {"listing": "L-1"}
    assert view.updated_at == T0 + timedelta(minutes=7)


def test_a_late_earlier_state_is_recorded_but_does_not_move_the_state_back() -> None:
    view = _fold([_status(JobState.RENDERING, 3, progress=50), _status(JobState.QUEUED, 1)])
    assert view.state is JobState.RENDERING
    assert view.progress == 50
    assert [h.state for h in view.history] == [
        JobState.ACCEPTED,
        JobState.QUEUED,
        JobState.RENDERING,
    ]


def test_progress_never_goes_down() -> None:
    view = _fold(
        [
            _status(JobState.RENDERING, 3, progress=60),
            _status(JobState.RENDERING, 4, progress=30),
        ]
    )
    assert view.progress == 60


def test_progress_updates_within_a_state_do_not_flood_the_history() -> None:
    view = _fold([_status(JobState.RENDERING, 3, progress=p) for p in (30, 50, 70)])
    assert view.progress == 70
    assert sum(1 for h in view.history if h.state is JobState.RENDERING) == 1


def test_webhook_statuses_are_hints_that_never_change_the_state() -> None:
    hint = _status(
        JobState.RENDERED, 4, source=StatusSource.WEBHOOK, provider="heygen", provider_video_id="v1"
    )
    before = _fold([_status(JobState.RENDERING, 3)])
    applied = job_view.apply_status(before, hint)
    assert applied.outcome is Outcome.HINTED
    assert applied.view.state is JobState.RENDERING
    assert applied.view.hints[-1].state is JobState.RENDERED
    assert applied.view.hints[-1].provider_video_id == "v1"


def test_a_webhook_failure_hint_does_not_fail_the_job() -> None:
    view = _fold(
        [_status(JobState.RENDERING, 3), _status(JobState.FAILED, 4, source=StatusSource.WEBHOOK)]
    )
    assert view.state is JobState.RENDERING
    assert view.error is None


def test_a_failure_is_final_and_carries_the_error() -> None:
    view = _fold([_status(JobState.SUBMITTED, 2), _status(JobState.FAILED, 3), _ready(9)])
    assert view.state is JobState.FAILED
    assert view.error is not None
    assert view.error.code == "avatar_not_found"
    assert view.asset is None


def test_the_same_event_applied_twice_changes_nothing_the_second_time() -> None:
    event = _status(JobState.QUEUED, 1)
    once = _fold([event])
    again = job_view.apply_status(once, event)
    assert again.outcome is Outcome.DUPLICATE
    assert again.view == once


def test_reaching_a_final_state_is_reported_exactly_once() -> None:
    view = _fold([_status(JobState.RENDERED, 5)])
    first = job_view.apply_ready(view, _ready(7))
    second = job_view.apply_ready(first.view, _ready(8))
    assert first.became_final
    assert not second.became_final
    assert not second.changed


def test_a_view_can_start_from_any_event_when_the_job_was_not_submitted_here() -> None:
    applied = job_view.apply_status(None, _status(JobState.QUEUED, 1, provider="local"))
    assert applied.outcome is Outcome.CREATED
    assert applied.view.state is JobState.QUEUED
    assert applied.view.tenant_id == "acme"
    assert applied.view.created_at == T0 + timedelta(minutes=1)


def test_a_provider_switch_in_the_same_state_is_recorded() -> None:
    view = _fold(
        [
            _status(JobState.SUBMITTED, 2, provider="heygen", provider_video_id="v1"),
            _status(JobState.SUBMITTED, 4, provider="did", provider_video_id="tlk_1"),
        ]
    )
    assert view.provider == "did"
    assert [h.provider for h in view.history if h.state is JobState.SUBMITTED] == ["heygen", "did"]


def test_a_status_consumed_after_ready_lands_in_history_and_the_job_stays_ready() -> None:
    view = _fold([_status(JobState.RENDERED, 5), _ready(7), _status(JobState.RENDERING, 3)])
    assert view.state is JobState.READY
    assert [h.state for h in view.history] == [
        JobState.ACCEPTED,
        JobState.RENDERING,
        JobState.RENDERED,
        JobState.READY,
    ]
    late_failure = job_view.apply_status(view, _status(JobState.FAILED, 8))
    assert late_failure.outcome is Outcome.IGNORED


def test_a_ready_status_before_video_ready_leaves_the_job_unfinished_until_the_asset_arrives() -> (
    None
):
    storing = _fold([_status(JobState.STORING, 6), _status(JobState.READY, 7)])
    assert storing.state is JobState.STORING
    assert not storing.is_final
    assert storing.asset is None

    ready = job_view.apply_ready(storing, _ready(7)).view
    assert ready.state is JobState.READY
    assert ready.asset is not None
