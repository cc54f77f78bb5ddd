"""Serves local renders over HTTP (with range requests), so storage fetches them like any
provider's URL."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

SERVED_FILES = {"video.mp4": "video/mp4", "video.jpg": "image/jpeg"}


def media_routes(media_dir: Path) -> list[Route]:
    async def media(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            job_id = UUID(request.path_params["job_id"])
        except ValueError:
            return JSONResponse({"error": "job_id must be a UUID"}, status_code=404)
        path = media_dir / str(job_id) / name
        if name not in SERVED_FILES or not path.is_file():
            return JSONResponse({"error": "no such render"}, status_code=404)
        return FileResponse(path, media_type=SERVED_FILES[name])

    return [Route("/media/{job_id}/{name}", media, methods=["GET", "HEAD"])]
