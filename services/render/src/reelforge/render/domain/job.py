"""A render job's life: accepted -> queued -> submitted -> rendering -> rendered | failed."""

from __future__ import annotations

from reelforge.contracts import JobState

ALLOWED: dict[JobState, frozenset[JobState]] = {
    JobState.ACCEPTED: frozenset({JobState.QUEUED, JobState.FAILED}),
    JobState.QUEUED: frozenset({JobState.SUBMITTED, JobState.FAILED}),
    JobState.SUBMITTED: frozenset(
        {JobState.RENDERING, JobState.RENDERED, JobState.FAILED, JobState.QUEUED}
    ),
    JobState.RENDERING: frozenset(
        {JobState.RENDERING, JobState.RENDERED, JobState.FAILED, JobState.QUEUED}
    ),
    JobState.RENDERED: frozenset(),
    JobState.FAILED: frozenset(),
}
"""`-> queued` from submitted/rendering is a retry: a lease ran out or the provider was switched."""


class IllegalTransitionError(ValueError):
    def __init__(self, current: JobState, target: JobState) -> None:
        super().__init__(f"render job cannot go from {current} to {target}")
        self.current = current
        self.target = target


def check_transition(current: JobState, target: JobState) -> None:
    if target not in ALLOWED[current]:
        raise IllegalTransitionError(current, target)


def progress_of(state: JobState, fraction: float | None = None) -> int:
    """Overall job progress (0-100) as the job view shows it; rendering maps 0..1 to 20..95."""
    if state is JobState.RENDERING and fraction is not None:
        return 20 + round(75 * min(max(fraction, 0.0), 1.0))
    return {
        JobState.ACCEPTED: 0,
        JobState.QUEUED: 5,
        JobState.SUBMITTED: 15,
        JobState.RENDERING: 20,
        JobState.RENDERED: 95,
        JobState.FAILED: 100,
    }.get(state, 0)
