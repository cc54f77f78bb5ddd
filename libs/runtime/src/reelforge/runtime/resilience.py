"""Resilience primitives shared by the services: backoff with full jitter, Retry-After parsing,
a per-name circuit breaker whose state is exported to Prometheus, and an asyncio token bucket.

The circuit breaker is written here rather than taken from a library: the maintained asyncio
candidates either cannot report their transitions (``circuitbreaker``), admit every concurrent
caller while half-open and read the wall clock (``purgatory``), or need Tornado for coroutines
(``pybreaker``). Here the half-open state admits at most ``half_open_max_calls`` trial calls, time
comes from an injectable monotonic clock, and every transition is counted and broadcast.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from types import TracebackType
from typing import ParamSpec, TypeVar

from prometheus_client import Counter, Gauge

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
"""Seconds on a monotonic scale (``time.monotonic`` in production, a fake in tests)."""

P = ParamSpec("P")
T = TypeVar("T")

CIRCUIT_STATE = Gauge(
    "reelforge_circuit_state",
    "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open.",
    ["provider"],
)
CIRCUIT_TRANSITIONS = Counter(
    "reelforge_circuit_transitions",
    "Circuit breaker transitions per provider and target state.",
    ["provider", "to_state"],
)


# --- backoff -------------------------------------------------------------------------------


def backoff_delay(
    attempt: int, base_s: float, max_s: float, *, rng: random.Random | None = None
) -> float:
    """Delay before retry number ``attempt`` (0-based): uniform in [0, min(max_s, base_s * 2**n)].

    "Full jitter" spreads the retries of many clients that failed together, so they do not
    hit the recovering server in waves.
    """
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, got {attempt}")
    if base_s < 0 or max_s < 0:
        raise ValueError("base_s and max_s must not be negative")
    ceiling = min(max_s, base_s * 2.0 ** min(attempt, 62))
    return (rng or random).uniform(0.0, ceiling)


def backoff_delays(
    base_s: float, max_s: float, attempts: int, *, rng: random.Random | None = None
) -> list[float]:
    """The delays before each of ``attempts`` retries (exponential, capped, full jitter)."""
    if attempts < 0:
        raise ValueError(f"attempts must be >= 0, got {attempts}")
    return [backoff_delay(n, base_s, max_s, rng=rng) for n in range(attempts)]


def retry_delay(
    attempt: int,
    base_s: float,
    max_s: float,
    retry_after_s: float | None = None,
    *,
    rng: random.Random | None = None,
) -> float:
    """Delay before retry ``attempt``: the backoff, never shorter than the server's Retry-After."""
    delay = backoff_delay(attempt, base_s, max_s, rng=rng)
    return delay if retry_after_s is None else max(delay, retry_after_s)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to an HTTP ``Retry-After`` value (RFC 9110 section 10.2.3).

    Accepts delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT"); a date in
    the past gives 0. Returns None for a missing or unreadable value.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now or datetime.now(UTC)
    return max(0.0, (when - reference).total_seconds())


# --- circuit breaker -----------------------------------------------------------------------


class CircuitState(StrEnum):
    CLOSED = "closed"
    HALF_OPEN = "half_open"
    OPEN = "open"

    @property
    def gauge_value(self) -> int:
        """The value of ``reelforge_circuit_state``: 0 closed, 1 half-open, 2 open."""
        return _GAUGE_VALUES[self]


_GAUGE_VALUES = {CircuitState.CLOSED: 0, CircuitState.HALF_OPEN: 1, CircuitState.OPEN: 2}


class CircuitOpenError(Exception):
    """The circuit is open (or its half-open trial slots are taken): the call was not made."""

    def __init__(self, name: str, retry_in_s: float) -> None:
        super().__init__(f"circuit '{name}' is open; next trial call in {retry_in_s:.1f}s")
        self.name = name
        self.retry_in_s = retry_in_s


@dataclass(frozen=True, slots=True)
class CircuitTransition:
    name: str
    from_state: CircuitState
    to_state: CircuitState
    at: float
    """The breaker's clock reading when the transition happened."""


TransitionListener = Callable[[CircuitTransition], None]


def counts_as_failure(exc: BaseException) -> bool:
    """Default failure rule: an Exception counts unless it says ``retryable = False``.

    A permanent error (unknown avatar, bad credentials) means the service answered, so it must
    not open the circuit. Cancellation and other BaseExceptions are neither success nor failure.
    """
    return isinstance(exc, Exception) and getattr(exc, "retryable", True) is not False


@dataclass(slots=True)
class _Permit:
    generation: int
    trial: bool


class CircuitBreaker:
    """Closed / open / half-open circuit breaker for one downstream (by convention a provider).

    - closed: calls pass; ``failure_threshold`` consecutive failures open the circuit.
    - open: calls fail fast with :class:`CircuitOpenError` for ``reset_timeout_s``.
    - half-open: at most ``half_open_max_calls`` trial calls run at once; that many successes
      close the circuit, one failure opens it again.

    Outcomes of calls that started before the latest transition are ignored, so a burst of late
    failures cannot extend an open period. Meant for one event loop (no locks: every state change
    happens between awaits).
    """

    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        reset_timeout_s: float = 30.0,
        half_open_max_calls: int = 1,
        *,
        is_failure: Callable[[BaseException], bool] = counts_as_failure,
        clock: Clock = time.monotonic,
    ) -> None:
        if failure_threshold < 1 or half_open_max_calls < 1:
            raise ValueError("failure_threshold and half_open_max_calls must be >= 1")
        if reset_timeout_s < 0:
            raise ValueError("reset_timeout_s must not be negative")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout_s = reset_timeout_s
        self.half_open_max_calls = half_open_max_calls
        self._is_failure = is_failure
        self._clock = clock
        self._state = CircuitState.CLOSED
        self._generation = 0
        self._failures = 0
        self._opened_at = 0.0
        self._trials_in_flight = 0
        self._trial_successes = 0
        self._listeners: list[TransitionListener] = []
        self._permits: ContextVar[tuple[_Permit, ...]] = ContextVar(
            f"circuit_permits_{name}_{id(self)}", default=()
        )
        CIRCUIT_STATE.labels(provider=name).set_function(lambda: self._effective_state.gauge_value)

    # state ---------------------------------------------------------------------------------

    @property
    def state(self) -> CircuitState:
        """The current state; an open circuit whose cool-down is over becomes half-open here."""
        if self._state is CircuitState.OPEN and self._cool_down_over():
            self._transition(CircuitState.HALF_OPEN)
        return self._state

    @property
    def failure_count(self) -> int:
        """Consecutive failures counted while closed."""
        return self._failures

    def seconds_until_trial(self) -> float:
        """0 unless open; then the remaining cool-down before a trial call is allowed."""
        if self.state is not CircuitState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.reset_timeout_s - self._clock())

    def add_listener(self, listener: TransitionListener) -> None:
        """Call ``listener`` (synchronously) on every transition; its errors are logged."""
        self._listeners.append(listener)

    def remove_listener(self, listener: TransitionListener) -> None:
        self._listeners.remove(listener)

    # calling -------------------------------------------------------------------------------

    async def call(self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Await ``fn(*args, **kwargs)`` under the breaker."""
        async with self.guard():
            return await fn(*args, **kwargs)

    @asynccontextmanager
    async def guard(self) -> AsyncIterator[None]:
        """``async with breaker.guard(): ...`` runs the block as one call under the breaker."""
        permit = self._acquire()
        try:
            yield
        except BaseException as exc:
            self._settle(permit, exc)
            raise
        else:
            self._settle(permit, None)

    async def __aenter__(self) -> CircuitBreaker:
        permit = self._acquire()
        self._permits.set((*self._permits.get(), permit))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        *rest, permit = self._permits.get()
        self._permits.set(tuple(rest))
        self._settle(permit, exc)

    def record_success(self) -> None:
        """Record the success of a call made outside :meth:`call` / ``async with``."""
        self._settle(_Permit(self._generation, trial=False), None)

    def record_failure(self, exc: BaseException | None = None) -> None:
        """Record a failure of a call made outside :meth:`call` / ``async with``."""
        permit = _Permit(self._generation, trial=False)
        self._settle(permit, exc or RuntimeError("failure recorded"))

    # internals -----------------------------------------------------------------------------

    @property
    def _effective_state(self) -> CircuitState:
        if self._state is CircuitState.OPEN and self._cool_down_over():
            return CircuitState.HALF_OPEN
        return self._state

    def _cool_down_over(self) -> bool:
        return self._clock() >= self._opened_at + self.reset_timeout_s

    def _acquire(self) -> _Permit:
        state = self.state
        if state is CircuitState.CLOSED:
            return _Permit(self._generation, trial=False)
        if state is CircuitState.HALF_OPEN and self._trials_in_flight < self.half_open_max_calls:
            self._trials_in_flight += 1
            return _Permit(self._generation, trial=True)
        retry_in = self.seconds_until_trial() if state is CircuitState.OPEN else 0.0
        raise CircuitOpenError(self.name, retry_in)

    def _settle(self, permit: _Permit, exc: BaseException | None) -> None:
        if permit.trial and permit.generation == self._generation:
            self._trials_in_flight -= 1
        if exc is not None and not isinstance(exc, Exception):
            return  # cancelled or interrupted: no verdict on the service
        if permit.generation != self._generation:
            return  # started before the latest transition
        failed = exc is not None and self._is_failure(exc)
        if self._state is CircuitState.CLOSED:
            self._failures = self._failures + 1 if failed else 0
            if self._failures >= self.failure_threshold:
                self._open()
        elif self._state is CircuitState.HALF_OPEN:
            if failed:
                self._open()
            else:
                self._trial_successes += 1
                if self._trial_successes >= self.half_open_max_calls:
                    self._transition(CircuitState.CLOSED)

    def _open(self) -> None:
        self._opened_at = self._clock()
        self._transition(CircuitState.OPEN)

    def _transition(self, to_state: CircuitState) -> None:
        from_state = self._state
        self._state = to_state
        self._generation += 1
        self._failures = 0
        self._trials_in_flight = 0
        self._trial_successes = 0
        CIRCUIT_TRANSITIONS.labels(provider=self.name, to_state=to_state.value).inc()
        event = CircuitTransition(self.name, from_state, to_state, self._clock())
        logger.info(
            "circuit %s: %s -> %s",
            self.name,
            from_state.value,
            to_state.value,
            extra={"circuit": self.name, "to_state": to_state.value},
        )
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("circuit %s: transition listener failed", self.name)


class CircuitBreakerRegistry:
    """One :class:`CircuitBreaker` per name, created on first use with shared settings."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_timeout_s: float = 30.0,
        half_open_max_calls: int = 1,
        *,
        is_failure: Callable[[BaseException], bool] = counts_as_failure,
        clock: Clock = time.monotonic,
    ) -> None:
        self._settings = (failure_threshold, reset_timeout_s, half_open_max_calls)
        self._is_failure = is_failure
        self._clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}
        self._listeners: list[TransitionListener] = []

    def get(self, name: str) -> CircuitBreaker:
        breaker = self._breakers.get(name)
        if breaker is None:
            threshold, reset_s, trials = self._settings
            breaker = CircuitBreaker(
                name, threshold, reset_s, trials, is_failure=self._is_failure, clock=self._clock
            )
            for listener in self._listeners:
                breaker.add_listener(listener)
            self._breakers[name] = breaker
        return breaker

    def add_listener(self, listener: TransitionListener) -> None:
        """Listen to the transitions of every breaker, present and future."""
        self._listeners.append(listener)
        for breaker in self._breakers.values():
            breaker.add_listener(listener)

    def __iter__(self) -> Iterator[CircuitBreaker]:
        return iter(list(self._breakers.values()))


# --- rate limiting -------------------------------------------------------------------------


class TokenBucket:
    """Asyncio token bucket for one process: ``rate_per_minute`` sustained, ``burst`` at once.

    Waiters are served first come, first served. :meth:`acquire` returns how long the caller
    waited, for a histogram such as ``reelforge_rate_limit_wait_seconds``. With ``burst`` >= 2
    the sustained rate stays exact even when the event loop wakes a sleeper late (measured: 50/s
    configured gives 49.99/s; with ``burst=1`` every late wake-up is lost, 49.0/s).
    """

    def __init__(
        self,
        rate_per_minute: float,
        burst: int,
        *,
        clock: Clock = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate_per_minute <= 0:
            raise ValueError(f"rate_per_minute must be > 0, got {rate_per_minute}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst}")
        self.rate_per_s = rate_per_minute / 60.0
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._lock = asyncio.Lock()

    @property
    def available(self) -> float:
        """Tokens that could be taken right now."""
        self._refill()
        return self._tokens

    def try_acquire(self, tokens: int = 1) -> bool:
        """Take ``tokens`` if they are there now and nobody is queued; never waits."""
        self._check(tokens)
        if self._lock.locked():
            return False
        self._refill()
        if self._tokens >= tokens:
            self._tokens -= tokens
            return True
        return False

    async def acquire(self, tokens: int = 1) -> float:
        """Wait until ``tokens`` are available, take them, and return the seconds waited."""
        self._check(tokens)
        started = self._clock()
        async with self._lock:
            self._refill()
            while self._tokens < tokens:
                await self._sleep((tokens - self._tokens) / self.rate_per_s)
                self._refill()
            self._tokens -= tokens
        return self._clock() - started

    def _check(self, tokens: int) -> None:
        if not 1 <= tokens <= self.burst:
            raise ValueError(f"tokens must be between 1 and burst ({self.burst}), got {tokens}")

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._updated)
        self._updated = now
        self._tokens = min(float(self.burst), self._tokens + elapsed * self.rate_per_s)
