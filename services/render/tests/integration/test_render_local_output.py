"""Real MP4s from the local renderer, probed with PyAV: streams, sizes, durations, faststart,
captions, scenes and thumbnails."""

from __future__ import annotations

import multiprocessing
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from PIL import Image

from reelforge.contracts import VideoRequested
from reelforge.render.adapters.local_renderer import (
    FPS,
    LocalRenderResult,
    estimate_duration_s,
    render_video,
)
from reelforge.render.adapters.local_renderer.layout import layout_for

pytestmark = pytest.mark.integration

FRAME = 1.0 / FPS
SHORT = "Hello there. This home has four bedrooms."


def make_request(*scenes: dict[str, Any], **render: Any) -> VideoRequested:
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        scenes=[{"avatar_id": "amy", "voice_id": "en-us-female", **s} for s in scenes],
        render=render,
    )


@dataclass
class Probe:
    video_codec: str
    pix_fmt: str
    width: int
    height: int
    video_s: float
    audio_codec: str
    audio_s: float
    sample_rate: int
    colour: tuple[int, int, int, int]
    fps: float


def probe(path: Path) -> Probe:
    with av.open(str(path)) as container:
        assert len(container.streams.video) == 1
        assert len(container.streams.audio) == 1
        video, audio = container.streams.video[0], container.streams.audio[0]
        vc, ac = video.codec_context, audio.codec_context
        assert video.duration is not None
        assert audio.duration is not None
        assert video.time_base is not None
        assert audio.time_base is not None
        return Probe(
            video_codec=vc.name,
            pix_fmt=vc.pix_fmt or "",
            width=vc.width,
            height=vc.height,
            video_s=float(video.duration * video.time_base),
            audio_codec=ac.name,
            audio_s=float(audio.duration * audio.time_base),
            sample_rate=ac.sample_rate,
            colour=(vc.color_primaries, vc.color_trc, vc.colorspace, vc.color_range),
            fps=float(video.average_rate or 0),
        )


def frame_at(path: Path, seconds: float) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            if frame.time is not None and frame.time >= seconds - FRAME / 2:
                return np.asarray(frame.to_image())  # type: ignore[no-untyped-call]
    raise AssertionError(f"no frame at {seconds}s")


def moov_before_mdat(path: Path) -> bool:
    with path.open("rb") as handle:
        while header := handle.read(8):
            size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if kind in (b"moov", b"mdat"):
                return kind == b"moov"
            if size == 1:
                size = int.from_bytes(handle.read(8), "big") - 8
            handle.seek(size - 8, 1)
    return False


CASES = [
    ("16:9", "720p", 1280, 720),
    ("9:16", "720p", 720, 1280),
    ("1:1", "720p", 720, 720),
    ("4:3", "720p", 960, 720),
    ("16:9", "1080p", 1920, 1080),
    ("9:16", "1080p", 1080, 1920),
]


@pytest.mark.parametrize(("aspect", "resolution", "width", "height"), CASES)
def test_mp4_streams_sizes_and_durations(
    tmp_path: Path, aspect: str, resolution: str, width: int, height: int
) -> None:
    request = make_request(
        {"script": SHORT}, aspect_ratio=aspect, resolution=resolution, title="Open house"
    )
    result = render_video(request, tmp_path / "video.mp4")

    info = probe(result.path)
    assert (info.video_codec, info.pix_fmt, info.audio_codec) == ("h264", "yuv420p", "aac")
    assert (info.width, info.height) == (width, height) == (result.width, result.height)
    assert info.fps == FPS
    assert info.colour == (1, 1, 1, 1)
    assert abs(info.video_s - info.audio_s) <= FRAME
    assert abs(info.video_s - result.duration_s) <= FRAME
    assert 1.5 < result.duration_s < 6.0
    assert moov_before_mdat(result.path)
    assert result.size_bytes == result.path.stat().st_size
    with Image.open(result.thumbnail_path) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("JPEG", (width, height))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["video.jpg", "video.mp4"]


def test_captions_are_word_timed_monotonic_and_within_the_audio(tmp_path: Path) -> None:
    script = (
        "Welcome to the open house. The kitchen was renovated last year, with an island and "
        "quartz counters. Call me to book a viewing!"
    )
    result = render_video(make_request({"script": script}), tmp_path / "v.mp4")
    info = probe(result.path)

    cues = result.captions
    assert " ".join(c.text for c in cues) == " ".join(script.split())
    previous_end = 0.0
    for cue in cues:
        assert previous_end <= cue.start_s < cue.end_s <= info.audio_s + 1e-6
        starts = [w.start_s for w in cue.words]
        assert starts == sorted(starts)
        assert cue.start_s == starts[0]
        previous_end = cue.end_s
    assert cues[-1].words[-1].start_s > 0.6 * info.audio_s


def _band_has_text(path: Path, seconds: float, request: VideoRequested) -> bool:
    layout = layout_for(request.render.aspect_ratio, request.render.resolution)
    band = frame_at(path, seconds)[layout.caption_band.y : layout.caption_band.bottom]
    return bool(band.std(axis=(0, 1)).max() > 20)


def test_captions_are_burned_in_and_can_be_switched_off(tmp_path: Path) -> None:
    scene = {"script": SHORT, "background": {"type": "color", "value": "#336699"}}
    with_captions = make_request(scene, aspect_ratio="9:16")
    without = make_request(scene, aspect_ratio="9:16", captions=False)

    on = render_video(with_captions, tmp_path / "on.mp4")
    off = render_video(without, tmp_path / "off.mp4")

    assert on.captions_burned_in
    assert not off.captions_burned_in
    assert _band_has_text(on.path, 1.0, with_captions)
    assert not _band_has_text(off.path, 1.0, without)


def test_mouth_moves_while_speaking(tmp_path: Path) -> None:
    request = make_request({"script": SHORT, "avatar_id": "josh"}, captions=False)
    result = render_video(request, tmp_path / "v.mp4")
    layout = layout_for(request.render.aspect_ratio, request.render.resolution)
    box = layout.portrait
    mouth = slice(box.y + box.height * 55 // 100, box.y + box.height * 66 // 100)

    frames = [frame_at(result.path, t)[mouth, box.x : box.right] for t in (0.4, 0.8, 1.2, 1.6)]
    last = frame_at(result.path, result.duration_s - FRAME)[mouth, box.x : box.right]

    assert any(np.abs(f.astype(int) - last.astype(int)).max() > 60 for f in frames)


def _portrait(path: Path, seconds: float, request: VideoRequested) -> np.ndarray:
    box = layout_for(request.render.aspect_ratio, request.render.resolution).portrait
    top = box.y + box.height // 10
    return frame_at(path, seconds)[top : box.y + box.height * 35 // 100, box.x : box.right]


def test_three_scenes_render_in_order_each_with_its_own_avatar_and_voice(
    tmp_path: Path,
) -> None:
    request = make_request(
        {"avatar_id": "amy", "voice_id": "voice_1", "script": "First scene. Hello."},
        {"avatar_id": "josh", "voice_id": "voice_2", "script": "Second scene is here."},
        {"avatar_id": "maya", "voice_id": "en-gb-male", "script": "Third and last scene."},
        title="Three scenes",
    )

    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        result: LocalRenderResult = pool.submit(
            render_video, request, tmp_path / "reel.mp4"
        ).result(timeout=120)

    assert result.scene_voices == ("en-us-female", "en-us-male", "en-gb-male")
    texts = [c.text for c in result.captions]
    assert texts == ["First scene.", "Hello.", "Second scene is here.", "Third and last scene."]
    starts = {text: cue.start_s for text, cue in zip(texts, result.captions, strict=True)}
    second, third = starts["Second scene is here."], starts["Third and last scene."]
    portraits = [
        _portrait(result.path, t, request)
        for t in (0.3, second + 0.3, third + 0.3, result.duration_s - 0.1)
    ]
    first, middle, last, end = portraits
    assert np.abs(first.astype(int) - middle.astype(int)).mean() > 10
    assert np.abs(middle.astype(int) - last.astype(int)).mean() > 10
    assert np.abs(last.astype(int) - end.astype(int)).mean() < 3
    assert abs(probe(result.path).video_s - result.duration_s) <= FRAME


def test_image_background_fills_the_frame(tmp_path: Path) -> None:
    background = tmp_path / "bg.png"
    Image.new("RGB", (400, 300), (200, 40, 40)).save(background)
    request = make_request(
        {"script": "Look at this.", "background": {"type": "image", "value": str(background)}},
        aspect_ratio="1:1",
    )

    result = render_video(request, tmp_path / "v.mp4")

    corner = frame_at(result.path, 0.5)[5:40, 5:40].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - (200, 40, 40)).max() < 12


def test_video_background_shows_its_first_frame(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    with av.open(str(clip), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 160, 90, "yuv420p"
        for index in range(5):
            colour = (30, 60, 200) if index == 0 else (250, 250, 0)
            image = Image.new("RGB", (160, 90), colour)
            frame = av.VideoFrame.from_image(image)  # type: ignore[no-untyped-call]
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    request = make_request(
        {"script": "Look at this.", "background": {"type": "video", "value": str(clip)}},
        aspect_ratio="4:3",
    )

    result = render_video(request, tmp_path / "v.mp4")

    corner = frame_at(result.path, 0.5)[5:40, 5:40].reshape(-1, 3).mean(axis=0)
    assert np.abs(corner - (30, 60, 200)).max() < 15


def test_progress_rises_to_one(tmp_path: Path) -> None:
    seen: list[float] = []
    request = make_request({"script": SHORT}, {"script": SHORT, "avatar_id": "leo"})

    render_video(request, tmp_path / "v.mp4", progress=seen.append)

    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 3
    assert 0.0 < seen[0] < 0.5


def test_speed_changes_duration_and_the_estimate_is_in_range(tmp_path: Path) -> None:
    script = "The garden is private, quiet and perfect for long summer evenings."
    normal = render_video(make_request({"script": script}), tmp_path / "a.mp4")
    fast = render_video(make_request({"script": script, "voice_speed": 1.5}), tmp_path / "b.mp4")

    assert fast.duration_s < 0.8 * normal.duration_s
    estimate = estimate_duration_s(make_request({"script": script}))
    assert 0.6 * normal.duration_s < estimate < 1.6 * normal.duration_s
