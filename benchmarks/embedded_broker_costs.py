"""What the embedded broker (Tansu) costs in CPU per event, by produce batch size and by how long a
concurrent consumer's fetches wait: the figures behind the webhook publisher's one-round-in-flight
batching and its consumer's fetch settings.

    .venv/bin/python benchmarks/embedded_broker_costs.py [--events 20000]

Produce: an aiokafka producer (acks=all) sends events keyed over 256 jobs in rounds of N and
awaits each round. Fetch: events at ~1,400/s while one consumer group reads four topics with the
given fetch_min_bytes / fetch_max_wait_ms (none: no consumer), each case on fresh topics; then
the same cases again on topics that first get a backlog, by which time the broker also holds every
earlier case's events (its fetches get dearer the more it holds, in memory). CPU is read from
/proc for the broker process and from this process for the client.

Measured 2026-11-23 on the 2-core machine, idle, `--events 10000`: rounds of 1 / 10 / 50 / 200
cost the broker 180 / 33 / 11 / 5 µs per event (the client 307 / 64 / 29 / 26); paced, on fresh
topics: no consumer 53, fetch wait 10 ms 302, 50 ms 170, 200 ms 99 µs per event; with the backlog
the consumer cases cost 510-760 µs per event.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from reelforge.runtime.embedded import EmbeddedKafka, create_topics

TOPIC_SET = ("costs", "costs-a", "costs-b", "costs-c")
VALUE = b'{"payload":"' + b"x" * 600 + b'"}'
KEYS = [str(uuid.uuid4()).encode() for _ in range(256)]
PACED_ROUND = 10
PACE_S = 0.004
"""Rounds of 10 events every ~7 ms: about the rate the webhook benchmark reaches."""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def produce(
    bootstrap: str,
    broker_pid: int,
    topic: str,
    events: int,
    round_size: int,
    pace_s: float = 0.0,
) -> tuple[float, float, float]:
    """(broker µs/event, client µs/event, events/s) for `events` sent in rounds of `round_size`."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        broker_before, client_before = cpu_seconds(broker_pid), time.process_time()
        started = time.perf_counter()
        for first in range(0, events, round_size):
            sent = [
                await producer.send(topic, VALUE, key=KEYS[(first + n) % len(KEYS)])
                for n in range(round_size)
            ]
            await asyncio.gather(*sent)
            if pace_s:
                await asyncio.sleep(pace_s)
        elapsed = time.perf_counter() - started
        return (
            1e6 * (cpu_seconds(broker_pid) - broker_before) / events,
            1e6 * (time.process_time() - client_before) / events,
            events / elapsed,
        )
    finally:
        await producer.stop()


async def consume_until(
    bootstrap: str,
    topics: tuple[str, ...],
    min_bytes: int,
    wait_ms: int,
    stop: asyncio.Event,
) -> None:
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=f"costs-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        fetch_min_bytes=min_bytes,
        fetch_max_wait_ms=wait_ms,
    )
    await consumer.start()
    try:
        while not stop.is_set():
            if await consumer.getmany(timeout_ms=100, max_records=500):
                await consumer.commit()
    finally:
        await consumer.stop()


async def fetch_cost(
    bootstrap: str,
    broker_pid: int,
    topics: tuple[str, ...],
    events: int,
    fetch: tuple[int, int] | None,
) -> float:
    """Broker µs/event while producing at ~1,400 events/s with one consumer group reading."""
    stop = asyncio.Event()
    reader = None
    if fetch is not None:
        reader = asyncio.create_task(consume_until(bootstrap, topics, *fetch, stop))
        await asyncio.sleep(3)  # the group's join and first fetch are not part of the figure
    try:
        broker_us, _, _ = await produce(
            bootstrap, broker_pid, topics[0], events, PACED_ROUND, PACE_S
        )
    finally:
        stop.set()
        if reader is not None:
            await reader
    return broker_us


async def measure(bootstrap: str, broker_pid: int, events: int) -> None:
    for round_size in (1, 10, 50, 200):
        count = events // 10 if round_size == 1 else events
        broker_us, client_us, rate = await produce(
            bootstrap, broker_pid, f"produce-{round_size}", count, round_size
        )
        print(
            f"produce, rounds of {round_size:3d}: broker {broker_us:6.1f} µs/event, "
            f"client {client_us:6.1f} µs/event, {rate:7.0f} events/s",
            flush=True,
        )
    cases = (None, (64 * 1024, 10), (64 * 1024, 50), (64 * 1024, 200), (1, 500))
    for backlog in (0, 5 * events):
        for n, fetch in enumerate(cases):
            topics = tuple(f"{name}-{backlog}-{n}" for name in TOPIC_SET)
            await create_topics(bootstrap, 6, topics=topics)
            if backlog:
                await produce(bootstrap, broker_pid, topics[0], backlog, PACED_ROUND)
            broker_us = await fetch_cost(bootstrap, broker_pid, topics, events, fetch)
            label = "no consumer" if fetch is None else f"min {fetch[0]} B, wait {fetch[1]} ms"
            print(
                f"paced produce, backlog {backlog:6d}, {label:<26}: broker {broker_us:6.1f} "
                "µs/event",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="broker-costs-"))
    kafka = EmbeddedKafka(log_path=home / "kafka.log").start()
    try:
        assert kafka.process is not None
        asyncio.run(
            create_topics(
                kafka.bootstrap_servers, 6, topics=[f"produce-{n}" for n in (1, 10, 50, 200)]
            )
        )
        asyncio.run(measure(kafka.bootstrap_servers, kafka.process.pid, args.events))
    finally:
        kafka.stop()


if __name__ == "__main__":
    main()
