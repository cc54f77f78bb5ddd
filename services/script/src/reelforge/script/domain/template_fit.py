"""A template script as pieces with alternatives, and fitting it to the word budget: shorten
(drop optional parts, pick shorter phrasings, merge key points), then add supporting sentences
while each brings the total nearer the target, then settle the core parts jointly."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .budget import WordBudget, count_words

_count_words = lru_cache(maxsize=4096)(count_words)

SHORT_FILLER_WORDS = 5
"""Supporting sentences this short ("It's a rare find.") only fine-tune the length, one at most."""


@dataclass
class Piece:
    """One sentence (or two) of the script, with the alternatives it may switch to."""

    section: str
    role: str
    options: tuple[str, ...]
    choice: int = 0
    shorter: tuple[str, ...] = ()
    tiny: tuple[str, ...] = ()
    """Last-resort alternatives that leave something out (the topic's details), for tiny budgets."""
    included: bool = True
    counts: tuple[int, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.counts = tuple(_count_words(o) for o in self.options + self.shorter + self.tiny)

    @property
    def text(self) -> str:
        return (self.options + self.shorter + self.tiny)[self.choice]

    @property
    def words(self) -> int:
        return self.counts[self.choice] if self.included else 0

    def use_shortest(self, tiny: bool = False) -> None:
        allowed = len(self.counts) if tiny else len(self.options) + len(self.shorter)
        self.choice = min(range(allowed), key=lambda i: (self.counts[i], i))


@dataclass
class Script:
    order: tuple[str, ...]
    pieces: list[Piece] = field(default_factory=list)

    def add(self, piece: Piece) -> Piece:
        self.pieces.append(piece)
        return piece

    def words(self) -> int:
        return sum(p.words for p in self.pieces)

    def role(self, role: str) -> list[Piece]:
        return [p for p in self.pieces if p.role == role and p.included]

    def text(self) -> str:
        ranked = sorted(
            (p for p in self.pieces if p.included),
            key=lambda p: self.order.index(p.section),
        )
        return " ".join(p.text for p in ranked)


def fit(script: Script, budget: WordBudget, fillers: Sequence[Piece]) -> None:
    """Shorten or lengthen `script` until it sits in `budget` (where its parts allow), drawing
    on `fillers` (supporting sentences, not yet included, in the order to try them)."""
    for step in _shrink_steps(script):
        if script.words() <= budget.max_words:
            break
        step()
    regular = [p for p in fillers if p.counts[0] > SHORT_FILLER_WORDS]
    short = [p for p in fillers if p.counts[0] <= SHORT_FILLER_WORDS]
    _add_closer(script, regular, budget)
    _add_closer(script, short, budget, limit=1)
    if budget.contains(script.words()):
        return
    _settle_jointly(script, [p for p in script.pieces if p.role in _SETTLED_ROLES], budget)
    _add_closer(script, regular + short, budget)


def _settle_jointly(script: Script, pieces: Sequence[Piece], budget: WordBudget) -> None:
    """Give `pieces` the alternatives (or absence, for optional ones) that together bring the
    total nearest the target without passing the maximum; the current choice wins ties."""
    rest = script.words() - sum(p.words for p in pieces)
    per_piece: list[list[tuple[bool, int, int]]] = []
    for piece in pieces:
        choices = [(piece.included, piece.choice, piece.words)]
        choices += [(True, i, n) for i, n in enumerate(piece.counts)]
        if piece.role in _OPTIONAL_ROLES or not piece.included:
            choices.append((False, piece.choice, 0))
        per_piece.append(choices)

    def score(combination: tuple[tuple[bool, int, int], ...]) -> tuple[bool, bool, int]:
        total = rest + sum(words for _, _, words in combination)
        return (
            total > budget.max_words,
            not budget.contains(total),
            abs(total - budget.target_words),
        )

    best = min(itertools.product(*per_piece), key=score)
    for piece, (included, choice, _) in zip(pieces, best, strict=True):
        piece.included, piece.choice = included, choice


_SETTLED_ROLES = frozenset({"hook", "cta", "intro", "signoff", "topic", "urgency", "recap"})
_OPTIONAL_ROLES = frozenset({"recap", "intro", "signoff", "urgency", "takeaway"})


def _add_closer(
    script: Script, candidates: Sequence[Piece], budget: WordBudget, limit: int | None = None
) -> None:
    """Add supporting sentences, in this job's order, while each brings the total nearer the
    target (at most `limit` of them)."""
    total = script.words()
    added = 0
    for piece in candidates:
        if piece.included or (limit is not None and added >= limit):
            continue
        after = total + piece.counts[0]
        if after <= budget.max_words and abs(after - budget.target_words) < abs(
            total - budget.target_words
        ):
            piece.included = True
            total = after
            added += 1


def _shrink_steps(script: Script) -> list[Callable[[], None]]:
    def drop(role: str) -> Callable[[], None]:
        def run() -> None:
            for piece in script.role(role):
                piece.included = False

        return run

    def shorten(role: str) -> Callable[[], None]:
        def run() -> None:
            for piece in script.role(role):
                piece.use_shortest()

        return run

    def tighten(role: str) -> Callable[[], None]:
        def run() -> None:
            for piece in script.role(role):
                piece.use_shortest(tiny=True)

        return run

    def merge_points() -> None:
        merged = [p for p in script.pieces if p.role == "point_list"]
        if merged:
            for piece in script.role("noun_point"):
                piece.included = False
            merged[0].included = True

    def drop_last_point() -> None:
        points = [p for p in script.pieces if p.included and p.section == "points"]
        if points:
            points[-1].included = False

    steps = [
        drop("signoff"),
        drop("urgency"),
        drop("takeaway"),
        shorten("intro"),
        drop("intro"),
        merge_points,
        shorten("hook"),
        shorten("cta"),
        shorten("point_list"),
        drop("price"),
    ]
    points = [p for p in script.pieces if p.section == "points"]
    steps.extend(drop_last_point for _ in points)
    steps.append(drop("topic"))
    steps.append(tighten("hook"))
    return steps
