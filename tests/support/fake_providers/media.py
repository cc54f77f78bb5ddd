"""A small real MP4 (H.264 + AAC) and a JPEG thumbnail, made once per process with PyAV."""

from __future__ import annotations

import atexit
import functools
import io
import math
import os
import tempfile
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

WIDTH, HEIGHT, FPS, SECONDS, SAMPLE_RATE = 320, 180, 25, 2, 44_100


def _frame_pixels(index: int) -> np.ndarray:
    """A moving colour gradient, so every frame differs (a real, decodable video)."""
    x = np.linspace(0, 255, WIDTH, dtype=np.float32)
    y = np.linspace(0, 255, HEIGHT, dtype=np.float32)[:, None]
    shift = index * 255 / (FPS * SECONDS)
    rgb = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    rgb[..., 0] = (x + shift) % 256
    rgb[..., 1] = np.broadcast_to(y, (HEIGHT, WIDTH))
    rgb[..., 2] = 128
    return rgb


@functools.cache
def sample_mp4() -> Path:
    """Path of a 2-second 320x180 H.264 + AAC MP4 (about 30 kB)."""
    path = Path(tempfile.gettempdir()) / f"reelforge-fake-provider-{os.getpid()}.mp4"
    with av.open(str(path), mode="w") as container:
        video = container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.options = {"preset": "ultrafast"}
        audio = container.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout = "mono"
        for index in range(FPS * SECONDS):
            frame = av.VideoFrame.from_ndarray(_frame_pixels(index), format="rgb24")
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        samples_per_frame = 1024
        total = SAMPLE_RATE * SECONDS
        for start in range(0, total, samples_per_frame):
            t = np.arange(start, min(start + samples_per_frame, total)) / SAMPLE_RATE
            tone = (0.2 * np.sin(2 * math.pi * 440 * t)).astype(np.float32)[None, :]
            chunk = av.AudioFrame.from_ndarray(tone, format="fltp", layout="mono")
            chunk.sample_rate = SAMPLE_RATE
            chunk.pts = start
            chunk.time_base = Fraction(1, SAMPLE_RATE)
            container.mux(audio.encode(chunk))
        container.mux(audio.encode(None))
    atexit.register(path.unlink, missing_ok=True)
    return path


@functools.cache
def sample_thumbnail() -> bytes:
    """The first frame of the sample video as JPEG bytes."""
    image = Image.fromarray(_frame_pixels(0))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()
