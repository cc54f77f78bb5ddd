"""Offline speech for one scene: espeak-ng audio plus the word events that time the captions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reelforge.contracts import Emotion

from .errors import LocalRenderError, LocalRenderErrorCode
from .espeak import DEFAULT_RATE_WPM, EspeakError, Synthesis, engine
from .voices import VoiceInfo

_SPEAKABLE = re.compile(r"\w")


@dataclass(frozen=True)
class Prosody:
    """espeak-ng parameters (pitch and range are 0-100, 50 is the voice's normal)."""

    rate_factor: float
    pitch: int
    pitch_range: int


_PROSODY = {
    Emotion.NEUTRAL: Prosody(1.0, 50, 50),
    Emotion.HAPPY: Prosody(1.0, 58, 68),
    Emotion.ENTHUSIASTIC: Prosody(1.06, 62, 82),
    Emotion.SERIOUS: Prosody(0.95, 44, 32),
}


def require_speakable(script: str, scene_number: int) -> None:
    if not _SPEAKABLE.search(script):
        raise LocalRenderError(
            LocalRenderErrorCode.EMPTY_SCRIPT,
            f"scene {scene_number} has no words to speak (script is {script[:40]!r})",
        )


def synthesize(script: str, voice: VoiceInfo, speed: float, emotion: Emotion | None) -> Synthesis:
    """Speak ``script`` with ``voice``; ``speed`` 1.0 is espeak-ng's normal rate (175 wpm)."""
    prosody = _PROSODY[emotion or Emotion.NEUTRAL]
    rate = round(DEFAULT_RATE_WPM * speed * prosody.rate_factor)
    try:
        result = engine().synthesize(
            script, voice.espeak_name, rate, prosody.pitch, prosody.pitch_range
        )
    except EspeakError as exc:
        raise LocalRenderError(LocalRenderErrorCode.SPEECH_FAILED, str(exc)) from exc
    if result.samples.size == 0:
        raise LocalRenderError(
            LocalRenderErrorCode.SPEECH_FAILED,
            f"espeak-ng produced no audio for voice {voice.id!r}",
        )
    return result
