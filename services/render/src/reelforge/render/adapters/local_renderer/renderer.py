"""Entry point of the local provider: a ``VideoRequested`` in, a finished MP4 out.

Pure CPU and blocking: the render service runs :func:`render_video` in a process pool
(``loop.run_in_executor(pool, render_video, request, path)``); arguments and results are picklable.
Scenes are rendered one after another into one file; within a scene, frames and audio stream into
the encoder, so memory is bounded by one scene's audio (about 15 MB for a 5,000-character script).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from PIL import Image

from reelforge.contracts import Emotion, Scene, VideoRequested

from .animation import blink_schedule, mouth_levels
from .avatar import portrait_for
from .background import BackgroundPolicy, check_source, load_background
from .captions import CaptionCue, build_cues, time_words
from .compositor import SceneCompositor
from .encoder import AUDIO_CODEC, VIDEO_CODEC, EncoderSettings, Mp4Writer
from .errors import LocalRenderError, LocalRenderErrorCode
from .espeak import engine
from .layout import FPS, Layout, layout_for
from .speech import require_speakable, synthesize
from .voices import VoiceInfo, resolve_scene_voices

SCENE_TAIL_FRAMES = 8
"""A 0.32 s pause after each scene, so scenes do not run into each other."""
_VOICED_THRESHOLD = 200
_CHARS_PER_SECOND = 18.5
"""espeak-ng's English pace at its default rate, pauses included (measured on the benchmark's
script: 620 characters in 31.9 s); for estimates only."""

ProgressCallback = Callable[[float], None]


@dataclass(frozen=True)
class LocalRenderResult:
    path: Path
    thumbnail_path: Path
    duration_s: float
    width: int
    height: int
    fps: int
    video_codec: str
    audio_codec: str
    size_bytes: int
    scene_voices: tuple[str, ...]
    """The local voice id each scene was spoken with, in scene order."""
    captions: tuple[CaptionCue, ...]
    """Word-timed cues (seconds in the video); burned in only if ``captions_burned_in``."""
    captions_burned_in: bool


def estimate_duration_s(request: VideoRequested) -> float:
    """A rough duration from the scripts' length and speeds (English pace), without rendering."""
    tail = SCENE_TAIL_FRAMES / FPS
    return sum(
        len(scene.script) / (_CHARS_PER_SECOND * scene.voice_speed) + tail
        for scene in request.scenes
    )


class _Progress:
    """Maps (scene, fraction of scene) to a monotonic fraction of the whole, by script length."""

    def __init__(self, callback: ProgressCallback | None, scenes: Sequence[Scene]) -> None:
        self._callback = callback
        weights = [max(len(scene.script), 1) for scene in scenes]
        total = float(sum(weights))
        self._before = [sum(weights[:i]) / total for i in range(len(weights))]
        self._share = [w / total for w in weights]
        self._last = 0.0

    def __call__(self, scene_index: int, fraction: float) -> None:
        value = min(0.99, self._before[scene_index] + self._share[scene_index] * fraction)
        if self._callback is not None and value > self._last:
            self._last = value
            self._callback(value)

    def done(self) -> None:
        if self._callback is not None:
            self._callback(1.0)


def render_video(
    request: VideoRequested,
    output_path: Path,
    progress: ProgressCallback | None = None,
    *,
    backgrounds: BackgroundPolicy = BackgroundPolicy(),
    encoder: EncoderSettings = EncoderSettings(),
) -> LocalRenderResult:
    """Render ``request`` into an MP4 at ``output_path`` and a JPEG thumbnail beside it.

    The video appears at ``output_path`` only when complete (written under a temporary name in the
    same directory, then renamed); the thumbnail is ``output_path`` with a ``.jpg`` suffix.
    ``progress`` receives fractions in (0, 1], called in the rendering process.
    Raises :class:`LocalRenderError` (see :class:`LocalRenderErrorCode` for the codes).
    """
    output_path = Path(output_path)
    scenes = request.scenes
    for number, scene in enumerate(scenes, start=1):
        require_speakable(scene.script, number)
        check_source(scene.background, backgrounds, number)
    voices = resolve_scene_voices(request.language, [scene.voice_id for scene in scenes])
    layout = layout_for(request.render.aspect_ratio, request.render.resolution)
    sample_rate = engine().sample_rate
    if sample_rate % FPS:
        raise LocalRenderError(
            LocalRenderErrorCode.SPEECH_FAILED,
            f"espeak-ng's sample rate {sample_rate} Hz is not a multiple of {FPS} fps",
        )

    token = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    part = output_path.with_name(f".{output_path.name}.{token}.part")
    thumbnail = output_path.with_suffix(".jpg")
    thumbnail_part = thumbnail.with_name(f".{thumbnail.name}.{token}.part")
    tracker = _Progress(progress, scenes)
    cues: list[CaptionCue] = []
    try:
        with Mp4Writer(part, layout.width, layout.height, FPS, sample_rate, encoder) as writer:
            for index, (scene, voice) in enumerate(zip(scenes, voices, strict=True)):
                cues += _render_scene(
                    writer,
                    _SceneJob(
                        index,
                        scene,
                        voice,
                        layout,
                        request.render.title,
                        request.render.captions,
                        backgrounds,
                    ),
                    thumbnail_part if index == 0 else None,
                    tracker,
                )
            duration_s = writer.frames_written / FPS
        os.replace(thumbnail_part, thumbnail)
        os.replace(part, output_path)
    except (OSError, av.FFmpegError) as exc:
        raise LocalRenderError(
            LocalRenderErrorCode.ENCODE_FAILED, f"could not write {output_path.name}: {exc}"
        ) from exc
    finally:
        for leftover in (part, thumbnail_part):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
    tracker.done()
    return LocalRenderResult(
        path=output_path,
        thumbnail_path=thumbnail,
        duration_s=duration_s,
        width=layout.width,
        height=layout.height,
        fps=FPS,
        video_codec=VIDEO_CODEC,
        audio_codec=AUDIO_CODEC,
        size_bytes=output_path.stat().st_size,
        scene_voices=tuple(voice.id for voice in voices),
        captions=tuple(cues),
        captions_burned_in=request.render.captions,
    )


@dataclass(frozen=True)
class _SceneJob:
    index: int
    scene: Scene
    voice: VoiceInfo
    layout: Layout
    title: str | None
    captions: bool
    backgrounds: BackgroundPolicy


def _render_scene(
    writer: Mp4Writer,
    job: _SceneJob,
    thumbnail_path: Path | None,
    progress: _Progress,
) -> list[CaptionCue]:
    scene, layout = job.scene, job.layout
    number = job.index + 1
    speech = synthesize(scene.script, job.voice, scene.voice_speed, scene.emotion)
    samples_per_frame = speech.sample_rate // FPS
    frame_count = -(-speech.samples.size // samples_per_frame) + SCENE_TAIL_FRAMES
    audio = np.zeros(frame_count * samples_per_frame, dtype=np.int16)
    audio[: speech.samples.size] = speech.samples
    words = time_words(scene.script, speech.words, speech.sample_rate, _voiced_end(audio))
    del speech

    background = load_background(
        scene.background, (layout.width, layout.height), job.backgrounds, number
    )
    portrait = portrait_for(
        scene.avatar_id, scene.emotion or Emotion.NEUTRAL, layout.portrait.width
    )
    compositor = SceneCompositor(layout, background, portrait, job.title)
    del background
    start_s = writer.frames_written / FPS
    cues = build_cues(
        words,
        compositor.measure,
        layout.caption_max_width,
        layout.caption_max_lines,
        offset_s=start_s,
        end_s=start_s + frame_count / FPS,
    )
    mouths = mouth_levels(audio, samples_per_frame)
    eyes = blink_schedule(frame_count, FPS, f"{scene.avatar_id}:{job.index}")
    thumbnail_frame = _thumbnail_frame(mouths) if thumbnail_path else -1

    cue_index = 0
    for frame_index in range(frame_count):
        if frame_index % FPS == 0:
            chunk = audio[frame_index * samples_per_frame : (frame_index + FPS) * samples_per_frame]
            writer.write_audio(chunk)
            progress(job.index, frame_index / frame_count)
        if job.captions:
            now = start_s + frame_index / FPS
            while cue_index < len(cues) and cues[cue_index].end_s <= now:
                cue_index += 1
            _show_cue(compositor, cues, cue_index, now)
        frame = writer.new_frame()
        compositor.fill(frame, int(mouths[frame_index]), eyes[frame_index])
        if frame_index == thumbnail_frame and thumbnail_path is not None:
            still: Image.Image = frame.to_image()  # type: ignore[no-untyped-call]
            still.save(thumbnail_path, format="JPEG", quality=85)
        writer.write_frame(frame)
    progress(job.index, 1.0)
    return cues


def _show_cue(compositor: SceneCompositor, cues: list[CaptionCue], index: int, now: float) -> None:
    if index >= len(cues) or cues[index].start_s > now:
        compositor.show_caption(None, (), None)
        return
    cue = cues[index]
    active = sum(1 for word in cue.words if word.start_s <= now) - 1
    compositor.show_caption(index, [w.text for w in cue.words], active)


def _voiced_end(audio: npt.NDArray[np.int16]) -> int:
    loud = np.flatnonzero(np.abs(audio) > _VOICED_THRESHOLD)
    return int(loud[-1]) + 1 if loud.size else int(audio.size)


def _thumbnail_frame(mouths: npt.NDArray[np.int8]) -> int:
    """A frame about a second in with the mouth half open: a natural still for the preview."""
    start = min(FPS, mouths.size // 2)
    for index in range(start, mouths.size):
        if 2 <= mouths[index] <= 3:
            return index
    return start
