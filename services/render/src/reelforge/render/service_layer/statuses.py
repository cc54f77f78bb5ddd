"""Building the `video.status` events the render service is the authority for."""

from __future__ import annotations

from reelforge.contracts import (
    ErrorInfo,
    JobState,
    RenderedVideo,
    Stage,
    StatusSource,
    VideoRequested,
    VideoStatus,
)

from ..domain.job import progress_of


def render_status(
    request: VideoRequested,
    state: JobState,
    *,
    provider: str | None = None,
    provider_video_id: str | None = None,
    fraction: float | None = None,
    error: tuple[str, str, bool] | None = None,
    rendered: RenderedVideo | None = None,
    detail: str | None = None,
) -> VideoStatus:
    return VideoStatus(
        job_id=request.job_id,
        tenant_id=request.tenant_id,
        correlation_id=request.correlation_id,
        state=state,
        progress=progress_of(state, fraction),
        source=StatusSource.RENDER,
        provider=provider,
        provider_video_id=provider_video_id,
        error=(
            ErrorInfo(code=error[0], message=error[1], retryable=error[2], stage=Stage.RENDER)
            if error
            else None
        ),
        rendered=rendered,
        detail=detail,
    )
