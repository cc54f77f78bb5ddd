"""Probe a stored video with PyAV and cut a JPEG thumbnail from it.

The probe reads the object *as stored*, so what video.ready announces is what is in the store.
The local backend hands PyAV the file itself; the S3 backend hands it a seekable reader over
ranged GETs (:meth:`ObjectStore.open_reader`), so a probe reads only the container header (and,
for an MP4 whose index sits at the end, the tail) plus the few packets around the thumbnail's
time - not the whole object, and nothing is kept on local disk. Both functions block; call them in
a worker thread.
"""

from __future__ import annotations

import fractions
from dataclasses import dataclass
from typing import BinaryIO

import av

THUMBNAIL_CONTENT_TYPE = "image/jpeg"
_JPEG_OPTIONS = {"qmin": "2", "qmax": "5"}


class MediaProbeError(Exception):
    """The stored object is not a video PyAV can read; `code` is the job's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = False


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    width: int
    height: int
    video_codec: str | None
    audio_codec: str | None


def inspect(
    file: BinaryIO, *, thumbnail_at_s: float | None, thumbnail_max_width: int = 640
) -> tuple[MediaInfo, bytes | None]:
    """The video's facts, and a JPEG of the frame at `thumbnail_at_s` (None: no thumbnail).

    A video shorter than `thumbnail_at_s` gives its middle frame instead.
    """
    try:
        with av.open(file, mode="r") as container:
            info = _info(container)
            thumbnail = None
            if thumbnail_at_s is not None:
                at = min(thumbnail_at_s, info.duration_s / 2) if info.duration_s else 0.0
                thumbnail = _thumbnail(container, at, thumbnail_max_width)
            return info, thumbnail
    except av.FFmpegError as exc:
        raise MediaProbeError(
            "media_unreadable", f"the stored file is not a readable video: {exc}"
        ) from exc


def _info(container: av.container.InputContainer) -> MediaInfo:
    if not container.streams.video:
        raise MediaProbeError("media_no_video_stream", "the stored file has no video stream")
    video = container.streams.video[0]
    audio = container.streams.audio[0] if container.streams.audio else None
    if container.duration is not None:
        duration = container.duration / av.time_base
    elif video.duration is not None and video.time_base is not None:
        duration = float(video.duration * video.time_base)
    else:
        duration = 0.0
    width, height = video.codec_context.width, video.codec_context.height
    if not width or not height:
        raise MediaProbeError("media_unreadable", "the video stream has no frame size")
    return MediaInfo(
        duration_s=round(duration, 3),
        width=width,
        height=height,
        video_codec=video.codec_context.name,
        audio_codec=audio.codec_context.name if audio is not None else None,
    )


def _thumbnail(container: av.container.InputContainer, at_s: float, max_width: int) -> bytes:
    video = container.streams.video[0]
    video.thread_type = "AUTO"
    if at_s > 0 and video.time_base is not None:
        container.seek(int(at_s / video.time_base), stream=video, backward=True)
    frame: av.VideoFrame | None = None
    for decoded in container.decode(video):
        frame = decoded
        if decoded.time is None or decoded.time >= at_s:
            break
    if frame is None:
        raise MediaProbeError("media_unreadable", "no frame could be decoded for the thumbnail")
    return _jpeg(frame, max_width)


def _jpeg(frame: av.VideoFrame, max_width: int) -> bytes:
    width = min(max_width, frame.width)
    height = max(2, round(frame.height * width / frame.width / 2) * 2)
    width -= width % 2
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = width, height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = fractions.Fraction(1, 25)
    encoder.options = _JPEG_OPTIONS
    scaled = frame.reformat(width=width, height=height, format="yuvj420p")
    scaled.pts = 0
    packets = [*encoder.encode(scaled), *encoder.encode(None)]
    return b"".join(bytes(packet) for packet in packets)
