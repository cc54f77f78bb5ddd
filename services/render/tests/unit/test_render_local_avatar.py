"""Deterministic portraits, their animation variants, and per-frame mouth and blink schedules."""

from __future__ import annotations

import numpy as np
import pytest

from reelforge.contracts import Emotion
from reelforge.render.adapters.local_renderer.animation import blink_schedule, mouth_levels
from reelforge.render.adapters.local_renderer.avatar import (
    MOUTH_LEVELS,
    EyeState,
    display_name,
    look_for,
    portrait_for,
)

pytestmark = pytest.mark.unit


def _pixels(avatar_id: str, size: int = 240) -> np.ndarray:
    portrait_for.cache_clear()
    return np.asarray(portrait_for(avatar_id, Emotion.NEUTRAL, size).image)


def test_same_avatar_id_gives_the_same_portrait_pixels() -> None:
    assert np.array_equal(_pixels("amy"), _pixels("amy"))


def test_different_avatar_ids_give_different_portraits() -> None:
    looks = {look_for(f"agent_{i}") for i in range(6)}
    assert len(looks) == 6
    assert not np.array_equal(_pixels("agent_1"), _pixels("agent_2"))


def test_portrait_is_a_round_opaque_card_with_transparent_corners() -> None:
    image = _pixels("josh", 200)

    assert image.shape == (200, 200, 4)
    assert image[0, 0, 3] == 0
    assert image[100, 100, 3] == 255


@pytest.mark.parametrize(
    ("avatar_id", "name", "initials"),
    [
        ("anna_costume1_cameraA", "Anna", "A"),
        ("Tyler-incasualsuit-20220721", "Tyler", "T"),
        ("AnnaSmith", "Anna Smith", "AS"),
        ("amy", "Amy", "A"),
    ],
)
def test_display_name_comes_from_the_avatar_id(avatar_id: str, name: str, initials: str) -> None:
    assert display_name(avatar_id) == (name, initials)


def test_an_id_without_a_name_gets_a_stable_presenter_label() -> None:
    name, initials = display_name("1bd001e7e50f421d891986aad5158bc8")

    assert name.startswith("Presenter ")
    assert display_name("1bd001e7e50f421d891986aad5158bc8") == (name, initials)
    assert len(initials) == 2


def test_mouth_variants_open_progressively() -> None:
    portrait = portrait_for("maya", Emotion.NEUTRAL, 300)
    boxes = {(m.x, m.y, m.image.size) for m in portrait.mouths}
    assert len(boxes) == 1

    skin = np.array(portrait.look.skin)

    def not_skin(level: int) -> int:
        rgb = np.asarray(portrait.mouths[level].image.convert("RGB")).astype(int)
        return int((np.abs(rgb - skin).sum(axis=2) > 60).sum())

    counts = [not_skin(level) for level in range(MOUTH_LEVELS)]
    assert counts == sorted(counts)
    assert counts[0] < counts[1]
    assert counts[MOUTH_LEVELS - 1] > 2 * counts[1]


def test_closed_eyes_differ_from_open_eyes() -> None:
    portrait = portrait_for("daniel", Emotion.HAPPY, 300)
    open_eyes = np.asarray(portrait.eyes[EyeState.OPEN].image)
    closed = np.asarray(portrait.eyes[EyeState.CLOSED].image)
    assert open_eyes.shape == closed.shape
    assert not np.array_equal(open_eyes, closed)


def test_mouth_follows_loudness_frame_by_frame() -> None:
    spf = 882
    silence = np.zeros(spf * 5, dtype=np.int16)
    rng = np.random.default_rng(1)
    loud = (rng.standard_normal(spf * 5) * 8000).astype(np.int16)
    quiet = (rng.standard_normal(spf * 5) * 2000).astype(np.int16)
    audio = np.concatenate([silence, loud, silence, quiet, silence, silence])

    levels = mouth_levels(audio, spf)

    assert levels.shape == (30,)
    assert list(levels[:5]) == [0] * 5
    assert levels[5:10].min() >= MOUTH_LEVELS - 2
    assert 0 < levels[16:20].max() < MOUTH_LEVELS - 1
    assert list(levels[-5:]) == [0] * 5


def test_silence_keeps_the_mouth_closed() -> None:
    assert not mouth_levels(np.zeros(882 * 10, dtype=np.int16), 882).any()


def test_blinks_are_reproducible_brief_and_occasional() -> None:
    eyes = blink_schedule(25 * 30, 25, "amy:0")

    assert eyes == blink_schedule(25 * 30, 25, "amy:0")
    assert eyes != blink_schedule(25 * 30, 25, "amy:1")
    closed = [i for i, state in enumerate(eyes) if state is EyeState.CLOSED]
    assert 5 <= len(closed) <= 14
    gaps = np.diff(closed)
    assert gaps.min() >= 25 * 2
    assert sum(state is not EyeState.OPEN for state in eyes) == 3 * len(closed)
