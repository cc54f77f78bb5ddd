"""Backoff, Retry-After, circuit breaker and token bucket, driven by a fake clock (no sleeps)."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from prometheus_client import REGISTRY

from reelforge.runtime.resilience import (
    CircuitBreaker,
    CircuitBreakerRegistry,
    CircuitOpenError,
    CircuitState,
    CircuitTransition,
    TokenBucket,
    backoff_delay,
    backoff_delays,
    parse_retry_after,
    retry_delay,
)

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(0)  # let other tasks run first, as they would during a real wait
        self.now += seconds


class RetryableError(Exception):
    retryable = True


class PermanentError(Exception):
    retryable = False


def unique_name() -> str:
    return f"test-{uuid.uuid4().hex[:8]}"


async def fail(exc: BaseException) -> None:
    raise exc


async def succeed() -> str:
    return "ok"


def breaker(clock: FakeClock, **kwargs: int | float) -> CircuitBreaker:
    settings = {"failure_threshold": 3, "reset_timeout_s": 30.0, "half_open_max_calls": 1}
    settings.update(kwargs)
    return CircuitBreaker(unique_name(), clock=clock, **settings)  # type: ignore[arg-type]


async def trip(cb: CircuitBreaker) -> None:
    for _ in range(cb.failure_threshold):
        with pytest.raises(RetryableError):
            await cb.call(fail, RetryableError("503"))


# --- backoff and Retry-After ---------------------------------------------------------------


def test_backoff_grows_exponentially_and_is_capped():
    rng = random.Random(7)
    delays = [backoff_delay(n, 0.5, 8.0, rng=rng) for n in range(10) for _ in range(200)]
    by_attempt = [delays[n * 200 : (n + 1) * 200] for n in range(10)]
    for attempt, sample in enumerate(by_attempt):
        ceiling = min(8.0, 0.5 * 2**attempt)
        assert all(0.0 <= d <= ceiling for d in sample)
        assert max(sample) > ceiling * 0.9, "full jitter should reach close to the ceiling"
    assert max(by_attempt[9]) <= 8.0


def test_backoff_delays_are_jittered_not_identical():
    first = backoff_delays(1.0, 60.0, 6, rng=random.Random(1))
    second = backoff_delays(1.0, 60.0, 6, rng=random.Random(2))
    assert len(first) == 6
    assert first != second


def test_backoff_rejects_negative_input():
    with pytest.raises(ValueError, match="attempt"):
        backoff_delay(-1, 1.0, 2.0)
    with pytest.raises(ValueError, match="attempts"):
        backoff_delays(1.0, 2.0, -1)


def test_retry_delay_never_shorter_than_retry_after():
    rng = random.Random(3)
    assert all(retry_delay(0, 0.1, 1.0, 12.0, rng=rng) == 12.0 for _ in range(50))
    assert retry_delay(0, 0.1, 1.0, None, rng=rng) <= 0.1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), (" 3 ", 3.0), ("1.5", 1.5), ("0", 0.0), ("-4", 0.0)],
)
def test_parse_retry_after_seconds(value: str, expected: float):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    now = datetime(2026, 11, 2, 12, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    earlier = format_datetime(now - timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(90.0)
    assert parse_retry_after(earlier, now=now) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan", "inf", "Thu, 99 Foo 2026"])
def test_parse_retry_after_unreadable_is_none(value: str | None):
    assert parse_retry_after(value) is None


# --- circuit breaker -----------------------------------------------------------------------


async def test_opens_after_threshold_consecutive_failures_and_fails_fast():
    clock = FakeClock()
    cb = breaker(clock)
    calls = 0

    async def counted() -> None:
        nonlocal calls
        calls += 1
        raise RetryableError("boom")

    for _ in range(3):
        with pytest.raises(RetryableError):
            await cb.call(counted)
    assert cb.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError) as info:
        await cb.call(counted)
    assert calls == 3, "an open circuit must not call the provider"
    assert info.value.retry_in_s == pytest.approx(30.0)


async def test_success_resets_the_consecutive_failure_count():
    cb = breaker(FakeClock())
    for _ in range(2):
        with pytest.raises(RetryableError):
            await cb.call(fail, RetryableError())
    assert await cb.call(succeed) == "ok"
    for _ in range(2):
        with pytest.raises(RetryableError):
            await cb.call(fail, RetryableError())
    assert cb.state is CircuitState.CLOSED


async def test_permanent_errors_do_not_open_the_circuit():
    cb = breaker(FakeClock())
    for _ in range(10):
        with pytest.raises(PermanentError):
            await cb.call(fail, PermanentError("unknown avatar"))
    assert cb.state is CircuitState.CLOSED
    assert cb.failure_count == 0


async def test_custom_failure_rule():
    cb = CircuitBreaker(
        unique_name(),
        failure_threshold=1,
        is_failure=lambda exc: isinstance(exc, TimeoutError),
        clock=FakeClock(),
    )
    with pytest.raises(ValueError, match="x"):
        await cb.call(fail, ValueError("x"))
    assert cb.state is CircuitState.CLOSED
    with pytest.raises(TimeoutError):
        await cb.call(fail, TimeoutError())
    assert cb.state is CircuitState.OPEN


async def test_half_open_after_cool_down_and_closes_on_trial_success():
    clock = FakeClock()
    cb = breaker(clock)
    await trip(cb)
    clock.advance(29.9)
    assert cb.state is CircuitState.OPEN
    clock.advance(0.2)
    assert cb.state is CircuitState.HALF_OPEN
    assert await cb.call(succeed) == "ok"
    assert cb.state is CircuitState.CLOSED


async def test_failed_trial_reopens_for_a_full_cool_down():
    clock = FakeClock()
    cb = breaker(clock)
    await trip(cb)
    clock.advance(31)
    with pytest.raises(RetryableError):
        await cb.call(fail, RetryableError())
    assert cb.state is CircuitState.OPEN
    assert cb.seconds_until_trial() == pytest.approx(30.0)


async def test_half_open_admits_only_the_configured_number_of_trial_calls():
    clock = FakeClock()
    cb = breaker(clock, half_open_max_calls=2)
    await trip(cb)
    clock.advance(31)
    release = asyncio.Event()
    entered = 0

    async def slow_trial() -> str:
        nonlocal entered
        entered += 1
        await release.wait()
        return "ok"

    trials = [asyncio.create_task(cb.call(slow_trial)) for _ in range(2)]
    await asyncio.sleep(0)
    with pytest.raises(CircuitOpenError):
        await cb.call(succeed)
    assert entered == 2
    release.set()
    assert await asyncio.gather(*trials) == ["ok", "ok"]
    assert cb.state is CircuitState.CLOSED


async def test_late_failures_from_before_opening_do_not_extend_the_open_period():
    clock = FakeClock()
    cb = breaker(clock)
    release = asyncio.Event()

    async def slow_failure() -> None:
        await release.wait()
        raise RetryableError("late")

    stragglers = [asyncio.create_task(cb.call(slow_failure)) for _ in range(5)]
    await asyncio.sleep(0)
    await trip(cb)
    opened_for = cb.seconds_until_trial()
    clock.advance(10)
    release.set()
    await asyncio.gather(*stragglers, return_exceptions=True)
    assert cb.seconds_until_trial() == pytest.approx(opened_for - 10)


async def test_cancellation_gives_no_verdict_and_frees_the_trial_slot():
    clock = FakeClock()
    cb = breaker(clock)
    await trip(cb)
    clock.advance(31)
    task = asyncio.create_task(cb.call(asyncio.Event().wait))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cb.state is CircuitState.HALF_OPEN
    assert await cb.call(succeed) == "ok"
    assert cb.state is CircuitState.CLOSED


async def test_async_with_form_counts_outcomes():
    clock = FakeClock()
    cb = breaker(clock, failure_threshold=2)
    for _ in range(2):
        with pytest.raises(RetryableError):
            async with cb:
                raise RetryableError()
    assert cb.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        async with cb:
            pytest.fail("the block must not run while open")
    clock.advance(31)
    async with cb:
        pass
    assert cb.state is CircuitState.CLOSED


async def test_transitions_are_broadcast_and_exported_to_prometheus():
    clock = FakeClock()
    cb = breaker(clock)
    seen: list[CircuitTransition] = []
    cb.add_listener(seen.append)
    cb.add_listener(lambda _: (_ for _ in ()).throw(RuntimeError("listener bug")))

    def gauge() -> float | None:
        return REGISTRY.get_sample_value("reelforge_circuit_state", {"provider": cb.name})

    def transitions(to_state: str) -> float | None:
        return REGISTRY.get_sample_value(
            "reelforge_circuit_transitions_total", {"provider": cb.name, "to_state": to_state}
        )

    assert gauge() == 0
    await trip(cb)
    assert gauge() == 2
    clock.advance(31)
    assert gauge() == 1, "the gauge shows half-open as soon as the cool-down is over"
    await cb.call(succeed)
    assert gauge() == 0
    assert [(t.from_state, t.to_state) for t in seen] == [
        (CircuitState.CLOSED, CircuitState.OPEN),
        (CircuitState.OPEN, CircuitState.HALF_OPEN),
        (CircuitState.HALF_OPEN, CircuitState.CLOSED),
    ]
    assert (transitions("open"), transitions("half_open"), transitions("closed")) == (1, 1, 1)


async def test_registry_gives_one_breaker_per_name_with_shared_listeners():
    clock = FakeClock()
    registry = CircuitBreakerRegistry(failure_threshold=1, reset_timeout_s=5, clock=clock)
    seen: list[str] = []
    registry.add_listener(lambda t: seen.append(f"{t.name}:{t.to_state}"))
    name = unique_name()
    assert registry.get(name) is registry.get(name)
    with pytest.raises(RetryableError):
        await registry.get(name).call(fail, RetryableError())
    assert seen == [f"{name}:open"]
    assert [b.name for b in registry] == [name]


def test_record_success_and_failure_outside_a_call():
    cb = breaker(FakeClock(), failure_threshold=2)
    cb.record_failure()
    cb.record_success()
    cb.record_failure()
    assert cb.state is CircuitState.CLOSED
    cb.record_failure(RetryableError())
    assert cb.state is CircuitState.OPEN


def test_invalid_breaker_settings_are_refused():
    with pytest.raises(ValueError, match="failure_threshold"):
        CircuitBreaker(unique_name(), failure_threshold=0)
    with pytest.raises(ValueError, match="reset_timeout_s"):
        CircuitBreaker(unique_name(), reset_timeout_s=-1)


# --- token bucket --------------------------------------------------------------------------


async def test_bucket_allows_a_burst_then_paces_at_the_rate():
    clock = FakeClock()
    bucket = TokenBucket(rate_per_minute=60, burst=3, clock=clock, sleep=clock.sleep)
    waits = [await bucket.acquire() for _ in range(6)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == pytest.approx([1.0, 1.0, 1.0])
    assert clock.now == pytest.approx(1003.0)


async def test_bucket_sustained_rate_matches_configuration():
    clock = FakeClock()
    bucket = TokenBucket(rate_per_minute=50, burst=1, clock=clock, sleep=clock.sleep)
    start = clock.now
    for _ in range(501):
        await bucket.acquire()
    assert (clock.now - start) == pytest.approx(500 * 60 / 50)


async def test_bucket_refills_while_idle_but_not_beyond_burst():
    clock = FakeClock()
    bucket = TokenBucket(rate_per_minute=120, burst=4, clock=clock, sleep=clock.sleep)
    for _ in range(4):
        assert bucket.try_acquire()
    assert not bucket.try_acquire()
    clock.advance(60)
    assert bucket.available == 4
    waits = [await bucket.acquire() for _ in range(5)]
    assert waits == pytest.approx([0, 0, 0, 0, 0.5])


async def test_bucket_serves_concurrent_waiters_in_arrival_order():
    clock = FakeClock()
    bucket = TokenBucket(rate_per_minute=60, burst=1, clock=clock, sleep=clock.sleep)
    order: list[int] = []

    async def take(n: int) -> float:
        waited = await bucket.acquire()
        order.append(n)
        return waited

    waits = await asyncio.gather(*(take(n) for n in range(4)))
    assert order == [0, 1, 2, 3]
    assert waits == pytest.approx([0.0, 1.0, 2.0, 3.0])


def test_bucket_rejects_impossible_requests():
    with pytest.raises(ValueError, match="rate_per_minute"):
        TokenBucket(rate_per_minute=0, burst=1)
    bucket = TokenBucket(rate_per_minute=10, burst=2)
    with pytest.raises(ValueError, match="burst"):
        bucket.try_acquire(3)
