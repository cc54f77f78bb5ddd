"""The dedupe log: remembered at once, written with the next round, forgotten if the write fails."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from reelforge.webhook.adapters.deliveries import DeliveryLog

pytestmark = pytest.mark.unit

JOB = UUID("5a0f8a4e-2d0c-4c1d-9a57-3c7b8a1d2e3f")


class FakeConnection:
    """Answers a round (lookups $1-$3, records $4-$7) as if no delivery was in the table."""

    def __init__(self, writes_fail: bool) -> None:
        self.writes_fail = writes_fail
        self.written: list[list[str]] = []
        self.lookups = 0

    def is_closed(self) -> bool:
        return False

    async def fetch(
        self, _: str, providers: list[str], __: list[str], ___: Any, *record: list[Any]
    ) -> list[dict[str, Any]]:
        if record[1]:
            if self.writes_fail:
                raise OSError("connection reset")
            self.written.append(record[1])
        self.lookups += len(providers)
        return [{"tenant_id": "acme", "duplicate": False} for _ in providers]


class FakePool:
    def __init__(self, conn: FakeConnection) -> None:
        self.conn = conn
        self.acquired = 0

    async def acquire(self) -> FakeConnection:
        self.acquired += 1
        return self.conn

    async def release(self, _: FakeConnection, timeout: float) -> None:
        return None


async def test_a_recorded_delivery_is_a_duplicate_at_once_and_written_in_the_next_round() -> None:
    conn = FakeConnection(writes_fail=False)
    pool = FakePool(conn)
    log = DeliveryLog(lambda: pool)  # type: ignore[arg-type, return-value]
    first = await log.context("heygen", "evt-1", JOB)
    assert (first.tenant_id, first.duplicate) == ("acme", False)

    await log.record("heygen", "evt-1", JOB, uuid4())
    again = await log.context("heygen", "evt-1", JOB)
    assert again.duplicate
    assert conn.lookups == 1  # answered from memory, no round trip

    await log.flush()
    assert conn.written == [["evt-1"]]
    await log.stop()
    assert pool.acquired == 1  # one kept connection, not one per round


async def test_a_failed_write_forgets_the_delivery_so_the_providers_retry_is_processed() -> None:
    conn = FakeConnection(writes_fail=True)
    log = DeliveryLog(lambda: FakePool(conn))  # type: ignore[arg-type, return-value]
    await log.record("heygen", "evt-2", JOB, uuid4())
    assert (await log.context("heygen", "evt-2", JOB)).duplicate
    await log.flush()
    assert not (await log.context("heygen", "evt-2", JOB)).duplicate
    await log.stop()


async def test_memory_is_bounded_and_older_deliveries_are_left_to_the_table() -> None:
    conn = FakeConnection(writes_fail=False)
    log = DeliveryLog(lambda: FakePool(conn), recent_capacity=2)  # type: ignore[arg-type, return-value]
    for n in range(3):
        await log.record("heygen", f"evt-{n}", JOB, uuid4())
    await log.flush()
    assert not (await log.context("heygen", "evt-0", JOB)).duplicate  # (the fake table says no)
    assert (await log.context("heygen", "evt-2", JOB)).duplicate
    await log.stop()
