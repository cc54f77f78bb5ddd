"""The script service's one handler: a brief becomes a spoken script and a `video.requested`."""

from __future__ import annotations

import json
import logging

from reelforge.contracts import (
    VIDEO_REQUESTED,
    VIDEO_STATUS,
    ErrorInfo,
    JobState,
    ScriptRequested,
    StatusSource,
    VideoRequested,
    VideoStatus,
    utc_now,
)
from reelforge.runtime.db import Pool, add_to_outbox, claim_once, transaction

from ..domain.writer import ScriptBrief, ScriptError, ScriptWriter

logger = logging.getLogger(__name__)


async def handle_script_requested(
    event: ScriptRequested, pool: Pool, writer: ScriptWriter, *, max_scene_chars: int
) -> None:
    async with transaction(pool) as conn:
        if await conn.fetchval("SELECT 1 FROM scripts WHERE job_id = $1", event.job_id):
            return
        if await claim_once(conn, "script.started", str(event.job_id)):
            await add_to_outbox(conn, VIDEO_STATUS, _status(event, JobState.SCRIPTING, 2))
    try:
        written = await writer.write(ScriptBrief.from_request(event))
        scenes = written.to_scenes(event.scenes, max_scene_chars)
    except ScriptError as error:
        async with transaction(pool) as conn:
            if await claim_once(conn, "script.failed", str(event.job_id)):
                await add_to_outbox(
                    conn, VIDEO_STATUS, _status(event, JobState.FAILED, 100, error.to_error_info())
                )
        logger.warning("script failed", extra={"code": error.code, "reason": error.message})
        return
    request = VideoRequested(
        job_id=event.job_id,
        tenant_id=event.tenant_id,
        correlation_id=event.correlation_id,
        video_type=event.video_type,
        language=event.language,
        scenes=scenes,
        render=event.render,
        script=written.script_info(),
        requested_at=event.occurred_at,
        metadata=event.metadata,
    )
    async with transaction(pool) as conn:
        inserted = await conn.fetchval(
            "INSERT INTO scripts (job_id, tenant_id, regenerate_of, writer, scenes, words)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id) DO NOTHING RETURNING 1",
            event.job_id,
            event.tenant_id,
            event.regenerate_of,
            written.writer,
            json.dumps([s.script for s in scenes]),
            written.words,
        )
        if inserted:
            await add_to_outbox(conn, VIDEO_REQUESTED, request)


def _status(
    event: ScriptRequested, state: JobState, progress: int, error: ErrorInfo | None = None
) -> VideoStatus:
    return VideoStatus(
        job_id=event.job_id,
        tenant_id=event.tenant_id,
        correlation_id=event.correlation_id,
        occurred_at=utc_now(),
        state=state,
        progress=progress,
        source=StatusSource.SCRIPT,
        error=error,
    )
