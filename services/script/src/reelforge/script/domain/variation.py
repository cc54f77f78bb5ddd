"""Deterministic choices for the template writer, seeded by the job.

The same job always reads the same (a redelivered request yields the same script); another job
reads differently; a regeneration (`regenerate_of`) never repeats the choice the job it names made
for a part that has alternatives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar
from uuid import UUID

T = TypeVar("T")


def _digest(*parts: object) -> int:
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class Variation:
    def __init__(self, job_id: UUID, regenerate_of: UUID | None = None, salt: int = 0) -> None:
        self._seed = str(job_id) if salt == 0 else f"{job_id}#{salt}"
        self._regenerate_of = regenerate_of

    def pick(self, part: str, count: int) -> int:
        """Index of the alternative to use for `part` out of `count`."""
        if count < 1:
            raise ValueError(f"{part}: nothing to choose from")
        choice = _digest(self._seed, part) % count
        if self._regenerate_of is None or count == 1:
            return choice
        earlier = _digest(self._regenerate_of, part) % count
        if choice != earlier:
            return choice
        return (earlier + 1 + _digest(self._seed, part, "shift") % (count - 1)) % count

    def choose(self, part: str, options: Sequence[T]) -> T:
        return options[self.pick(part, len(options))]

    def shuffled(self, part: str, items: Sequence[T]) -> list[T]:
        """`items` in an order of this job's own (stable for the job)."""
        keyed = sorted(range(len(items)), key=lambda i: _digest(self._seed, part, i))
        return [items[i] for i in keyed]
