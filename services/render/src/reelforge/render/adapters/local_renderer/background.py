"""Scene backgrounds: a colour, or a still from an image or a video (its first frame).

Sources are a local path (optionally confined to ``local_roots``) or an http(s) URL whose host is on
``allowed_hosts`` (empty by default: no URL is fetched). Redirects are not followed, size is capped,
and huge images are refused before they are decoded, so a request cannot make the renderer read
arbitrary hosts or exhaust memory.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import av
import httpx
from PIL import Image, ImageOps

from reelforge.contracts import Background, BackgroundType

from .errors import LocalRenderError, LocalRenderErrorCode

_MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class BackgroundPolicy:
    """Where background images and videos may come from."""

    allowed_hosts: frozenset[str] = frozenset()
    """Hosts (exact, lowercase) that http(s) URLs may name; empty allows no URL."""
    local_roots: tuple[Path, ...] | None = None
    """Directories local paths must lie under; None allows any readable local file."""
    max_bytes: int = 25 * 1024 * 1024
    timeout_s: float = 10.0


def _unreadable(scene_number: int, source: str, why: str) -> LocalRenderError:
    return LocalRenderError(
        LocalRenderErrorCode.BACKGROUND_UNREADABLE,
        f"scene {scene_number}: background {source!r} {why}",
    )


def _shown(value: str) -> str:
    """The source as it may appear in an error: a URL without its query (it may hold a token)."""
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"
    return value[:300]


def check_source(background: Background, policy: BackgroundPolicy, scene_number: int) -> None:
    """Refuse a disallowed or missing source before any work is done (no download)."""
    if background.type is BackgroundType.COLOR:
        return
    value, shown = background.value, _shown(background.value)
    parts = urlsplit(value)
    if parts.scheme in ("http", "https"):
        if (parts.hostname or "").lower() not in policy.allowed_hosts:
            raise _unreadable(scene_number, shown, "is on a host that is not allowed")
        return
    if parts.scheme not in ("", "file"):
        raise _unreadable(scene_number, shown, "must be a local path or an http(s) URL")
    _local_path(value, policy, scene_number)


def _local_path(value: str, policy: BackgroundPolicy, scene_number: int) -> Path:
    parts = urlsplit(value)
    path = Path(parts.path if parts.scheme == "file" else value).expanduser()
    try:
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        raise _unreadable(scene_number, value[:300], "does not exist") from None
    if policy.local_roots is not None and not any(
        resolved.is_relative_to(root.resolve()) for root in policy.local_roots
    ):
        raise _unreadable(scene_number, value[:300], "is outside the allowed directories")
    if not resolved.is_file():
        raise _unreadable(scene_number, value[:300], "is not a file")
    if resolved.stat().st_size > policy.max_bytes:
        raise _unreadable(scene_number, value[:300], f"is larger than {policy.max_bytes} bytes")
    return resolved


def _download(url: str, policy: BackgroundPolicy, scene_number: int) -> bytes:
    shown = _shown(url)
    try:
        with (
            httpx.Client(timeout=policy.timeout_s, follow_redirects=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise _unreadable(scene_number, shown, f"answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > policy.max_bytes:
                    raise _unreadable(
                        scene_number, shown, f"is larger than {policy.max_bytes} bytes"
                    )
            return bytes(body)
    except httpx.HTTPError as exc:
        why = f"could not be fetched ({type(exc).__name__})"
        raise _unreadable(scene_number, shown, why) from None


def _decode_image(source: Path | io.BytesIO) -> Image.Image:
    with Image.open(source) as image:
        if image.width * image.height > _MAX_PIXELS:
            raise ValueError(f"has {image.width}x{image.height} pixels, more than allowed")
        image.load()
        return ImageOps.exif_transpose(image).convert("RGB")


def _decode_video_still(source: Path | io.BytesIO) -> Image.Image:
    with av.open(source if isinstance(source, io.BytesIO) else str(source), "r") as container:
        stream = container.streams.video[0]
        if stream.codec_context.width * stream.codec_context.height > _MAX_PIXELS:
            raise ValueError("has more pixels than allowed")
        for frame in container.decode(stream):
            image: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
            return image.convert("RGB")
    raise ValueError("has no video frames")


def load_background(
    background: Background, size: tuple[int, int], policy: BackgroundPolicy, scene_number: int
) -> Image.Image:
    """The scene's background as an RGB image of exactly ``size`` (cover-fit, centred)."""
    if background.type is BackgroundType.COLOR:
        return Image.new("RGB", size, background.value)
    check_source(background, policy, scene_number)
    value = background.value
    source: Path | io.BytesIO
    if urlsplit(value).scheme in ("http", "https"):
        source = io.BytesIO(_download(value, policy, scene_number))
    else:
        source = _local_path(value, policy, scene_number)
    decode = _decode_video_still if background.type is BackgroundType.VIDEO else _decode_image
    try:
        image = decode(source)
    except (OSError, ValueError, Image.DecompressionBombError, av.FFmpegError, IndexError) as exc:
        why = str(exc) if isinstance(exc, ValueError) else f"cannot be decoded ({exc})"
        raise _unreadable(scene_number, _shown(value), why[:300]) from None
    return ImageOps.fit(image, size, Image.Resampling.LANCZOS)
