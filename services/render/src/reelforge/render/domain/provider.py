"""The provider port: what the render service needs from HeyGen, D-ID or any other renderer.

Pure domain: the job a provider receives, what it answers, what it can do, what it costs, how
its webhooks are verified, and the classified errors it raises (retryable or permanent, each
with a stable snake_case code that ends up in ``ErrorInfo.code``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

from reelforge.contracts import (
    AspectRatio,
    Background,
    BackgroundType,
    Cost,
    ErrorInfo,
    Quality,
    Resolution,
    Stage,
    VideoRequested,
)

from .catalogue import Avatar, Voice

WORDS_PER_SECOND = 2.5
"""Speaking rate used to estimate a video's length from its script (seed 002)."""

# --- the job and the answers ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderJob:
    """One render as a provider sees it: the request, where to call back, which attempt."""

    request: VideoRequested
    callback_url: str | None = None
    """Where the provider should POST completion; carries the per-job token. Never logged."""
    attempt: int = 1
    """1 for the first submission; a deliberate re-render after a provider-side failure uses 2,
    3, ... so that it gets a fresh idempotency key instead of replaying the failed one."""

    @property
    def job_id(self) -> UUID:
        return self.request.job_id

    @property
    def idempotency_key(self) -> str:
        """The job_id (first attempt) or ``<job_id>.<attempt>``: a retried submit is never billed
        twice, a deliberate re-render is not swallowed by the provider's replay cache."""
        return str(self.job_id) if self.attempt == 1 else f"{self.job_id}.{self.attempt}"

    @property
    def callback_id(self) -> str:
        return str(self.job_id)


@dataclass(frozen=True, slots=True)
class Submission:
    provider: str
    provider_video_id: str
    ignored_options: tuple[str, ...] = ()
    """Requested options the provider has no equivalent for (e.g. "emotion"), for the log."""


class RenderState(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def is_final(self) -> bool:
        return self in (RenderState.COMPLETED, RenderState.FAILED)


@dataclass(frozen=True, slots=True)
class ProviderFailure:
    """Why a render failed at the provider (reported by its status API)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class ProviderStatus:
    state: RenderState
    progress: int | None = None
    """0-100 where the provider reports it; None where it does not."""
    video_url: str | None = None
    captioned_video_url: str | None = None
    """The same video with burned-in captions, where the provider makes one."""
    url_expires_at: datetime | None = None
    thumbnail_url: str | None = None
    duration_s: float | None = None
    failure: ProviderFailure | None = None

    def url_for(self, captions: bool) -> str | None:
        """The URL storage should fetch: the captioned one if asked for and available."""
        if captions and self.captioned_video_url:
            return self.captioned_video_url
        return self.video_url


def presigned_url_expiry(url: str, issued_at: datetime, default_ttl: timedelta) -> datetime:
    """When a provider's download URL stops working.

    Reads CloudFront/S3 ``Expires=<epoch>`` or SigV4 ``X-Amz-Date`` + ``X-Amz-Expires``; falls
    back to ``issued_at + default_ttl`` (the provider's documented lifetime).
    """
    query = {k.lower(): v[0] for k, v in parse_qs(urlsplit(url).query).items() if v}
    try:
        if "expires" in query:
            return datetime.fromtimestamp(int(query["expires"]), tz=issued_at.tzinfo)
        if "x-amz-date" in query and "x-amz-expires" in query:
            signed = datetime.strptime(query["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(
                tzinfo=issued_at.tzinfo
            )
            return signed + timedelta(seconds=int(query["x-amz-expires"]))
    except (ValueError, OverflowError):
        pass
    return issued_at + default_ttl


# --- capabilities --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProviderCapabilities:
    aspect_ratios: frozenset[AspectRatio]
    resolutions: frozenset[Resolution]
    max_scenes: int
    max_script_chars_per_scene: int
    min_script_chars_per_scene: int = 1
    languages: frozenset[str] | None = None
    """Primary language codes ("en", "pt"); None means the provider takes any language."""
    background_types: frozenset[BackgroundType] = frozenset()
    """Backgrounds it can render; the default plain white one is always acceptable."""
    captions: bool = False
    free_preview: bool = False
    """Whether a preview-quality render costs nothing (a watermarked test render)."""

    def unsupported_reasons(self, request: VideoRequested) -> list[str]:
        """Why this provider cannot render ``request``, one sentence each; empty if it can."""
        reasons: list[str] = []
        options = request.render
        if len(request.scenes) > self.max_scenes:
            reasons.append(
                f"{len(request.scenes)} scenes requested; this provider renders at most "
                f"{self.max_scenes} per video"
            )
        if options.aspect_ratio not in self.aspect_ratios:
            reasons.append(f"aspect ratio {options.aspect_ratio} is not supported")
        if options.resolution not in self.resolutions:
            reasons.append(f"resolution {options.resolution} is not supported")
        language = request.language.partition("-")[0].lower()
        if self.languages is not None and language not in self.languages:
            reasons.append(f"language {request.language} is not supported")
        for number, scene in enumerate(request.scenes, start=1):
            length = len(scene.script)
            if length > self.max_script_chars_per_scene:
                reasons.append(
                    f"scene {number} script has {length} characters; the limit is "
                    f"{self.max_script_chars_per_scene}"
                )
            elif length < self.min_script_chars_per_scene:
                reasons.append(
                    f"scene {number} script has {length} characters; the minimum is "
                    f"{self.min_script_chars_per_scene}"
                )
            background = scene.background
            if background != Background() and background.type not in self.background_types:
                reasons.append(f"scene {number}: {background.type} backgrounds are not supported")
        return reasons

    def supports(self, request: VideoRequested) -> bool:
        return not self.unsupported_reasons(request)


# --- cost ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pricing:
    """A provider's price list; the defaults of each adapter are settings, not quotes."""

    usd_per_second: Mapping[Resolution, float]
    free_preview: bool = False
    credits_per_minute: float = 0.0


def estimate_speech_seconds(request: VideoRequested) -> float:
    """Spoken length of all scenes: words at 2.5 words/second, adjusted by each voice's speed."""
    return sum(
        len(scene.script.split()) / WORDS_PER_SECOND / scene.voice_speed for scene in request.scenes
    )


def estimate_cost(request: VideoRequested, pricing: Pricing) -> Cost:
    """Cost by duration and quality; a preview is free where the provider renders it for free."""
    if request.render.quality is Quality.PREVIEW and pricing.free_preview:
        return Cost(amount=0.0, credits=0.0)
    seconds = estimate_speech_seconds(request)
    rate = pricing.usd_per_second.get(request.render.resolution)
    if rate is None:
        rate = max(pricing.usd_per_second.values(), default=0.0)
    return Cost(
        amount=round(seconds * rate, 4),
        credits=round(seconds / 60 * pricing.credits_per_minute, 4),
    )


# --- webhooks ------------------------------------------------------------------------------


class WebhookScheme(StrEnum):
    HMAC_SHA256_HEX = "hmac_sha256_hex"
    """Hex HMAC-SHA256 of the raw request body under a shared secret, in a header."""
    PER_JOB_URL = "per_job_url"
    """No signature: the per-job token in the callback URL is the only proof."""


@dataclass(frozen=True, slots=True)
class WebhookVerification:
    """How the webhook service must verify this provider's callbacks."""

    scheme: WebhookScheme
    signature_header: str | None
    signed_content: str
    verified_with: str
    job_reference: str
    """Where the payload names our job (e.g. ``event_data.callback_id``)."""
    event_types: tuple[str, ...] = ()
    notes: str = ""


# --- errors --------------------------------------------------------------------------------


class ProviderError(Exception):
    """A classified provider failure. Messages never contain credentials."""

    code = "provider_error"
    retryable = False

    def __init__(
        self,
        provider: str,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.message = message
        if code is not None:
            self.code = code
        self.http_status = http_status
        self.retry_after_s = retry_after_s

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}"

    def to_error_info(self) -> ErrorInfo:
        return ErrorInfo(
            code=self.code,
            message=str(self)[:2000],
            retryable=self.retryable,
            stage=Stage.RENDER,
        )


class ProviderRetryableError(ProviderError):
    """Worth retrying later (with backoff); counts against the provider's circuit."""

    code = "provider_unavailable"
    retryable = True


class ProviderPermanentError(ProviderError):
    """Retrying the same request cannot help: the job fails at once with this code."""

    code = "provider_rejected"
    retryable = False


class ProviderRateLimitedError(ProviderRetryableError):
    code = "provider_rate_limited"


class ProviderUnavailableError(ProviderRetryableError):
    code = "provider_unavailable"


class ProviderTimeoutError(ProviderRetryableError):
    code = "provider_timeout"


class ProviderUrlExpiredError(ProviderRetryableError):
    code = "provider_url_expired"


class ProviderRequestInProgressError(ProviderRetryableError):
    """The same idempotent request is still being processed (HeyGen: 409 request_in_progress)."""

    code = "provider_request_in_progress"


class ProviderVideoNotFoundError(ProviderRetryableError):
    """The status API does not know the video (yet): HeyGen documents a short delay."""

    code = "provider_video_not_found"


class UnknownAvatarError(ProviderPermanentError):
    code = "unknown_avatar"


class UnknownVoiceError(ProviderPermanentError):
    code = "unknown_voice"


class ProviderAuthError(ProviderPermanentError):
    code = "provider_auth_failed"


class InsufficientCreditError(ProviderPermanentError):
    code = "insufficient_credit"


class ScriptTooLongError(ProviderPermanentError):
    code = "script_too_long"


class ProviderRejectedError(ProviderPermanentError):
    code = "provider_rejected"


class JobNotSupportedError(ProviderPermanentError):
    """The job asks for something this provider cannot do; another provider may."""

    code = "job_not_supported"


ERROR_CODES: frozenset[str] = frozenset(
    cls.code
    for cls in (
        ProviderRateLimitedError,
        ProviderUnavailableError,
        ProviderTimeoutError,
        ProviderUrlExpiredError,
        ProviderRequestInProgressError,
        ProviderVideoNotFoundError,
        UnknownAvatarError,
        UnknownVoiceError,
        ProviderAuthError,
        InsufficientCreditError,
        ScriptTooLongError,
        ProviderRejectedError,
        JobNotSupportedError,
    )
)


# --- the port ------------------------------------------------------------------------------


@runtime_checkable
class VideoProvider(Protocol):
    """A remote (or local) renderer. Every method raises only :class:`ProviderError`s."""

    name: str

    async def submit(self, job: ProviderJob) -> Submission:
        """Start the render. Idempotent per ``job.idempotency_key`` where the provider allows."""
        ...

    async def find_submission(self, job: ProviderJob) -> Submission | None:
        """After an ambiguous submit (timeout, 5xx), the render the provider did start, if any.

        Providers with server-side idempotency return None: resubmitting is already safe.
        """
        ...

    async def get_status(self, provider_video_id: str) -> ProviderStatus:
        """The provider's authoritative state, with a download URL that has not expired."""
        ...

    async def list_avatars(self) -> list[Avatar]: ...

    async def list_voices(self) -> list[Voice]: ...

    def capabilities(self) -> ProviderCapabilities: ...

    def estimate_cost(self, request: VideoRequested) -> Cost: ...

    @property
    def webhook_verification(self) -> WebhookVerification: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ProviderSet:
    """The configured providers, in fallback order."""

    providers: tuple[VideoProvider, ...] = field(default_factory=tuple)

    def get(self, name: str) -> VideoProvider | None:
        return next((p for p in self.providers if p.name == name), None)

    def candidates_for(self, request: VideoRequested) -> list[VideoProvider]:
        """Providers able to render ``request``, the preferred one (if named) first."""
        able = [p for p in self.providers if p.capabilities().supports(request)]
        preferred = request.render.provider
        return sorted(able, key=lambda p: p.name != preferred) if preferred else able
