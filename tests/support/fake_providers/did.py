"""A fake D-ID talks API: POST /talks, GET /talks/{id}, GET /talks, GET /tts/voices, with
D-ID's JSON shapes and ``{"kind", "description"}`` errors, Basic auth, a limit on concurrent
talks, presigned result URLs, and the talk object POSTed to the ``webhook`` URL when done."""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .base import FakeProviderBase, FakeRender
from .faults import Fault, FaultKind

API_KEY = "ZGlkLXVzZXJAZXhhbXBsZS5jb20:did-test-secret"
MIN_INPUT, MAX_INPUT = 3, 40_000

DEFAULT_PRESENTERS: Mapping[str, str] = {
    "amy": "https://presenters.example.com/amy.jpg",
    "josh": "https://presenters.example.com/josh.png",
}
DEFAULT_VOICES: tuple[dict[str, Any], ...] = (
    {
        "id": "en-US-JennyNeural",
        "name": "Jenny",
        "gender": "female",
        "age": "Adult",
        "languages": [{"code": "en-US", "name": "English (United States)"}],
        "styles": ["cheerful", "sad"],
    },
    {
        "id": "en-GB-RyanNeural",
        "name": "Ryan",
        "gender": "male",
        "age": "Adult",
        "languages": [{"code": "en-GB", "name": "English (United Kingdom)"}],
        "styles": [],
    },
    {
        "id": "es-ES-ElviraNeural",
        "name": "Elvira",
        "gender": "female",
        "age": "Young Adult",
        "languages": [{"code": "es-ES", "name": "Spanish (Spain)"}],
        "styles": [],
    },
)


def problem(status: int, kind: str, description: str, **headers: str) -> Response:
    return JSONResponse(
        {"kind": kind, "description": description}, status_code=status, headers=headers or None
    )


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


class FakeDId(FakeProviderBase):
    id_prefix = "tlk_"

    def __init__(
        self,
        *,
        api_key: str = API_KEY,
        presenter_images: Sequence[str] = tuple(DEFAULT_PRESENTERS.values()),
        voices: Sequence[dict[str, Any]] = DEFAULT_VOICES,
        completion_delay_s: float = 0.2,
        max_concurrent_renders: int = 10,
        url_ttl_s: float = 24 * 3600,
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
        self.presenter_images = set(presenter_images)
        self.voices = list(voices)
        self._app = Starlette(
            routes=[
                Route("/talks", self.create_talk, methods=["POST"]),
                Route("/talks", self.list_talks, methods=["GET"]),
                Route("/talks/{talk_id}", self.get_talk, methods=["GET"]),
                Route("/tts/voices", self.list_voices, methods=["GET"]),
                *self.file_routes(),
            ]
        )

    @property
    def app(self) -> Starlette:
        return self._app

    def submissions_for(self, user_data: str) -> int:
        return sum(1 for r in self.renders.values() if r.body.get("user_data") == user_data)

    @staticmethod
    def _fault_answer(fault: Fault) -> Response:
        if fault.kind is FaultKind.RATE_LIMIT:
            return problem(
                429,
                "TooManyRequestsError",
                "too many requests",
                **{"Retry-After": fault.retry_after},
            )
        if fault.kind is FaultKind.ERROR_IN_200:
            return problem(200, "InternalServerError", fault.message)
        return problem(fault.status, "InternalServerError", "internal server error")

    async def _guard(self, request: Request, operation: str) -> Response | None:
        if (answer := await self.injected(operation, self._fault_answer)) is not None:
            return answer
        if hmac.compare_digest(request.headers.get("authorization", ""), f"Basic {self.api_key}"):
            return None
        return problem(401, "AuthorizationError", "user unauthenticated")

    async def create_talk(self, request: Request) -> Response:
        raw = await request.body()  # the whole request arrives before any (slow) processing
        if (early := await self._guard(request, "submit")) is not None:
            return early
        try:
            body = json.loads(raw)
        except json.JSONDecodeError:
            return problem(400, "BadRequestError", "body must be JSON")
        if not isinstance(body, dict):
            return problem(400, "BadRequestError", "body must be a JSON object")
        script = body.get("script") or {}
        if script.get("type") != "text":
            return problem(400, "ValidationError", "script.type must be 'text' or 'audio'")
        text = script.get("input") or ""
        if len(text) > MAX_INPUT:
            return problem(
                400,
                "ValidationError",
                f"script.input exceeds the maximum of {MAX_INPUT} characters",
            )
        if len(text) < MIN_INPUT:
            return problem(
                400, "ValidationError", f"script.input needs at least {MIN_INPUT} characters"
            )
        if body.get("source_url") not in self.presenter_images:
            return problem(
                400, "BadRequestError", "Failed to download source_url image or no face detected"
            )
        voice_id = (script.get("provider") or {}).get("voice_id")
        if voice_id is not None and voice_id not in {v["id"] for v in self.voices}:
            return problem(400, "ValidationError", f"voice_id '{voice_id}' is not a valid voice")
        if self.at_capacity():
            self.rejected_for_concurrency += 1
            return problem(
                429, "TooManyRequestsError", "too many concurrent talks", **{"Retry-After": "5"}
            )
        render = self.start_render(body, text, body.get("webhook"))
        return JSONResponse(
            {
                "id": render.id,
                "object": "talk",
                "created_by": "fake-user",
                "created_at": _iso(render.created_epoch),
                "status": "created",
            },
            status_code=201,
        )

    def talk(self, render: FakeRender) -> dict[str, Any]:
        phase = self.phase(render)
        status = {"pending": "created", "processing": "started", "completed": "done"}.get(
            phase, "error"
        )
        talk: dict[str, Any] = {
            "id": render.id,
            "user_id": "fake-user",
            "source_url": render.body.get("source_url"),
            "created_at": _iso(render.created_epoch),
            "created_by": "fake-user",
            "modified_at": _iso(self.wall()),
            "status": status,
            "webhook": render.body.get("webhook"),
            "user_data": render.body.get("user_data"),
            "config": render.body.get("config") or {},
        }
        if status != "created":
            talk["started_at"] = _iso(render.created_epoch)
        if status == "done":
            talk["result_url"] = self.presigned_url(f"/files/{render.id}.mp4")
            talk["duration"] = 2.0
        if status == "error":
            talk["error"] = {"kind": "RenderError", "description": "failed to render the talk"}
        return talk

    async def get_talk(self, request: Request) -> Response:
        if (early := await self._guard(request, "status")) is not None:
            return early
        render = self.renders.get(request.path_params["talk_id"])
        if render is None:
            return problem(404, "NotFoundError", "not found")
        return JSONResponse(self.talk(render))

    async def list_talks(self, request: Request) -> Response:
        if (early := await self._guard(request, "list_talks")) is not None:
            return early
        limit = int(request.query_params.get("limit", "100"))
        latest = list(self.renders.values())[::-1][:limit]
        return JSONResponse({"talks": [self.talk(r) for r in latest]})

    async def list_voices(self, request: Request) -> Response:
        if (early := await self._guard(request, "voices")) is not None:
            return early
        provider = request.query_params.get("provider", "microsoft")
        voices = [
            {"access": "public", "provider": provider, "language": None, "voiceType": "Avatar", **v}
            for v in self.voices
        ]
        return JSONResponse(voices)

    def webhook_payload(self, render: FakeRender) -> dict[str, Any]:
        return self.talk(render)
