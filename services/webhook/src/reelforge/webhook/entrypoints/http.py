"""The HTTP surface: provider webhooks, the submission API, the job view, its SSE stream, OpenAPI.

Every response to bad input is a 4xx with a JSON body ``{"error": code, "message": ...}``; 5xx
answers mean "retry later" (Kafka or PostgreSQL unavailable), never "your request was wrong".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

from prometheus_client import Counter
from pydantic import ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from reelforge.contracts import JobState, VideoType
from reelforge.runtime.db import Pool

from ..adapters import jobs, tenants
from ..adapters.notifier import ChangeNotifier
from ..adapters.tenants import Tenant
from ..domain import callback_urls, tenant_keys
from ..domain.api_models import CreateScriptRequest, CreateVideoRequest, field_problems
from ..domain.job_view import JobView
from ..domain.pagination import Cursor, CursorError, parse_limit
from ..domain.webhook_mapping import Provider
from ..service_layer import submissions
from ..service_layer.webhooks import WebhookHandler
from .openapi import openapi_document

logger = logging.getLogger(__name__)

WEBHOOKS_RECEIVED = Counter(
    "reelforge_webhooks_received",
    "Provider webhooks by provider, event type and outcome.",
    ["provider", "event_type", "outcome"],
)
API_REQUESTS = Counter(
    "reelforge_api_requests", "Submission/job API requests.", ["route", "method", "status"]
)
_webhook_counters: dict[tuple[str, str, str], Any] = {}
"""The counter of each label set, looked up once (``labels()`` takes a lock on every call)."""
MAX_IDEMPOTENCY_KEY = 255
SSE_RECHECK_S = 15.0


class BodyTooLargeError(Exception):
    pass


@dataclass
class HttpDependencies:
    pool: Callable[[], Pool]
    webhooks: WebhookHandler
    notifier: ChangeNotifier
    max_body_bytes: int
    allow_insecure_callbacks: bool
    public_base_url: str
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)


def error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing (without reading it all) anything longer than `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def routes(deps: HttpDependencies) -> list[BaseRoute]:
    def counted(
        name: str, handler: Callable[[Request], Awaitable[Response]]
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            response = await handler(request)
            API_REQUESTS.labels(name, request.method, str(response.status_code)).inc()
            return response

        return endpoint

    async def authenticate(request: Request) -> Tenant | Response:
        try:
            key = tenant_keys.from_authorization(request.headers.get("authorization"))
        except tenant_keys.ApiKeyError as problem:
            return error(401, "unauthorized", str(problem))
        tenant = await tenants.tenant_for_key(deps.pool(), tenant_keys.hash_key(key))
        if tenant is None:
            return error(401, "unauthorized", "unknown or revoked API key")
        return tenant

    def webhook_endpoint(provider: Provider) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if request.method == "OPTIONS":
                return Response(status_code=200)
            try:
                body: bytes | None = await read_body(request, deps.max_body_bytes)
            except BodyTooLargeError:
                body = None
            status, answer = await answer_webhook(
                deps, provider, request.headers, dict(request.query_params), body
            )
            return JSONResponse(answer, status_code=status)

        return endpoint

    async def submit(
        request: Request, model: type[CreateVideoRequest | CreateScriptRequest]
    ) -> Response:
        tenant = await authenticate(request)
        if isinstance(tenant, Response):
            return tenant
        key = request.headers.get("idempotency-key")
        if key is not None and not (0 < len(key) <= MAX_IDEMPOTENCY_KEY and key.isprintable()):
            return error(400, "invalid_idempotency_key", "Idempotency-Key must be 1-255 characters")
        try:
            body = await read_body(request, deps.max_body_bytes)
        except BodyTooLargeError:
            return error(413, "too_large", f"body exceeds {deps.max_body_bytes} bytes")
        try:
            submission = model.model_validate_json(body)
        except ValidationError as problem:
            if any(item["type"] == "json_invalid" for item in problem.errors()):
                return error(400, "malformed_json", "the body is not valid JSON")
            problems = [p.__dict__ for p in field_problems(problem)]
            return error(422, "invalid_request", _summary(problems), problems=problems)
        if submission.callback_url is not None:
            try:
                callback_urls.check(
                    str(submission.callback_url), allow_insecure=deps.allow_insecure_callbacks
                )
            except callback_urls.CallbackUrlError as problem:
                problems = [{"field": "callback_url", "message": str(problem)}]
                return error(422, "invalid_request", _summary(problems), problems=problems)
        try:
            submitted = await submissions.submit(
                deps.pool(), tenant.tenant_id, submission, idempotency_key=key, now=deps.clock()
            )
        except submissions.IdempotencyConflictError as problem:
            return error(409, "idempotency_key_reused", str(problem))
        location = f"/v1/videos/{submitted.job_id}"
        return JSONResponse(
            {
                "job_id": str(submitted.job_id),
                "state": "accepted",
                "replayed": submitted.replayed,
                "links": {"self": location, "events": f"{location}/events"},
            },
            status_code=202,
            headers={"location": location},
        )

    async def create_video(request: Request) -> Response:
        return await submit(request, CreateVideoRequest)

    async def create_script(request: Request) -> Response:
        return await submit(request, CreateScriptRequest)

    async def owned_view(request: Request) -> JobView | Response:
        tenant = await authenticate(request)
        if isinstance(tenant, Response):
            return tenant
        try:
            job_id = UUID(request.path_params["job_id"])
        except ValueError:
            return error(404, "not_found", "no such job")
        view = await jobs.get(deps.pool(), job_id)
        if view is None or view.tenant_id != tenant.tenant_id:
            return error(404, "not_found", "no such job")
        return view

    async def get_video(request: Request) -> Response:
        view = await owned_view(request)
        if isinstance(view, Response):
            return view
        return JSONResponse(present(view))

    async def list_videos(request: Request) -> Response:
        tenant = await authenticate(request)
        if isinstance(tenant, Response):
            return tenant
        query = request.query_params
        problems = []
        state = query.get("state") or None
        video_type = query.get("type") or None
        if state is not None and state not in JobState.__members__.values():
            problems.append({"field": "state", "message": f"one of {', '.join(JobState)}"})
        if video_type is not None and video_type not in VideoType.__members__.values():
            problems.append({"field": "type", "message": f"one of {', '.join(VideoType)}"})
        try:
            limit = parse_limit(query.get("limit"))
        except ValueError as problem:
            problems.append({"field": "limit", "message": str(problem)})
            limit = 0
        cursor = None
        if query.get("cursor"):
            try:
                cursor = Cursor.decode(query["cursor"])
            except CursorError as problem:
                problems.append({"field": "cursor", "message": str(problem)})
        if problems:
            return error(400, "invalid_query", _summary(problems), problems=problems)
        page = await jobs.list_for_tenant(
            deps.pool(),
            tenant.tenant_id,
            state=state,
            video_type=video_type,
            cursor=cursor,
            limit=limit,
        )
        return JSONResponse(
            {"items": [present(v) for v in page.views], "next_cursor": page.next_cursor}
        )

    async def video_events(request: Request) -> Response:
        view = await owned_view(request)
        if isinstance(view, Response):
            return view
        return EventSourceResponse(_progress_stream(deps, view.job_id), ping=10)

    async def docs(_: Request) -> Response:
        return JSONResponse(openapi_document(deps.public_base_url))

    webhook_methods = ["POST", "OPTIONS"]
    return [
        Route("/webhooks/heygen", webhook_endpoint(Provider.HEYGEN), methods=webhook_methods),
        Route("/webhooks/did", webhook_endpoint(Provider.DID), methods=webhook_methods),
        Route("/v1/videos", counted("/v1/videos", create_video), methods=["POST"]),
        Route("/v1/videos", counted("/v1/videos", list_videos), methods=["GET"]),
        Route("/v1/scripts", counted("/v1/scripts", create_script), methods=["POST"]),
        Route("/v1/videos/{job_id}", counted("/v1/videos/{job_id}", get_video), methods=["GET"]),
        Route(
            "/v1/videos/{job_id}/events",
            counted("/v1/videos/{job_id}/events", video_events),
            methods=["GET"],
        ),
        Route("/docs", docs, methods=["GET"]),
        Route("/openapi.json", docs, methods=["GET"]),
    ]


async def answer_webhook(
    deps: HttpDependencies,
    provider: Provider,
    headers: Mapping[str, str],
    query: Mapping[str, str],
    body: bytes | None,
) -> tuple[int, dict[str, object]]:
    """Status and JSON body for one provider delivery (`body` None: it was over the cap)."""
    if body is None:
        _log_webhook(provider, "unknown", "too_large", 413, None)
        return 413, {"error": "too_large", "message": f"body exceeds {deps.max_body_bytes} bytes"}
    result = await deps.webhooks.handle(provider, headers, query, body)
    _log_webhook(provider, result.event_type, result.outcome, result.status_code, result.job_id)
    return result.status_code, result.body()


class WebhookFastPath:
    """``POST /webhooks/{provider}`` served straight from ASGI, in front of the router.

    Same answers as the Starlette routes (which still serve OPTIONS, and POST where this is not
    installed), without the per-request Request, routing, exception-middleware and JSONResponse
    layers: at thousands of webhooks per second those cost more CPU than verifying the delivery.
    """

    def __init__(self, app: ASGIApp, deps: HttpDependencies) -> None:
        self.app = app
        self.deps = deps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        provider = _WEBHOOK_PATHS.get(scope["path"]) if scope["type"] == "http" else None
        if provider is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for name, value in reversed(scope["headers"]):
            headers[name.decode("latin-1")] = value.decode("latin-1")
        raw_query = scope.get("query_string", b"")
        query = dict(parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True))
        try:
            body = await _receive_body(receive, headers, self.deps.max_body_bytes)
        except _DisconnectedError:
            return
        status, answer = await answer_webhook(self.deps, provider, headers, query, body)
        content = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-length", str(len(content)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


_WEBHOOK_PATHS = {f"/webhooks/{provider.value}": provider for provider in Provider}


class _DisconnectedError(Exception):
    pass


async def _receive_body(receive: Receive, headers: Mapping[str, str], limit: int) -> bytes | None:
    """The raw body, or None once it exceeds `limit` (the rest is then not kept)."""
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _DisconnectedError
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def present(view: JobView) -> dict[str, Any]:
    """The job as the API shows it."""
    body = view.model_dump(mode="json")
    body["links"] = {
        "self": f"/v1/videos/{view.job_id}",
        "events": f"/v1/videos/{view.job_id}/events",
    }
    return body


def progress_event(view: JobView) -> dict[str, Any]:
    latest = view.history[-1] if view.history else None
    return {
        "job_id": str(view.job_id),
        "state": view.state.value,
        "progress": view.progress,
        "at": (latest.at if latest else view.updated_at).isoformat(),
        "provider": view.provider,
        "detail": latest.detail if latest else None,
        "error": view.error.model_dump(mode="json") if view.error else None,
        "asset": view.asset.model_dump(mode="json") if view.asset else None,
        "hint": view.hints[-1].model_dump(mode="json") if view.hints else None,
    }


async def _progress_stream(deps: HttpDependencies, job_id: UUID) -> AsyncIterator[ServerSentEvent]:
    last: dict[str, Any] | None = None
    with deps.notifier.subscribe(job_id) as changed:
        while True:
            changed.clear()
            view = await jobs.get(deps.pool(), job_id)
            if view is None:
                return
            current = progress_event(view)
            if current != last:
                yield ServerSentEvent(
                    data=json.dumps(current), event="status", id=str(len(view.history))
                )
                last = current
            if view.is_final:
                yield ServerSentEvent(data=json.dumps({"state": view.state.value}), event="end")
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), timeout=SSE_RECHECK_S)


def _summary(problems: list[dict[str, str]]) -> str:
    return "; ".join(f"{p['field']}: {p['message']}" for p in problems)


def _log_webhook(
    provider: Provider, event_type: str, outcome: str, status_code: int, job_id: UUID | None
) -> None:
    labels = (provider.value, event_type, outcome)
    counter = _webhook_counters.get(labels)
    if counter is None:
        counter = _webhook_counters[labels] = WEBHOOKS_RECEIVED.labels(*labels)
    counter.inc()
    logger.info(
        "webhook received",
        extra={
            "provider": provider.value,
            "event_type": event_type,
            "outcome": outcome,
            "status_code": status_code,
            "job_id": str(job_id) if job_id else None,
        },
    )
