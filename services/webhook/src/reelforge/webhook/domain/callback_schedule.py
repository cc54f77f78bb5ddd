"""When to retry an upstream callback: growing intervals with jitter, for one day at most.

The first attempt is immediate; then roughly 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, and every
2 h after that, each interval with +-20 % jitter so that many failed callbacks do not retry in
lock step. An attempt that would start more than `horizon` after the first is not made.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

HORIZON = timedelta(days=1)
_STEPS = (
    timedelta(seconds=10),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
)
JITTER = 0.2


def next_attempt(
    attempts_made: int,
    first_attempt_at: datetime,
    now: datetime,
    *,
    horizon: timedelta = HORIZON,
    rng: random.Random | None = None,
) -> datetime | None:
    """When to make attempt number ``attempts_made + 1``, or None when it is time to give up."""
    step = _STEPS[min(attempts_made - 1, len(_STEPS) - 1)] if attempts_made > 0 else timedelta(0)
    factor = 1 + (rng or random).uniform(-JITTER, JITTER)
    at = now + step * factor
    if at - first_attempt_at > horizon:
        return None
    return at
