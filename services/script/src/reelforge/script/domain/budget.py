"""Word budgets: how many spoken words fit a target length, and how long a text takes to say.

Seed 002 assumes about 2.5 spoken words per second and asks for the target word count within a
tolerance; reelforge allows +-10% of the target.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

WORDS_PER_SECOND = 2.5
TOLERANCE = 0.10

_SPOKEN_TOKEN = re.compile(r"\S*[^\W_]\S*")


def count_words(text: str) -> int:
    """Words a presenter says: whitespace-separated tokens holding a letter or digit.

    A lone dash or ellipsis is not a word; "4-bedroom" and "760-899-6988" are one each.
    """
    return len(_SPOKEN_TOKEN.findall(text))


def estimate_seconds(words: int) -> float:
    """Speaking time of `words` at the budget's rate, to one decimal."""
    return round(words / WORDS_PER_SECOND, 1)


@dataclass(frozen=True)
class WordBudget:
    """The words a script of `target_seconds` should have: `target_words`, within a band."""

    target_seconds: float
    target_words: int
    min_words: int
    max_words: int

    @classmethod
    def for_seconds(cls, target_seconds: float, tolerance: float = TOLERANCE) -> WordBudget:
        if target_seconds <= 0:
            raise ValueError(f"target_seconds must be positive, got {target_seconds}")
        exact = target_seconds * WORDS_PER_SECOND
        return cls(
            target_seconds=target_seconds,
            target_words=math.floor(exact),
            min_words=math.ceil(exact * (1 - tolerance) - 1e-9),
            max_words=math.floor(exact * (1 + tolerance) + 1e-9),
        )

    def contains(self, words: int) -> bool:
        return self.min_words <= words <= self.max_words

    def distance(self, words: int) -> int:
        """How many words `words` lies outside the band (0 inside it)."""
        if words < self.min_words:
            return self.min_words - words
        if words > self.max_words:
            return words - self.max_words
        return 0

    def describe(self) -> str:
        return f"{self.min_words}-{self.max_words} words for {self.target_seconds:g} s"
