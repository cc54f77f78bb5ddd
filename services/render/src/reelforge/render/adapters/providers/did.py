"""D-ID adapter on the talks API: one presenter image animated by one text-to-speech script.

- ``POST /talks`` with ``source_url`` (the presenter image), ``script`` (``type: text``,
  ``provider: {type, voice_id}``), ``webhook`` and ``user_data``; answers 201 with the talk id.
- ``GET /talks/{id}``: created | started | done | error | rejected, ``result_url`` when done.
- ``GET /tts/voices?provider=...`` lists voices. Talks take any image, so the avatars are the
  presenters configured here (avatar_id -> image URL).
- ``Authorization: Basic <API key>``; errors are ``{"kind", "description"}``.

D-ID documents no idempotency key, so the job_id also goes into ``user_data`` and
:meth:`DIdProvider.find_submission` looks for it before a resubmission.
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

NAME = "did"
MAX_SCRIPT_CHARS = 40_000
MIN_SCRIPT_CHARS = 3

WEBHOOK_VERIFICATION = WebhookVerification(
    scheme=WebhookScheme.PER_JOB_URL,
    signature_header=None,
    signed_content="nothing: D-ID documents no webhook signature",
    verified_with="the per-job token the render service puts in the webhook URL",
    job_reference="user_data (our job_id); id is D-ID's talk id",
    event_types=(),
    notes="D-ID POSTs the talk object (as GET /talks/{id} returns it) when the talk is done "
    "or failed. Confirm with GET /talks/{id} before trusting it.",
)

_STATES = {
    "created": RenderState.PENDING,
    "started": RenderState.PROCESSING,
    "done": RenderState.COMPLETED,
    "error": RenderState.FAILED,
    "rejected": RenderState.FAILED,
}


class DIdConfig(BaseModel):
    model_config = ConfigDict(frozen=True)

    api_key: SecretStr
    """Sent as ``Authorization: Basic <api_key>``, exactly as D-ID issues it."""
    base_url: str = "https://api.d-id.com"
    presenters: dict[str, str] = Field(
        default_factory=dict, description="avatar_id -> presenter image URL (jpg/png)."
    )
    tts_provider: str = "microsoft"
    aspect_ratios: frozenset[AspectRatio] = frozenset(AspectRatio)
    """The video has the presenter image's shape (``stitch``): list the shapes you configured."""
    timeout_s: float = Field(default=30.0, gt=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    url_ttl_s: float = Field(default=24 * 3600, gt=0)
    url_min_remaining_s: float = Field(default=600, ge=0)
    usd_per_second: dict[Resolution, float] = Field(
        default_factory=lambda: {Resolution.HD: 0.02, Resolution.FULL_HD: 0.02}
    )


def capabilities_for(config: DIdConfig) -> ProviderCapabilities:
    return ProviderCapabilities(
        aspect_ratios=frozenset(config.aspect_ratios),
        resolutions=frozenset({Resolution.HD, Resolution.FULL_HD}),
        max_scenes=1,
        max_script_chars_per_scene=MAX_SCRIPT_CHARS,
        min_script_chars_per_scene=MIN_SCRIPT_CHARS,
        languages=None,
        background_types=frozenset(),
        captions=False,
        free_preview=False,
    )


def presenter_url(config: DIdConfig, avatar_id: str) -> str:
    """The image a talk animates: a configured presenter, or an https URL given as avatar_id."""
    if avatar_id in config.presenters:
        return config.presenters[avatar_id]
    if avatar_id.startswith("https://"):
        return avatar_id
    raise UnknownAvatarError(
        NAME, f"avatar {avatar_id!r} is not a configured D-ID presenter nor an https image URL"
    )


def build_payload(config: DIdConfig, job: ProviderJob) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The ``POST /talks`` body for a one-scene job, and the options D-ID cannot honour."""
    request = job.request
    reasons = capabilities_for(config).unsupported_reasons(request)
    if reasons:
        raise JobNotSupportedError(NAME, "; ".join(reasons))
    scene = request.scenes[0]
    ignored: list[str] = []
    tts: dict[str, Any] = {"type": config.tts_provider, "voice_id": scene.voice_id}
    if scene.voice_speed != 1.0:
        if config.tts_provider == "microsoft":
            tts["voice_config"] = {"rate": f"{round((scene.voice_speed - 1) * 100):+d}%"}
        else:
            ignored.append("voice_speed")
    payload: dict[str, Any] = {
        "source_url": presenter_url(config, scene.avatar_id),
        "script": {"type": "text", "input": scene.script, "provider": tts},
        "config": {"stitch": True, "result_format": "mp4"},
        "user_data": job.idempotency_key,
    }
    if request.render.title:
        payload["name"] = request.render.title
    if job.callback_url:
        payload["webhook"] = job.callback_url
    if scene.emotion not in (None, Emotion.NEUTRAL):
        ignored.append("emotion")
    if request.render.captions:
        ignored.append("captions")
    if request.render.quality is Quality.PREVIEW:
        ignored.append("quality=preview")
    return payload, tuple(ignored)


def classify_error(
    status: int, body: Any, retry_after: str | None, operation: str
) -> ProviderError:
    kind = str(body.get("kind") or "") if isinstance(body, dict) else ""
    text = str(body.get("description") or "") if isinstance(body, dict) else ""
    text = text or f"HTTP {status}"
    message = f"{operation}: {short(text)}" + (f" ({kind})" if kind else "")
    lowered = f"{kind} {text}".lower()
    kwargs: dict[str, Any] = {"http_status": status}
    if status == 429 or "toomanyrequests" in lowered.replace(" ", ""):
        return ProviderRateLimitedError(
            NAME, message, retry_after_s=parse_retry_after(retry_after), **kwargs
        )
    if status >= 500 or kind in {"InternalServerError", "ServiceUnavailableError"}:
        return ProviderUnavailableError(NAME, message, **kwargs)
    if status in (401, 403) or kind in {"AuthorizationError", "PermissionError"}:
        return ProviderAuthError(NAME, f"{operation}: D-ID refused the API key", **kwargs)
    if status == 402 or "credit" in lowered:
        return InsufficientCreditError(NAME, message, **kwargs)
    if "voice" in lowered:
        return UnknownVoiceError(NAME, message, **kwargs)
    if any(word in lowered for word in ("source_url", "source image", "face", "presenter")):
        return UnknownAvatarError(NAME, message, **kwargs)
    if "input" in lowered and any(word in lowered for word in ("long", "exceed", "max")):
        return ScriptTooLongError(NAME, message, **kwargs)
    return ProviderRejectedError(NAME, message, **kwargs)


def _is_error(response: httpx.Response, body: Any) -> bool:
    if response.status_code >= 400:
        return True
    return isinstance(body, dict) and "kind" in body and "id" not in body and "talks" not in body


def parse_talk(
    talk: dict[str, Any], now: datetime, url_ttl: timedelta, min_remaining: timedelta
) -> ProviderStatus:
    raw = str(talk.get("status") or "").lower()
    state = _STATES.get(raw, RenderState.PROCESSING)
    if state is RenderState.FAILED:
        error = talk.get("error")
        error = error if isinstance(error, dict) else {}
        detail = error.get("description") or f"D-ID reported the talk as {raw}"
        code = "provider_rejected" if raw == "rejected" else "provider_render_failed"
        return ProviderStatus(
            state=state, progress=100, failure=ProviderFailure(code, short(detail))
        )
    if state is not RenderState.COMPLETED:
        return ProviderStatus(state=state, progress=0 if state is RenderState.PENDING else None)
    url = talk.get("result_url")
    if not url:
        raise ProviderUnavailableError(NAME, "get_status: done but no result_url")
    expires = presigned_url_expiry(str(url), now, url_ttl)
    if expires - now < min_remaining:
        raise ProviderUrlExpiredError(NAME, f"get_status: result_url expires at {expires}")
    duration = talk.get("duration")
    return ProviderStatus(
        state=state,
        progress=100,
        video_url=str(url),
        url_expires_at=expires,
        duration_s=float(duration) if isinstance(duration, int | float) else None,
    )


def parse_voice(item: dict[str, Any]) -> Voice:
    languages = [lang for lang in item.get("languages") or () if isinstance(lang, dict)]
    return Voice(
        id=str(item["id"]),
        name=str(item.get("name") or item["id"]),
        provider=NAME,
        language=item.get("language") or (languages[0].get("name") if languages else None),
        locales=tuple(str(lang["code"]) for lang in languages if lang.get("code")),
        gender=item.get("gender"),
        age_group=item.get("age"),
        accent=item.get("accent"),
        styles=tuple(str(style) for style in item.get("styles") or ()),
    )


class DIdProvider:
    name = NAME

    def __init__(
        self,
        config: DIdConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.config = config
        self._now = now
        self._capabilities = capabilities_for(config)
        self._pricing = Pricing(usd_per_second=dict(config.usd_per_second), free_preview=False)
        self._http = ProviderHttp(
            NAME,
            config.base_url,
            {
                "authorization": f"Basic {config.api_key.get_secret_value()}",
                "accept": "application/json",
            },
            timeout_s=config.timeout_s,
            connect_timeout_s=config.connect_timeout_s,
            transport=transport,
        )

    async def submit(self, job: ProviderJob) -> Submission:
        with counting_errors(NAME):
            payload, ignored = build_payload(self.config, job)
            response = await self._http.request("submit", "POST", "/talks", json=payload)
            body = json_body(response)
            if _is_error(response, body):
                raise self._classified(response, body, "submit")
            talk_id = body.get("id") if isinstance(body, dict) else None
            if not talk_id:
                raise ProviderUnavailableError(NAME, "submit: answer without a talk id")
            return Submission(NAME, str(talk_id), ignored)

    async def find_submission(self, job: ProviderJob) -> Submission | None:
        """The talk whose ``user_data`` is this job's key, among the latest 100 talks."""
        with counting_errors(NAME):
            response = await self._http.request(
                "find_submission", "GET", "/talks", params={"limit": 100}
            )
            body = json_body(response)
            if _is_error(response, body):
                raise self._classified(response, body, "find_submission")
            talks = body.get("talks") if isinstance(body, dict) else None
            for talk in talks if isinstance(talks, list) else ():
                if isinstance(talk, dict) and talk.get("user_data") == job.idempotency_key:
                    return Submission(NAME, str(talk["id"]))
            return None

    async def get_status(self, provider_video_id: str) -> ProviderStatus:
        with counting_errors(NAME):
            path = f"/talks/{quote(provider_video_id, safe='')}"
            response = await self._http.request("get_status", "GET", path)
            body = json_body(response)
            if response.status_code == 404:
                raise ProviderVideoNotFoundError(
                    NAME, f"get_status: talk {provider_video_id} not found", http_status=404
                )
            if _is_error(response, body) or not isinstance(body, dict):
                raise self._classified(response, body, "get_status")
            return parse_talk(
                body,
                self._now(),
                timedelta(seconds=self.config.url_ttl_s),
                timedelta(seconds=self.config.url_min_remaining_s),
            )

    async def list_avatars(self) -> list[Avatar]:
        return [
            Avatar(id=avatar_id, name=avatar_id, provider=NAME, preview_image_url=url)
            for avatar_id, url in self.config.presenters.items()
        ]

    async def list_voices(self) -> list[Voice]:
        with counting_errors(NAME):
            response = await self._http.request(
                "list_voices", "GET", "/tts/voices", params={"provider": self.config.tts_provider}
            )
            body = json_body(response)
            if _is_error(response, body) or not isinstance(body, list):
                raise self._classified(response, body, "list_voices")
            return [parse_voice(item) for item in body if isinstance(item, dict)]

    def capabilities(self) -> ProviderCapabilities:
        return self._capabilities

    def estimate_cost(self, request: VideoRequested) -> Cost:
        return estimate_cost(request, self._pricing)

    @property
    def webhook_verification(self) -> WebhookVerification:
        return WEBHOOK_VERIFICATION

    async def aclose(self) -> None:
        await self._http.aclose()

    @staticmethod
    def _classified(response: httpx.Response, body: Any, operation: str) -> ProviderError:
        if response.is_success and not isinstance(body, dict | list):
            return ProviderUnavailableError(NAME, f"{operation}: answer is not JSON")
        return classify_error(
            response.status_code, body, response.headers.get("retry-after"), operation
        )
