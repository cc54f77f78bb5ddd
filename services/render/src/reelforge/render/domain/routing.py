"""Which provider takes a job, and when a submitted job is polled next. Pure functions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reelforge.contracts import VideoRequested

from .provider import ProviderCapabilities


@dataclass(frozen=True, slots=True)
class Assign:
    provider: str


@dataclass(frozen=True, slots=True)
class Wait:
    """Every provider that could render the job is busy or its circuit is open."""


@dataclass(frozen=True, slots=True)
class Unsupported:
    """No configured provider (that the job has not been excluded from) can render it."""

    reasons: tuple[str, ...]


Decision = Assign | Wait | Unsupported


def preference(order: Sequence[str], request: VideoRequested) -> list[str]:
    """The configured order, with the request's preferred provider (if configured) first."""
    preferred = request.render.provider
    if preferred and preferred in order:
        return [preferred, *(name for name in order if name != preferred)]
    return list(order)


def choose_provider(
    order: Sequence[str],
    request: VideoRequested,
    capabilities: Mapping[str, ProviderCapabilities | None],
    has_room: Callable[[str], bool],
    excluded: frozenset[str] = frozenset(),
    pinned: str | None = None,
) -> Decision:
    """The first provider in order that supports the job and has room right now.

    ``capabilities[name] is None`` means the provider takes any job (the local renderer).
    ``pinned`` is a provider that may already hold a render of this job (a replica died before
    the submission's answer was recorded): only it may take the job, where the resubmission is
    idempotent, so that the job is never rendered, and paid, twice.
    """
    if pinned is not None and pinned in order and pinned not in excluded:
        return Assign(pinned) if has_room(pinned) else Wait()
    reasons: list[str] = []
    able = False
    for name in preference(order, request):
        if name in excluded:
            reasons.append(f"{name}: retries exhausted or rejected the job")
            continue
        caps = capabilities.get(name)
        why = caps.unsupported_reasons(request) if caps is not None else []
        if why:
            reasons.append(f"{name}: {'; '.join(why)}")
            continue
        able = True
        if has_room(name):
            return Assign(name)
    return Wait() if able else Unsupported(tuple(reasons))


def next_poll_delay(poll_count: int, initial_s: float, factor: float, max_s: float) -> float:
    """Growing intervals: initial, initial*factor, ... capped at max_s."""
    return min(max_s, initial_s * factor ** min(poll_count, 60))
