"""Fault injection for the fake providers: 5xx, 429 with Retry-After, 200 carrying an error,
and slow answers, for the next N calls or for a time window, per operation."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    STATUS = "status"
    """Answer with an HTTP error status (5xx by default)."""
    RATE_LIMIT = "rate_limit"
    """429 with a Retry-After header."""
    ERROR_IN_200 = "error_in_200"
    """HTTP 200 whose body carries an error object."""
    SLOW = "slow"
    """Wait ``delay_s`` before answering normally (drives client timeouts)."""


@dataclass
class Fault:
    kind: FaultKind
    operations: frozenset[str] | None
    remaining: int | None
    until: float | None
    status: int = 503
    retry_after: str = "1"
    code: str = "internal_error"
    message: str = "injected fault"
    delay_s: float = 0.0

    def applies(self, operation: str, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        return self.operations is None or operation in self.operations

    def applies_anywhere(self, now: float) -> bool:
        return (self.until is None or now < self.until) and (
            self.remaining is None or self.remaining > 0
        )


class FaultInjector:
    """Faults are tried in the order added; each answer consumes at most one."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._faults: list[Fault] = []
        self.injected = 0

    def _add(
        self,
        kind: FaultKind,
        times: int | None,
        for_seconds: float | None,
        operations: Iterable[str] | None,
        **details: object,
    ) -> Fault:
        if times is None and for_seconds is None:
            times = 1
        fault = Fault(
            kind=kind,
            operations=frozenset(operations) if operations is not None else None,
            remaining=times,
            until=self._clock() + for_seconds if for_seconds is not None else None,
            **details,  # type: ignore[arg-type]
        )
        self._faults.append(fault)
        return fault

    def fail(
        self,
        times: int | None = None,
        *,
        status: int = 503,
        for_seconds: float | None = None,
        operations: Iterable[str] | None = None,
    ) -> Fault:
        return self._add(FaultKind.STATUS, times, for_seconds, operations, status=status)

    def rate_limit(
        self,
        times: int | None = None,
        *,
        retry_after: str = "2",
        for_seconds: float | None = None,
        operations: Iterable[str] | None = None,
    ) -> Fault:
        return self._add(
            FaultKind.RATE_LIMIT,
            times,
            for_seconds,
            operations,
            status=429,
            retry_after=retry_after,
        )

    def error_in_200(
        self,
        times: int | None = None,
        *,
        code: str = "internal_error",
        message: str = "Something went wrong on our side",
        for_seconds: float | None = None,
        operations: Iterable[str] | None = None,
    ) -> Fault:
        return self._add(
            FaultKind.ERROR_IN_200,
            times,
            for_seconds,
            operations,
            status=200,
            code=code,
            message=message,
        )

    def slow(
        self,
        delay_s: float,
        times: int | None = None,
        *,
        for_seconds: float | None = None,
        operations: Iterable[str] | None = None,
    ) -> Fault:
        return self._add(FaultKind.SLOW, times, for_seconds, operations, delay_s=delay_s)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, operation: str) -> Fault | None:
        now = self._clock()
        self._faults = [f for f in self._faults if f.applies_anywhere(now)]
        for fault in self._faults:
            if fault.applies(operation, now):
                if fault.remaining is not None:
                    fault.remaining -= 1
                self.injected += 1
                return fault
        return None
