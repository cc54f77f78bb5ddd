"""One provider delivery -> at most one acknowledged ``video.status`` signal.

The answer tells the provider what to do: 2xx only when the signal is on Kafka (or when there is
nothing to do), 503 when Kafka or the database cannot take it now (retry later), 4xx for input
that no retry can fix. Nothing here raises for bad input.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from pydantic import SecretStr

from reelforge.contracts import VIDEO_STATUS, Event
from reelforge.runtime import callback_tokens as callback_token

from ..adapters.deliveries import DeliveryContext
from ..adapters.publisher import BrokerUnavailableError
from ..domain import heygen_signature, webhook_mapping
from ..domain.webhook_mapping import IgnoredEvent, MalformedPayloadError, Provider

logger = logging.getLogger(__name__)

ContextLookup = Callable[[str, str, UUID], Awaitable[DeliveryContext]]
DeliveryRecorder = Callable[[str, str, UUID, UUID], Awaitable[None]]
Publish = Callable[[str, Event], Awaitable[None]]


@dataclass(frozen=True)
class WebhookResult:
    status_code: int
    outcome: str
    """For metrics and logs: accepted, duplicate, ignored, unknown_job, malformed, a rejection
    reason (bad_signature, stale_timestamp, bad_token, ...), or broker_unavailable."""
    event_type: str = "unknown"
    job_id: UUID | None = None
    detail: str | None = None

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"outcome": self.outcome}
        if self.detail:
            body["detail"] = self.detail
        if self.job_id:
            body["job_id"] = str(self.job_id)
        return body


@dataclass(frozen=True)
class WebhookPolicy:
    heygen_secrets: Sequence[SecretStr]
    token_secrets: Sequence[SecretStr]
    tolerance: timedelta


@dataclass(frozen=True)
class _Authenticated:
    delivery_id: str
    url_job_id: UUID | None


class WebhookHandler:
    def __init__(
        self,
        policy: WebhookPolicy,
        lookup: ContextLookup,
        record: DeliveryRecorder,
        publish: Publish,
        clock: Callable[[], datetime],
    ) -> None:
        self.policy = policy
        self.lookup = lookup
        self.record = record
        self.publish = publish
        self.clock = clock

    async def handle(
        self,
        provider: Provider,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
    ) -> WebhookResult:
        auth = self._authenticate(provider, headers, query, body)
        if isinstance(auth, WebhookResult):
            return auth
        try:
            parsed = (
                webhook_mapping.parse_heygen(body)
                if provider is Provider.HEYGEN
                else webhook_mapping.parse_did(body)
            )
        except MalformedPayloadError as error:
            return WebhookResult(400, "malformed", detail=str(error)[:500])
        if isinstance(parsed, IgnoredEvent):
            return WebhookResult(200, "ignored", parsed.provider_event, detail=parsed.reason)
        event_type = parsed.provider_event
        job_id = auth.url_job_id or parsed.job_id
        if auth.url_job_id and parsed.job_id and parsed.job_id != auth.url_job_id:
            return WebhookResult(
                400,
                "job_mismatch",
                event_type,
                auth.url_job_id,
                "the body names another job than the callback URL",
            )
        if job_id is None:
            return WebhookResult(200, "ignored", event_type, detail="no reelforge job named")
        try:
            context = await self.lookup(provider.value, auth.delivery_id, job_id)
        except Exception:
            logger.exception("delivery lookup failed")
            return WebhookResult(503, "database_unavailable", event_type, job_id)
        if context.duplicate:
            return WebhookResult(200, "duplicate", event_type, job_id)
        if context.tenant_id is None:
            return WebhookResult(404, "unknown_job", event_type, job_id, "no such reelforge job")
        event_id = webhook_mapping.status_event_id(provider, auth.delivery_id)
        status = webhook_mapping.to_video_status(
            parsed, job_id=job_id, tenant_id=context.tenant_id, event_id=event_id
        )
        try:
            await self.publish(VIDEO_STATUS, status)
        except BrokerUnavailableError as error:
            return WebhookResult(503, "broker_unavailable", event_type, job_id, str(error))
        try:
            await self.record(provider.value, auth.delivery_id, job_id, event_id)
        except Exception:
            logger.exception("delivery published but not recorded; a retry republishes it")
        return WebhookResult(200, "accepted", event_type, job_id)

    def _authenticate(
        self,
        provider: Provider,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
    ) -> _Authenticated | WebhookResult:
        if callback_token.TOKEN_PARAM in query or callback_token.JOB_ID_PARAM in query:
            return self._token(provider, headers, query, body)
        if provider is not Provider.HEYGEN:
            return WebhookResult(401, "missing_token", detail="callback URL carries no token")
        try:
            delivery = heygen_signature.verify(
                headers,
                body,
                self.policy.heygen_secrets,
                now=self.clock(),
                tolerance=self.policy.tolerance,
            )
        except heygen_signature.SignatureError as error:
            return WebhookResult(401, error.reason.value, detail=error.detail)
        return _Authenticated(delivery.event_id, None)

    def _token(
        self,
        provider: Provider,
        headers: Mapping[str, str],
        query: Mapping[str, str],
        body: bytes,
    ) -> _Authenticated | WebhookResult:
        try:
            job_id = UUID(query.get(callback_token.JOB_ID_PARAM, ""))
        except ValueError:
            return WebhookResult(401, "bad_token", detail="job_id is missing or not a UUID")
        token = query.get(callback_token.TOKEN_PARAM, "")
        if not callback_token.is_valid(self.policy.token_secrets, provider.value, job_id, token):
            return WebhookResult(401, "bad_token", detail="token does not match the job")
        provided = headers.get(heygen_signature.EVENT_ID_HEADER)
        delivery_id = (
            f"token:{job_id}:{provided}"
            if provided and provided.isascii() and len(provided) <= 200
            else f"token:{job_id}:{hashlib.sha256(body).hexdigest()}"
        )
        return _Authenticated(delivery_id, job_id)
