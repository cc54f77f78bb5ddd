"""Word timings from espeak-ng's word events, and caption cues of at most two lines.

espeak-ng does not send an event for every written word (a number like ``450,000`` yields several,
an abbreviation or a hyphenated word may yield one or none), so the script's own words are shown and
each is timed by the first event that falls inside it; words without an event are spread between
their timed neighbours in proportion to their length.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .espeak import WordEvent

_SENTENCE_END = re.compile(r"[.!?\u2026\u3002][\"'\u201d\u2019)\]]*$")
_WORDLIKE = re.compile(r"\w")
CUE_HOLD_S = 0.6
"""How long a cue stays after its last word when a pause follows."""
MAX_GAP_S = 1.0
"""A silence longer than this clears the caption instead of holding it."""


@dataclass(frozen=True)
class TimedWord:
    text: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class CaptionCue:
    """One caption on screen: its time range in the video, its text and its timed words."""

    start_s: float
    end_s: float
    text: str
    words: tuple[TimedWord, ...] = ()


def _script_words(script: str) -> list[tuple[int, int, str]]:
    """Whitespace-separated words with their character spans; punctuation-only tokens join the
    word before them with a no-break space (``Hello —`` stays one caption word)."""
    words: list[tuple[int, int, str]] = []
    for match in re.finditer(r"\S+", script):
        start, end, text = match.start(), match.end(), match.group()
        if words and not _WORDLIKE.search(text):
            prev_start, _, prev_text = words[-1]
            words[-1] = (prev_start, end, f"{prev_text}\u00a0{text}")
        else:
            words.append((start, end, text))
    return words


def time_words(
    script: str, events: Sequence[WordEvent], sample_rate: int, speech_samples: int
) -> list[TimedWord]:
    """Time every word of ``script`` (seconds from the start of its audio)."""
    words = _script_words(script)
    if not words:
        return []
    starts = [start for start, _, _ in words]
    first_sample: dict[int, int] = {}
    for event in events:
        index = bisect.bisect_right(starts, event.char_offset) - 1
        if index < 0:
            index = 0
        elif event.char_offset >= words[index][1] and index + 1 < len(words):
            index += 1
        first_sample[index] = min(first_sample.get(index, event.sample), event.sample)

    anchors = sorted(first_sample.items())
    if not anchors or anchors[0][0] != 0:
        anchors.insert(0, (0, 0))
    anchors.append((len(words), speech_samples))
    samples = [0] * (len(words) + 1)
    for (i0, s0), (i1, s1) in itertools.pairwise(anchors):
        weights = [len(words[i][2]) + 1 for i in range(i0, i1)]
        total = sum(weights) or 1
        running = 0
        for offset, i in enumerate(range(i0, i1)):
            samples[i] = s0 + (s1 - s0) * running // total
            running += weights[offset]
    samples[len(words)] = speech_samples
    for i in range(1, len(samples)):
        samples[i] = max(samples[i], samples[i - 1])
    return [
        TimedWord(text, samples[i] / sample_rate, samples[i + 1] / sample_rate)
        for i, (_, _, text) in enumerate(words)
    ]


def wrap(words: Sequence[str], measure: Callable[[str], float], max_width: float) -> list[str]:
    """Greedy line breaking; a single word wider than ``max_width`` gets a line of its own."""
    lines: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if current and measure(candidate) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def build_cues(
    words: Sequence[TimedWord],
    measure: Callable[[str], float],
    max_width: float,
    max_lines: int,
    offset_s: float,
    end_s: float,
) -> list[CaptionCue]:
    """Group words into cues that fit in ``max_lines`` lines, breaking after sentences.

    Times are shifted by ``offset_s`` (the scene's start in the video); no cue ends after
    ``end_s``. Each cue ends when the next begins, or shortly after its last word when a long
    pause follows, so captions never overlap and read in order.
    """
    groups: list[list[TimedWord]] = []
    current: list[TimedWord] = []
    for word in words:
        texts = [w.text for w in (*current, word)]
        if current and len(wrap(texts, measure, max_width)) > max_lines:
            groups.append(current)
            current = []
        current.append(word)
        if _SENTENCE_END.search(word.text):
            groups.append(current)
            current = []
    if current:
        groups.append(current)

    cues: list[CaptionCue] = []
    for index, group in enumerate(groups):
        start = offset_s + group[0].start_s
        spoken_end = offset_s + group[-1].end_s
        if index + 1 < len(groups):
            next_start = offset_s + groups[index + 1][0].start_s
            end = next_start if next_start - spoken_end <= MAX_GAP_S else spoken_end + CUE_HOLD_S
            end = min(end, next_start)
        else:
            end = spoken_end + CUE_HOLD_S
        end = min(end, end_s)
        if end <= start:
            continue
        shifted = tuple(TimedWord(w.text, offset_s + w.start_s, offset_s + w.end_s) for w in group)
        cues.append(CaptionCue(start, end, " ".join(w.text for w in group), shifted))
    return cues
