"""Cut scripts at sentence boundaries: into N scenes that read as one video, and into pieces that
fit a provider's per-scene character limit."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .budget import count_words

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr st ave blvd rd ln ct hwy jr sr prof approx sq ft vs etc inc ltd co corp e.g
    i.e a.m p.m u.s mt ft. apt ste""".split()  # noqa: SIM905
)
_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*$")
_CLAUSE_BREAK = re.compile(r"(?<=[,;:\u2014\u2013])\s+|\s+(?=[\u2014\u2013]\s)")


def split_sentences(text: str) -> list[str]:
    """Sentences of `text`, each with its closing punctuation; abbreviations do not end one."""
    sentences: list[str] = []
    current: list[str] = []
    for token in text.split():
        current.append(token)
        if _ends_sentence(token):
            sentences.append(" ".join(current))
            current = []
    if current:
        sentences.append(" ".join(current))
    return sentences


def _ends_sentence(token: str) -> bool:
    if not _SENTENCE_END.search(token):
        return False
    bare = token.rstrip("\"'\u201d\u2019)]").rstrip(".").lower().lstrip("(\"'\u201c\u2018")
    if token.rstrip("\"'\u201d\u2019)]").endswith(("!", "?", "\u2026")):
        return True
    return bare not in _ABBREVIATIONS and not re.fullmatch(r"[a-z]", bare)


def split_evenly(text: str, parts: int) -> list[str]:
    """`text` as `parts` consecutive pieces of similar length, cut between sentences.

    With fewer sentences than parts, the longest pieces are cut at a clause and then at a word.
    Raises ValueError when `text` has fewer words than `parts`.
    """
    if parts < 1:
        raise ValueError(f"parts must be at least 1, got {parts}")
    units = split_sentences(text)
    if count_words(text) < parts or len(text.split()) < parts:
        raise ValueError(f"cannot cut {count_words(text)} words into {parts} scenes")
    while len(units) < parts:
        longest = max(range(len(units)), key=lambda i: len(units[i].split()))
        units[longest : longest + 1] = _halve(units[longest])
    return _group(units, parts)


def _group(units: Sequence[str], parts: int) -> list[str]:
    """Consecutive groups of `units`, cutting each time the running word count passes a share."""
    weights = [max(1, len(u.split())) for u in units]
    total = sum(weights)
    groups: list[str] = []
    start = 0
    running = 0
    for part in range(1, parts):
        goal = total * part / parts
        remaining_parts = parts - part
        end = start + 1
        running += weights[start]
        while end < len(units) - remaining_parts:
            ahead = running + weights[end]
            if abs(ahead - goal) >= abs(running - goal):
                break
            running = ahead
            end += 1
        groups.append(" ".join(units[start:end]))
        start = end
    groups.append(" ".join(units[start:]))
    return groups


def _halve(sentence: str) -> list[str]:
    """Two pieces of `sentence`: at the clause break nearest its middle, else at the middle word."""
    middle = len(sentence) / 2
    breaks = [m for m in _CLAUSE_BREAK.finditer(sentence) if 0 < m.start() < len(sentence) - 1]
    if breaks:
        cut = min(breaks, key=lambda m: abs(m.start() - middle))
        return [sentence[: cut.start()].strip(), sentence[cut.end() :].strip()]
    words = sentence.split()
    half = len(words) // 2
    return [" ".join(words[:half]), " ".join(words[half:])]


def split_to_limit(text: str, max_chars: int) -> list[str]:
    """`text` in as few pieces as fit `max_chars` each, cut between sentences where possible."""
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, got {max_chars}")
    pieces: list[str] = []
    current = ""
    for sentence in _fitting_units(split_sentences(text), max_chars):
        candidate = f"{current} {sentence}" if current else sentence
        if len(candidate) <= max_chars:
            current = candidate
            continue
        pieces.append(current)
        current = sentence
    if current:
        pieces.append(current)
    return pieces


def _fitting_units(sentences: list[str], max_chars: int) -> list[str]:
    units: list[str] = []
    pending = list(reversed(sentences))
    while pending:
        unit = pending.pop()
        if len(unit) <= max_chars:
            units.append(unit)
        elif len(unit.split()) > 1:
            pending.extend(reversed(_halve(unit)))
        else:
            units.extend(unit[i : i + max_chars] for i in range(0, len(unit), max_chars))
    return units


def fit_scenes(texts: Sequence[str], max_chars: int) -> list[tuple[int, str]]:
    """Each scene text as one or more (scene index, text) pieces within `max_chars`.

    A scene that is too long for the provider becomes consecutive scenes with the same cast.
    """
    return [
        (index, piece)
        for index, text in enumerate(texts)
        for piece in split_to_limit(text, max_chars)
    ]
