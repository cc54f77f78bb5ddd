"""Word timing from espeak-ng word events and caption cue building (no audio, no video)."""

from __future__ import annotations

import itertools

import pytest

from reelforge.render.adapters.local_renderer.captions import (
    TimedWord,
    build_cues,
    time_words,
    wrap,
)
from reelforge.render.adapters.local_renderer.espeak import WordEvent

pytestmark = pytest.mark.unit

RATE = 1000


def _measure(text: str) -> float:
    return 10.0 * len(text)


def test_words_take_the_time_of_their_event() -> None:
    script = "Hello big world"
    events = [WordEvent(0, 5, 0), WordEvent(6, 3, 400), WordEvent(10, 5, 700)]

    words = time_words(script, events, RATE, speech_samples=1200)

    assert [w.text for w in words] == ["Hello", "big", "world"]
    assert [w.start_s for w in words] == [0.0, 0.4, 0.7]
    assert [w.end_s for w in words] == [0.4, 0.7, 1.2]


def test_words_without_an_event_are_spread_between_timed_neighbours() -> None:
    script = "one four-bedroom home"
    events = [WordEvent(0, 3, 0), WordEvent(4, 1, 200), WordEvent(17, 4, 900)]

    words = time_words(script, events, RATE, speech_samples=1300)

    assert [w.text for w in words] == ["one", "four-bedroom", "home"]
    assert words[1].start_s == 0.2
    assert words[2].start_s == 0.9


def test_several_events_inside_one_word_keep_its_first_time() -> None:
    script = "priced at 450,000 today"
    events = [
        WordEvent(0, 6, 0),
        WordEvent(7, 2, 300),
        WordEvent(10, 4, 500),
        WordEvent(11, 4, 800),
        WordEvent(11, 4, 1100),
        WordEvent(18, 5, 1500),
    ]

    words = time_words(script, events, RATE, speech_samples=2000)

    assert [(w.text, w.start_s) for w in words] == [
        ("priced", 0.0),
        ("at", 0.3),
        ("450,000", 0.5),
        ("today", 1.5),
    ]


def test_untimed_words_get_times_in_proportion_to_their_length() -> None:
    script = "a bb cccc"
    words = time_words(script, [WordEvent(0, 1, 0)], RATE, speech_samples=1000)

    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    assert starts[0] == 0.0
    assert 0.0 < starts[1] < starts[2] < 1.0
    assert words[-1].end_s == 1.0


def test_out_of_order_events_still_give_monotonic_times() -> None:
    script = "first second third"
    events = [WordEvent(0, 5, 500), WordEvent(6, 6, 100), WordEvent(13, 5, 900)]

    words = time_words(script, events, RATE, speech_samples=1000)

    starts = [w.start_s for w in words]
    assert starts == sorted(starts)
    assert all(w.end_s >= w.start_s for w in words)


def test_punctuation_only_tokens_stay_with_the_word_before() -> None:
    words = time_words("Wait \u2014 what?", [], RATE, speech_samples=1000)

    assert [w.text for w in words] == ["Wait\u00a0\u2014", "what?"]


def test_wrap_breaks_greedily_by_width() -> None:
    assert wrap(["aaaa", "bb", "cc", "dddd"], _measure, max_width=70) == ["aaaa bb", "cc dddd"]
    assert wrap(["muchtoolongword", "x"], _measure, max_width=50) == ["muchtoolongword", "x"]


def _timed(texts: list[str], step: float = 0.5) -> list[TimedWord]:
    return [TimedWord(t, i * step, (i + 1) * step) for i, t in enumerate(texts)]


def test_cues_fit_in_two_lines_and_break_after_sentences() -> None:
    texts = ["One", "two", "three", "four", "five", "six", "seven", "eight.", "Nine", "ten."]
    cues = build_cues(_timed(texts), _measure, 150, 2, offset_s=0.0, end_s=100.0)

    assert [c.text for c in cues] == [
        "One two three four five six",
        "seven eight.",
        "Nine ten.",
    ]
    for cue in cues:
        assert len(wrap([w.text for w in cue.words], _measure, 150)) <= 2


def test_cues_are_ordered_do_not_overlap_and_are_shifted_by_the_scene_offset() -> None:
    texts = ["Alpha", "beta.", "Gamma", "delta.", "Epsilon."]
    cues = build_cues(_timed(texts), _measure, 500, 2, offset_s=10.0, end_s=12.9)

    assert cues[0].start_s == 10.0
    for earlier, later in itertools.pairwise(cues):
        assert earlier.start_s < earlier.end_s <= later.start_s
    assert cues[-1].end_s == 12.9
    assert cues[1].words[0].start_s == 11.0


def test_a_long_pause_clears_the_caption_instead_of_holding_it() -> None:
    words = [TimedWord("Hello.", 0.0, 0.5), TimedWord("Later.", 5.0, 5.5)]
    cues = build_cues(words, _measure, 500, 2, offset_s=0.0, end_s=10.0)

    assert cues[0].end_s == pytest.approx(0.5 + 0.6)
    assert cues[1].start_s == 5.0
