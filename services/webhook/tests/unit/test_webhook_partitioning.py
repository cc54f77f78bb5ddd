"""The webhook publisher must put a job's events on the partition every other producer uses."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.partitioner import DefaultPartitioner
from hypothesis import given
from hypothesis import strategies as st

from reelforge.webhook.adapters.publisher import partition_for

pytestmark = pytest.mark.unit
PARTITIONS = list(range(6))


@pytest.mark.parametrize("count", [1, 3, 6, 12])
def test_job_keys_land_where_aiokafka_puts_them(count: int) -> None:
    partitions = list(range(count))
    for _ in range(500):
        key = str(uuid.uuid4()).encode()
        assert partition_for(key, partitions) == DefaultPartitioner()(key, partitions, partitions)


@given(st.binary(max_size=64))
def test_any_key_lands_where_aiokafka_puts_it(key: bytes) -> None:
    """Every tail length (0-3 bytes after the last 4-byte word) and high-bit bytes included."""
    assert partition_for(key, PARTITIONS) == DefaultPartitioner()(key, PARTITIONS, PARTITIONS)
