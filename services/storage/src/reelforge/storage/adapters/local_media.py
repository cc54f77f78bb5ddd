"""HTTP route that serves local-backend objects to holders of a signed URL.

``GET|HEAD /media/{key}?expires=...&signature=...``: 403 when the signature is missing, wrong or
expired; 404 when no such object; otherwise the file, with byte-range support (Starlette's
FileResponse answers ``Range`` with 206 and ``Content-Range``), so players can seek.
"""

from __future__ import annotations

import mimetypes
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from reelforge.storage.domain import signing
from reelforge.storage.domain.keys import is_safe_key

_CONTENT_TYPES = {".mp4": "video/mp4", ".jpg": "image/jpeg", ".json": "application/json"}


def media_routes(
    root: Path,
    accepted_keys: Sequence[SecretStr],
    *,
    clock: Callable[[], float] = time.time,
) -> list[BaseRoute]:
    """The ``/media/{key}`` route over the local backend's directory `root`."""
    root = root.resolve()
    keys = list(accepted_keys)

    async def serve(request: Request) -> Response:
        key = request.path_params["key"]
        if not is_safe_key(key):
            return PlainTextResponse("not found", status_code=404)
        try:
            signing.verify(
                keys,
                key,
                request.query_params.get(signing.EXPIRES_PARAM),
                request.query_params.get(signing.SIGNATURE_PARAM),
                now=clock(),
            )
        except signing.SignatureRefusedError as exc:
            return PlainTextResponse(f"forbidden: {exc}", status_code=403)
        path = root / key
        if not path.is_file():
            return PlainTextResponse("not found", status_code=404)
        expires_in = max(0, int(request.query_params[signing.EXPIRES_PARAM]) - int(clock()))
        return FileResponse(
            path,
            media_type=_content_type(path),
            headers={"Cache-Control": f"private, max-age={expires_in}"},
        )

    return [Route(f"{signing.MEDIA_ROUTE_PREFIX}/{{key:path}}", serve, methods=["GET", "HEAD"])]


def media_app(
    root: Path, accepted_keys: Sequence[SecretStr], *, clock: Callable[[], float] = time.time
) -> Starlette:
    """A standalone app with only the media route (tests, or mounting under another app)."""
    return Starlette(routes=media_routes(root, accepted_keys, clock=clock))


def _content_type(path: Path) -> str:
    return (
        _CONTENT_TYPES.get(path.suffix.lower())
        or mimetypes.guess_type(path.name)[0]
        or "application/octet-stream"
    )
