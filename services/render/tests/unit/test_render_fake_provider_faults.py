"""The fake providers' fault plan: counted faults, time windows, per-operation targeting."""

from __future__ import annotations

import pytest

from tests.support.fake_providers import FaultInjector, FaultKind

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_counted_fault_applies_exactly_n_times_to_its_operations():
    faults = FaultInjector(Clock())
    faults.fail(times=2, status=502, operations={"submit"})
    assert faults.take("status") is None
    taken = [faults.take("submit") for _ in range(3)]
    assert [f.status if f else None for f in taken] == [502, 502, None]
    assert faults.injected == 2


def test_window_fault_applies_until_the_window_closes():
    clock = Clock()
    faults = FaultInjector(clock)
    faults.fail(for_seconds=5)
    assert all(faults.take(op) is not None for op in ("submit", "status", "voices"))
    clock.now += 5
    assert faults.take("submit") is None


def test_faults_are_consumed_in_the_order_they_were_added():
    faults = FaultInjector(Clock())
    faults.rate_limit(retry_after="9")
    faults.error_in_200(code="insufficient_credit")
    faults.slow(0.5)
    first, second, third = (faults.take("submit") for _ in range(3))
    assert first is not None
    assert (first.kind, first.status, first.retry_after) == (
        FaultKind.RATE_LIMIT,
        429,
        "9",
    )
    assert second is not None
    assert (second.kind, second.code) == (
        FaultKind.ERROR_IN_200,
        "insufficient_credit",
    )
    assert third is not None
    assert (third.kind, third.delay_s) == (FaultKind.SLOW, 0.5)
    assert faults.take("submit") is None
    faults.fail()
    faults.clear()
    assert faults.take("submit") is None
