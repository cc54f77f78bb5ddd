"""Submissions from upstream systems: one job per request (or per Idempotency-Key), its request
event written to the outbox in the same transaction as the job view, so neither is lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

from reelforge.contracts import SCRIPT_REQUESTED, VIDEO_REQUESTED
from reelforge.runtime.db import Pool, add_to_outbox, transaction

from ..adapters import jobs
from ..domain import job_view
from ..domain.api_models import CreateScriptRequest, CreateVideoRequest


class IdempotencyConflictError(Exception):
    """The Idempotency-Key was used before for a different request."""


@dataclass(frozen=True)
class Submitted:
    job_id: UUID
    replayed: bool
    """True when an earlier request with the same Idempotency-Key created the job."""


async def submit(
    pool: Pool,
    tenant_id: str,
    request: CreateVideoRequest | CreateScriptRequest,
    *,
    idempotency_key: str | None,
    now: datetime,
) -> Submitted:
    job_id = uuid4()
    async with transaction(pool) as conn:
        if idempotency_key is not None:
            earlier = await jobs.claim_idempotency_key(
                conn, tenant_id, idempotency_key, request.fingerprint(), job_id
            )
            if earlier is not None:
                earlier_job, fingerprint = earlier
                if fingerprint != request.fingerprint():
                    raise IdempotencyConflictError(
                        "this Idempotency-Key was used for a different request"
                    )
                return Submitted(earlier_job, replayed=True)
        event = request.to_event(job_id=job_id, tenant_id=tenant_id, requested_at=now)
        topic = VIDEO_REQUESTED if isinstance(request, CreateVideoRequest) else SCRIPT_REQUESTED
        view = job_view.accepted(
            job_id,
            tenant_id,
            at=now,
            event_id=event.event_id,
            video_type=request.video_type,
            metadata=request.metadata,
        )
        callback = str(request.callback_url) if request.callback_url else None
        await jobs.save(conn, view, callback)
        await add_to_outbox(conn, topic, event)
    return Submitted(job_id, replayed=False)
