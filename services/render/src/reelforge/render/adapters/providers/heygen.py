"""HeyGen adapter on the v3 API (the v1/v2 endpoints of the seeds were retired in October 2026).

- ``POST /v3/videos`` (``type: "avatar"``): one avatar speaking one script, so one scene per
  video; the job_id travels as ``Idempotency-Key`` (HeyGen replays the first answer for 24 h)
  and as ``callback_id`` next to our ``callback_url``.
- ``GET /v3/videos/{id}``: pending | processing | completed | failed, presigned URLs.
- ``GET /v3/avatars/looks`` (a look's ``id`` is the ``avatar_id``) and ``GET /v3/voices``,
  cursor-paginated with ``has_more`` / ``next_token``.
- Errors: ``{"error": {"code", "message", "param", "doc_url"}}``, also inside an HTTP 200.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from reelforge.contracts import (
    AspectRatio,
    BackgroundType,
    Cost,
    Emotion,
    Quality,
    Resolution,
    VideoRequested,
    utc_now,
)
from reelforge.runtime.resilience import parse_retry_after

from ...domain.catalogue import Avatar, Voice
from ...domain.provider import (
    InsufficientCreditError,
    JobNotSupportedError,
    Pricing,
    ProviderAuthError,
    ProviderCapabilities,
    ProviderError,
    ProviderFailure,
    ProviderJob,
    ProviderRateLimitedError,
    ProviderRejectedError,
    ProviderRequestInProgressError,
    ProviderStatus,
    ProviderUnavailableError,
    ProviderUrlExpiredError,
    ProviderVideoNotFoundError,
    RenderState,
    ScriptTooLongError,
    Submission,
    UnknownAvatarError,
    UnknownVoiceError,
    WebhookScheme,
    WebhookVerification,
    estimate_cost,
    presigned_url_expiry,
)
from .http import ProviderHttp, counting_errors, json_body, short

NAME = "heygen"
SIGNATURE_HEADER = "Signature"
SUCCESS_EVENT = "avatar_video.success"
FAIL_EVENT = "avatar_video.fail"
MAX_LIST_PAGES = 40

CAPABILITIES = ProviderCapabilities(
    aspect_ratios=frozenset({AspectRatio.LANDSCAPE, AspectRatio.PORTRAIT}),
    resolutions=frozenset({Resolution.HD, Resolution.FULL_HD}),
    max_scenes=1,
    max_script_chars_per_scene=5000,
    languages=None,
    background_types=frozenset({BackgroundType.COLOR, BackgroundType.IMAGE}),
    captions=True,
    free_preview=False,
)
"""From the v3 reference: ``aspect_ratio`` is 16:9 or 9:16, ``background.type`` is color or
image, one avatar/script per request, and there is no ``test`` (free watermarked) mode."""

WEBHOOK_VERIFICATION = WebhookVerification(
    scheme=WebhookScheme.HMAC_SHA256_HEX,
    signature_header=SIGNATURE_HEADER,
    signed_content="the raw request body, byte for byte",
    verified_with="the endpoint secret returned once by POST /v3/webhooks/endpoints (whsec_...)",
    job_reference="event_data.callback_id (our job_id); event_data.video_id is HeyGen's id",
    event_types=(SUCCESS_EVENT, FAIL_EVENT),
    notes="Registered endpoints are signed; the per-job token in callback_url also identifies "
    "the job. A webhook is a hint: confirm with GET /v3/videos/{id}.",
)

_RATE_LIMIT_CODES = {"rate_limit_exceeded", "too_many_requests", "concurrency_limit_exceeded"}
_UNAVAILABLE_CODES = {"internal_error", "internal_server_error", "service_unavailable"}
_AUTH_CODES = {"unauthorized", "authentication_failed", "forbidden", "resource_access_denied"}
_CREDIT_CODES = {"insufficient_credit", "insufficient_credits", "payment_required"}
_STATES = {
    "waiting": RenderState.PENDING,
    "pending": RenderState.PENDING,
    "processing": RenderState.PROCESSING,
    "completed": RenderState.COMPLETED,
    "failed": RenderState.FAILED,
}


class HeyGenConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_key: SecretStr
    base_url: str = "https://api.heygen.com"
    timeout_s: float = Field(default=30.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    url_ttl_s: float = Field(
        default=7 * 24 * 3600, gt=0, description="Lifetime of a video URL (HeyGen: 7 days)."
    )
    url_min_remaining_s: float = Field(
        default=3600, ge=0, description="Never hand on a URL that expires sooner than this."
    )
    usd_per_second: dict[Resolution, float] = Field(
        default_factory=lambda: {Resolution.HD: 0.10, Resolution.FULL_HD: 0.10}
    )


def build_payload(job: ProviderJob) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The ``POST /v3/videos`` body for a one-scene job, and the options HeyGen cannot honour."""
    request = job.request
    reasons = CAPABILITIES.unsupported_reasons(request)
    if reasons:
        raise JobNotSupportedError(NAME, "; ".join(reasons))
    scene = request.scenes[0]
    options = request.render
    payload: dict[str, Any] = {
        "type": "avatar",
        "avatar_id": scene.avatar_id,
        "script": scene.script,
        "voice_id": scene.voice_id,
        "aspect_ratio": options.aspect_ratio.value,
        "resolution": options.resolution.value,
    }
    if options.title:
        payload["title"] = options.title
    voice_settings: dict[str, Any] = {}
    if scene.voice_speed != 1.0:
        voice_settings["speed"] = scene.voice_speed
    if "-" in request.language:
        voice_settings["locale"] = request.language
    if voice_settings:
        payload["voice_settings"] = voice_settings
    background = scene.background
    if background.type is BackgroundType.COLOR:
        payload["background"] = {"type": "color", "value": background.value}
    else:
        payload["background"] = {"type": "image", "url": background.value}
    if options.captions:
        payload["caption"] = {"file_format": "srt"}
    payload["callback_id"] = job.callback_id
    if job.callback_url:
        payload["callback_url"] = job.callback_url
    ignored: list[str] = []
    if scene.emotion not in (None, Emotion.NEUTRAL):
        ignored.append("emotion")
    if options.quality is Quality.PREVIEW:
        ignored.append("quality=preview")
    return payload, tuple(ignored)


def classify_error(
    status: int, body: Any, retry_after: str | None, operation: str
) -> ProviderError:
    """Turn a HeyGen error answer (any status, including 200 with an error) into our error."""
    error = body.get("error") if isinstance(body, dict) else None
    error = error if isinstance(error, dict) else {}
    code = str(error.get("code") or "").lower()
    param = str(error.get("param") or "").lower()
    text = str(error.get("message") or f"HTTP {status}")
    message = f"{operation}: {short(text)}" + (f" (code {code})" if code else "")
    lowered = text.lower()
    kwargs: dict[str, Any] = {"http_status": status}
    if status == 429 or code in _RATE_LIMIT_CODES:
        return ProviderRateLimitedError(
            NAME, message, retry_after_s=parse_retry_after(retry_after), **kwargs
        )
    if status == 409 or code == "request_in_progress":
        return ProviderRequestInProgressError(
            NAME, message, retry_after_s=parse_retry_after(retry_after) or 1.0, **kwargs
        )
    if status >= 500 or code in _UNAVAILABLE_CODES:
        return ProviderUnavailableError(NAME, message, **kwargs)
    if status in (401, 403) or code in _AUTH_CODES:
        return ProviderAuthError(NAME, f"{operation}: HeyGen refused the API key", **kwargs)
    if status == 402 or code in _CREDIT_CODES:
        return InsufficientCreditError(NAME, message, **kwargs)
    if param == "avatar_id" or "avatar" in code:
        return UnknownAvatarError(NAME, message, **kwargs)
    if param == "voice_id" or "voice" in code:
        return UnknownVoiceError(NAME, message, **kwargs)
    too_long = any(word in lowered for word in ("too long", "exceed", "at most", "maximum"))
    if code in {"script_too_long", "text_too_long"} or (param == "script" and too_long):
        return ScriptTooLongError(NAME, message, **kwargs)
    return ProviderRejectedError(NAME, message, **kwargs)


def _failed(response: httpx.Response, body: Any) -> bool:
    return response.status_code >= 400 or (isinstance(body, dict) and bool(body.get("error")))


def parse_status(
    data: dict[str, Any], now: datetime, url_ttl: timedelta, min_remaining: timedelta
) -> ProviderStatus:
    """``GET /v3/videos/{id}`` data -> status; refuses a URL that is (nearly) expired."""
    raw = str(data.get("status") or "").lower()
    state = _STATES.get(raw, RenderState.PROCESSING)
    if state is RenderState.FAILED:
        detail = data.get("failure_message") or "HeyGen reported that the render failed"
        if data.get("failure_code"):
            detail = f"{detail} ({data['failure_code']})"
        return ProviderStatus(
            state=state,
            progress=100,
            failure=ProviderFailure("provider_render_failed", short(detail)),
        )
    if state is not RenderState.COMPLETED:
        return ProviderStatus(state=state, progress=0 if state is RenderState.PENDING else None)
    video_url = data.get("video_url")
    if not video_url:
        raise ProviderUnavailableError(NAME, "get_status: completed but no video_url yet")
    expires = presigned_url_expiry(str(video_url), now, url_ttl)
    if expires - now < min_remaining:
        raise ProviderUrlExpiredError(
            NAME, f"get_status: the video URL expires at {expires.isoformat()}"
        )
    duration = data.get("duration")
    return ProviderStatus(
        state=state,
        progress=100,
        video_url=str(video_url),
        captioned_video_url=data.get("captioned_video_url") or None,
        url_expires_at=expires,
        thumbnail_url=data.get("thumbnail_url") or None,
        duration_s=float(duration) if isinstance(duration, int | float) else None,
    )


def parse_avatar(item: dict[str, Any]) -> Avatar:
    return Avatar(
        id=str(item["id"]),
        name=str(item.get("name") or item["id"]),
        provider=NAME,
        gender=item.get("gender"),
        preview_image_url=item.get("preview_image_url"),
        preview_video_url=item.get("preview_video_url"),
        default_voice_id=item.get("default_voice_id"),
        kind=item.get("avatar_type"),
        tags=tuple(str(tag) for tag in item.get("tags") or ()),
    )


def parse_voice(item: dict[str, Any]) -> Voice:
    return Voice(
        id=str(item["voice_id"]),
        name=str(item.get("name") or item["voice_id"]),
        provider=NAME,
        language=item.get("language"),
        gender=item.get("gender"),
        preview_audio_url=item.get("preview_audio_url"),
    )


class HeyGenProvider:
    name = NAME

    def __init__(
        self,
        config: HeyGenConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.config = config
        self._now = now
        self._pricing = Pricing(usd_per_second=dict(config.usd_per_second), free_preview=False)
        self._http = ProviderHttp(
            NAME,
            config.base_url,
            {"x-api-key": config.api_key.get_secret_value(), "accept": "application/json"},
            timeout_s=config.timeout_s,
            connect_timeout_s=config.connect_timeout_s,
            transport=transport,
        )

    async def submit(self, job: ProviderJob) -> Submission:
        with counting_errors(NAME):
            payload, ignored = build_payload(job)
            response = await self._http.request(
                "submit",
                "POST",
                "/v3/videos",
                json=payload,
                headers={"Idempotency-Key": job.idempotency_key},
            )
            body = json_body(response)
            if _failed(response, body):
                raise classify_error(
                    response.status_code, body, response.headers.get("retry-after"), "submit"
                )
            data = body.get("data") if isinstance(body, dict) else None
            video_id = data.get("video_id") if isinstance(data, dict) else None
            if not video_id:
                raise ProviderUnavailableError(NAME, "submit: answer without data.video_id")
            return Submission(NAME, str(video_id), ignored)

    async def find_submission(self, job: ProviderJob) -> Submission | None:
        """None: the Idempotency-Key makes a resubmission replay the first answer."""
        return None

    async def get_status(self, provider_video_id: str) -> ProviderStatus:
        with counting_errors(NAME):
            response = await self._http.request(
                "get_status", "GET", f"/v3/videos/{quote(provider_video_id, safe='')}"
            )
            body = json_body(response)
            if response.status_code == 404:
                raise ProviderVideoNotFoundError(
                    NAME, f"get_status: video {provider_video_id} not found", http_status=404
                )
            if _failed(response, body):
                raise classify_error(
                    response.status_code, body, response.headers.get("retry-after"), "get_status"
                )
            data = body.get("data") if isinstance(body, dict) else None
            if not isinstance(data, dict):
                raise ProviderUnavailableError(NAME, "get_status: answer without data")
            return parse_status(
                data,
                self._now(),
                timedelta(seconds=self.config.url_ttl_s),
                timedelta(seconds=self.config.url_min_remaining_s),
            )

    async def list_avatars(self) -> list[Avatar]:
        items = await self._list("list_avatars", "/v3/avatars/looks", 50)
        return [parse_avatar(item) for item in items]

    async def list_voices(self) -> list[Voice]:
        items = await self._list("list_voices", "/v3/voices", 100)
        return [parse_voice(item) for item in items]

    def capabilities(self) -> ProviderCapabilities:
        return CAPABILITIES

    def estimate_cost(self, request: VideoRequested) -> Cost:
        return estimate_cost(request, self._pricing)

    @property
    def webhook_verification(self) -> WebhookVerification:
        return WEBHOOK_VERIFICATION

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _list(self, operation: str, path: str, limit: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        with counting_errors(NAME):
            for _ in range(MAX_LIST_PAGES):
                params: dict[str, str | int] = {"limit": limit}
                if token:
                    params["token"] = token
                response = await self._http.request(operation, "GET", path, params=params)
                body = json_body(response)
                if _failed(response, body):
                    raise classify_error(
                        response.status_code, body, response.headers.get("retry-after"), operation
                    )
                page = body.get("data") if isinstance(body, dict) else None
                if not isinstance(page, list):
                    raise ProviderUnavailableError(NAME, f"{operation}: answer without a list")
                items.extend(item for item in page if isinstance(item, dict))
                token = body.get("next_token")
                if not body.get("has_more") or not token:
                    break
        return items
