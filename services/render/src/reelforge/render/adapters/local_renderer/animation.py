"""Per-frame animation of a talking portrait: mouth opening from loudness, and blinks."""

from __future__ import annotations

import random

import numpy as np
import numpy.typing as npt

from .avatar import MOUTH_LEVELS, EyeState

_SILENCE_RMS = 300.0
"""int16 RMS below which a frame counts as silent."""
_GATE = 0.12
_RELEASE = 0.55
_BLINK = (EyeState.HALF, EyeState.CLOSED, EyeState.HALF)


def mouth_levels(audio: npt.NDArray[np.int16], samples_per_frame: int) -> npt.NDArray[np.int8]:
    """Mouth opening per video frame (0 closed .. MOUTH_LEVELS-1 wide) from the frame's RMS.

    Loudness is taken relative to the 90th percentile of the voiced frames, so every voice opens
    its mouth fully on its loud syllables. The mouth opens at once and closes over a few frames,
    which reads as speech rather than flicker.
    """
    frames = audio[: audio.size - audio.size % samples_per_frame].reshape(-1, samples_per_frame)
    rms = np.sqrt(np.mean(np.square(frames, dtype=np.float32), axis=1))
    voiced = rms[rms > _SILENCE_RMS]
    if voiced.size == 0:
        return np.zeros(rms.size, dtype=np.int8)
    reference = float(np.percentile(voiced, 90))
    raw = np.clip(rms / reference, 0.0, 1.0)
    raw[rms < _GATE * reference] = 0.0
    smoothed = np.empty_like(raw)
    previous = 0.0
    for index, value in enumerate(raw.tolist()):
        previous = value if value >= previous else max(value, previous * _RELEASE)
        smoothed[index] = previous
    levels: npt.NDArray[np.int8] = np.rint(smoothed * (MOUTH_LEVELS - 1)).astype(np.int8)
    return levels


def blink_schedule(frame_count: int, fps: int, seed: str) -> list[EyeState]:
    """Eye state per frame: a three-frame blink every 2.2 to 5.2 seconds, reproducibly."""
    rng = random.Random(seed)
    eyes = [EyeState.OPEN] * frame_count
    frame = rng.randint(fps * 8 // 10, fps * 5 // 2)
    while frame < frame_count:
        for offset, state in enumerate(_BLINK):
            if frame + offset < frame_count:
                eyes[frame + offset] = state
        frame += rng.randint(fps * 22 // 10, fps * 52 // 10)
    return eyes
