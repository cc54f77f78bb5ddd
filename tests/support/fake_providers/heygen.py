"""A fake HeyGen v3 API: POST /v3/videos, GET /v3/videos/{id}, GET /v3/avatars/looks,
GET /v3/voices, with HeyGen's JSON shapes, x-api-key auth, Idempotency-Key replay, a limit on
concurrent renders, presigned download URLs, and signed avatar_video.* webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProviderBase, FakeRender
from .faults import Fault, FaultKind

API_KEY = "heygen-test-key"
SIGNATURE_HEADER = "Signature"
MAX_SCRIPT_CHARS = 5000

DEFAULT_AVATARS: tuple[dict[str, Any], ...] = (
    {
        "id": "Amy_public_look_1",
        "name": "Amy",
        "gender": "female",
        "avatar_type": "studio_avatar",
        "tags": ["professional"],
        "default_voice_id": "jenny_en_us",
    },
    {
        "id": "Josh_public_look_1",
        "name": "Josh",
        "gender": "male",
        "avatar_type": "studio_avatar",
        "tags": ["friendly"],
        "default_voice_id": "guy_en_us",
    },
    {
        "id": "Maya_photo_look_1",
        "name": "Maya",
        "gender": "female",
        "avatar_type": "photo_avatar",
        "tags": ["energetic"],
        "default_voice_id": "aria_en_us",
    },
)
DEFAULT_VOICES: tuple[dict[str, Any], ...] = (
    {"voice_id": "jenny_en_us", "name": "Jenny", "language": "English", "gender": "female"},
    {"voice_id": "guy_en_us", "name": "Guy", "language": "English", "gender": "male"},
    {"voice_id": "aria_en_us", "name": "Aria", "language": "English", "gender": "female"},
    {"voice_id": "elena_es", "name": "Elena", "language": "Spanish", "gender": "female"},
    {"voice_id": "hans_de", "name": "Hans", "language": "German", "gender": "male"},
)


def error_body(code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": message,
            "param": param,
            "doc_url": f"https://developers.heygen.com/docs/error-codes#{code.replace('_', '-')}",
        }
    }


def error(
    status: int, code: str, message: str, param: str | None = None, **headers: str
) -> Response:
    return JSONResponse(
        error_body(code, message, param), status_code=status, headers=headers or None
    )


class FakeHeyGen(FakeProviderBase):
    id_prefix = "v_"

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        avatars: Sequence[dict[str, Any]] = DEFAULT_AVATARS,
        voices: Sequence[dict[str, Any]] = DEFAULT_VOICES,
        completion_delay_s: float = 0.2,
        max_concurrent_renders: int = 10,
        url_ttl_s: float = 7 * 24 * 3600,
        webhook_secret: str | None = None,
        fail_scripts_containing: str = "RENDER_FAIL",
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            completion_delay_s=completion_delay_s,
            max_concurrent_renders=max_concurrent_renders,
            url_ttl_s=url_ttl_s,
            fail_scripts_containing=fail_scripts_containing,
            clock=clock,
            wall=wall,
        )
        self.api_key = api_key
        self.avatars = list(avatars)
        self.voices = list(voices)
        self.webhook_secret = webhook_secret
        self.idempotent_answers: dict[str, tuple[int, dict[str, Any]]] = {}
        self.replays = 0
        self._keys_in_progress: set[str] = set()
        self._app = Starlette(
            routes=[
                Route("/v3/videos", self.create_video, methods=["POST"]),
                Route("/v3/videos/{video_id}", self.get_video, methods=["GET"]),
                Route("/v3/avatars/looks", self.list_looks, methods=["GET"]),
                Route("/v3/voices", self.list_voices, methods=["GET"]),
                *self.file_routes(),
            ]
        )

    @property
    def app(self) -> Starlette:
        return self._app

    def submissions_for(self, callback_id: str) -> int:
        return sum(1 for r in self.renders.values() if r.body.get("callback_id") == callback_id)

    # faults and auth -----------------------------------------------------------------------

    @staticmethod
    def _fault_answer(fault: Fault) -> Response:
        if fault.kind is FaultKind.RATE_LIMIT:
            return error(
                429,
                "rate_limit_exceeded",
                "Too many requests. Retry after the duration specified in the Retry-After header.",
                **{"Retry-After": fault.retry_after},
            )
        if fault.kind is FaultKind.ERROR_IN_200:
            return JSONResponse({"data": None, **error_body(fault.code, fault.message)})
        return error(fault.status, "internal_error", "Something went wrong on HeyGen's end.")

    def _unauthorized(self, request: Request) -> Response | None:
        if hmac.compare_digest(request.headers.get("x-api-key", ""), self.api_key):
            return None
        return error(
            401,
            "authentication_failed",
            "Invalid or expired API key. Verify your x-api-key header.",
        )

    async def _guard(self, request: Request, operation: str) -> Response | None:
        return await self.injected(operation, self._fault_answer) or self._unauthorized(request)

    # POST /v3/videos -----------------------------------------------------------------------

    async def create_video(self, request: Request) -> Response:
        raw = await request.body()  # the whole request arrives before any (slow) processing
        key = request.headers.get("idempotency-key")
        if key is not None and key in self._keys_in_progress:
            self.requests["submit"] += 1
            return error(
                409,
                "request_in_progress",
                "A request with this Idempotency-Key is still being processed.",
            )
        if key is not None:
            self._keys_in_progress.add(key)
        try:
            return await self._create_video(request, raw, key)
        finally:
            if key is not None:
                self._keys_in_progress.discard(key)

    async def _create_video(self, request: Request, raw: bytes, key: str | None) -> Response:
        if (early := await self._guard(request, "submit")) is not None:
            return early
        if key is not None and key in self.idempotent_answers:
            self.replays += 1
            status, body = self.idempotent_answers[key]
            return JSONResponse(body, status_code=status)
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return error(400, "invalid_parameter", "Request body must be JSON.")
        status, answer = self._create(body if isinstance(body, dict) else {})
        if key is not None and status != 429:
            self.idempotent_answers[key] = (status, answer)
        return JSONResponse(answer, status_code=status)

    def _create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        invalid = self._validate(body)
        if invalid is not None:
            return 400, invalid
        if self.at_capacity():
            self.rejected_for_concurrency += 1
            return 429, error_body(
                "concurrency_limit_exceeded",
                f"You have {self.max_concurrent_renders} videos rendering, the most your plan "
                "allows at once. Retry when one has finished.",
            )
        render = self.start_render(body, str(body.get("script") or ""), body.get("callback_url"))
        return 200, {"data": {"video_id": render.id, "status": "waiting", "output_format": "mp4"}}

    def _validate(self, body: dict[str, Any]) -> dict[str, Any] | None:
        if body.get("type") not in ("avatar", "image"):
            return error_body("invalid_parameter", "'type' must be 'avatar' or 'image'.", "type")
        avatar_id = body.get("avatar_id")
        if body["type"] == "avatar" and avatar_id not in {a["id"] for a in self.avatars}:
            return error_body(
                "invalid_parameter", f"Avatar look '{avatar_id}' not found.", "avatar_id"
            )
        script = body.get("script")
        if script is not None:
            if not isinstance(script, str) or not script:
                return error_body("invalid_parameter", "'script' must not be empty.", "script")
            if len(script) > MAX_SCRIPT_CHARS:
                return error_body(
                    "invalid_parameter",
                    f"'script' must be at most {MAX_SCRIPT_CHARS} characters.",
                    "script",
                )
            if body.get("voice_id") not in {v["voice_id"] for v in self.voices}:
                return error_body(
                    "invalid_parameter", f"Voice '{body.get('voice_id')}' not found.", "voice_id"
                )
        for name, allowed in (
            ("aspect_ratio", {"16:9", "9:16"}),
            ("resolution", {"4k", "1080p", "720p"}),
        ):
            if body.get(name) is not None and body[name] not in allowed:
                return error_body(
                    "invalid_parameter", f"'{name}' must be one of {sorted(allowed)}.", name
                )
        background = body.get("background")
        if background is not None and background.get("type") not in ("color", "image"):
            return error_body(
                "invalid_parameter", "'background.type' must be 'color' or 'image'.", "background"
            )
        return None

    # GET /v3/videos/{id} -------------------------------------------------------------------

    async def get_video(self, request: Request) -> Response:
        if (early := await self._guard(request, "status")) is not None:
            return early
        render = self.renders.get(request.path_params["video_id"])
        if render is None:
            return error(404, "not_found", "Video not found.")
        return JSONResponse({"data": self.video_detail(render)})

    def video_detail(self, render: FakeRender) -> dict[str, Any]:
        status = self.phase(render)
        detail: dict[str, Any] = {
            "id": render.id,
            "title": render.body.get("title"),
            "status": status,
            "created_at": render.created_epoch,
            "completed_at": None,
            "video_url": None,
            "thumbnail_url": None,
            "gif_url": None,
            "captioned_video_url": None,
            "subtitle_url": None,
            "duration": None,
            "failure_code": None,
            "failure_message": None,
            "video_page_url": f"https://app.heygen.com/videos/{render.id}",
        }
        if status == "completed":
            detail.update(
                completed_at=render.created_epoch + int(self.completion_delay_s),
                video_url=self.presigned_url(f"/files/{render.id}.mp4"),
                thumbnail_url=self.presigned_url(f"/files/{render.id}.jpg"),
                duration=2.0,
            )
            if render.body.get("caption"):
                detail["captioned_video_url"] = self.presigned_url(f"/files/{render.id}.mp4")
        elif status == "failed":
            detail.update(
                failure_code="rendering_failed", failure_message="Avatar rendering failed"
            )
        return detail

    # lists ---------------------------------------------------------------------------------

    @staticmethod
    def _page(request: Request, items: list[dict[str, Any]], max_limit: int) -> Response:
        try:
            limit = int(request.query_params.get("limit", "20"))
            start = int(request.query_params.get("token") or 0)
        except ValueError:
            return error(400, "invalid_parameter", "'limit' and 'token' must be integers.")
        if not 1 <= limit <= max_limit:
            return error(
                400, "invalid_parameter", f"'limit' must be between 1 and {max_limit}.", "limit"
            )
        page = items[start : start + limit]
        more = start + limit < len(items)
        return JSONResponse(
            {"data": page, "has_more": more, "next_token": str(start + limit) if more else None}
        )

    async def list_looks(self, request: Request) -> Response:
        if (early := await self._guard(request, "avatars")) is not None:
            return early
        looks = [
            {
                "group_id": f"ag_{look['id']}",
                "preview_image_url": f"https://files.heygen.ai/look/{look['id']}.jpg",
                "preview_video_url": None,
                "supported_api_engines": ["avatar_4_quality"],
                **look,
            }
            for look in self.avatars
        ]
        return self._page(request, looks, 50)

    async def list_voices(self, request: Request) -> Response:
        if (early := await self._guard(request, "voices")) is not None:
            return early
        language = (request.query_params.get("language") or "").lower()
        gender = (request.query_params.get("gender") or "").lower()
        voices = [
            {
                "preview_audio_url": f"https://files.heygen.ai/voice/{v['voice_id']}.mp3",
                "support_pause": True,
                "support_locale": False,
                "type": "public",
                **v,
            }
            for v in self.voices
            if (not language or v["language"].lower().startswith(language))
            and (not gender or v["gender"] == gender)
        ]
        return self._page(request, voices, 100)

    # webhooks ------------------------------------------------------------------------------

    def webhook_payload(self, render: FakeRender) -> dict[str, Any]:
        callback_id = render.body.get("callback_id")
        if render.fails:
            data = {
                "video_id": render.id,
                "msg": "Avatar rendering failed",
                "callback_id": callback_id,
            }
            return {"event_type": "avatar_video.fail", "event_data": data}
        data = {
            "video_id": render.id,
            "url": self.presigned_url(f"/files/{render.id}.mp4"),
            "callback_id": callback_id,
        }
        return {"event_type": "avatar_video.success", "event_data": data}

    def webhook_headers(self, body: bytes) -> dict[str, str]:
        if not self.webhook_secret:
            return {}
        signature = hmac.new(self.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        return {SIGNATURE_HEADER: signature}
