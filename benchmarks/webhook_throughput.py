"""Signed HeyGen webhooks against one uvicorn worker of the webhook service, each 2xx answered only
after Kafka acknowledged its video.status event; side by side with a bare Starlette endpoint.

    .venv/bin/python benchmarks/webhook_throughput.py [--seconds 15] [--concurrency 16,32,64]

Starts the embedded broker and PostgreSQL (or uses KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL), the
service as a subprocess (`python -m reelforge.webhook`), and a bare-200 Starlette app as another;
the load generator runs in this (separate) process: keep-alive HTTP/1.1 connections over raw
asyncio streams, closed loop, each request uniquely signed (its own Heygen-Event-Id), so none is a
duplicate. Afterwards it counts the video.status events on Kafka and compares with the 2xx count.

Levels in one invocation share the embedded broker, which keeps every event in memory and whose
fetches cost more the more it holds: later levels see the broker's CPU per webhook rise (0.19 to
0.34 ms over four levels) and p99 with it. For one level's figures, run one level per invocation
(`--concurrency 12`). To see what each stage costs, run the service with stages replaced by
no-ops: `--service-cmd "... benchmarks/webhook_service_without.py --without kafka"`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer

from reelforge.contracts import VIDEO_STATUS
from reelforge.runtime.embedded import EmbeddedKafka, EmbeddedPostgres, create_topics, free_port

SECRET = "whsec_benchmark_endpoint_secret"  # noqa: S105 - a throwaway benchmark secret
JOBS = 2000

BARE_APP = textwrap.dedent(
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def bare(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"outcome": "accepted"})

    app = Starlette(routes=[Route("/webhooks/heygen", bare, methods=["POST"])])
    """
)


@dataclass
class Result:
    label: str
    concurrency: int
    requests: int
    ok: int
    statuses: dict[int, int]
    seconds: float
    latencies_ms: list[float]
    cpu_s: float = 0.0
    machine_cpu_s: float = 0.0
    """Busy CPU-seconds of the whole machine (both cores, every process) during the run."""
    wrk: tuple[float, float, float] | None = None
    """(p50, p99, max) in ms as wrk reports them (wrk keeps no per-request list)."""
    others_cpu_s: dict[str, float] = field(default_factory=dict)
    """CPU-seconds of the broker, PostgreSQL and the load generator during the run."""

    @property
    def rate(self) -> float:
        return self.ok / self.seconds

    def percentile(self, q: float) -> float:
        if self.wrk is not None:
            return self.wrk[0] if q <= 0.5 else self.wrk[1]
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    def line(self) -> str:
        return (
            f"{self.label:<8} c={self.concurrency:<3} {self.rate:8.0f} 2xx/s  "
            f"p50 {self.percentile(0.50):6.2f} ms  p99 {self.percentile(0.99):6.2f} ms  "
            f"max {self.wrk[2] if self.wrk else max(self.latencies_ms):7.2f} ms  "
            f"server CPU {100 * self.cpu_s / self.seconds:3.0f}% "
            f"({1000 * self.cpu_s / self.requests:.3f} ms/req)  "
            f"machine {100 * self.machine_cpu_s / self.seconds:3.0f}% of 200%  "
            f"statuses {self.statuses}"
            + "".join(
                f"\n{'':<13}{name} CPU {1000 * cpu_s / self.requests:.3f} ms/req"
                for name, cpu_s in self.others_cpu_s.items()
            )
        )


def signed_requests(port: int, jobs: list[uuid.UUID], count: int) -> Iterator[bytes]:
    now = str(int(time.time()))
    for n in range(count):
        body = json.dumps(
            {
                "event_type": "avatar_video.success",
                "event_data": {
                    "video_id": f"v_{n}",
                    "url": "https://files.heygen.ai/v.mp4",
                    "callback_id": str(jobs[n % len(jobs)]),
                },
            }
        ).encode()
        signature = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        head = (
            f"POST /webhooks/heygen HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"Heygen-Signature: {signature}\r\nHeygen-Timestamp: {now}\r\n"
            f"Heygen-Event-Id: evt_{uuid.uuid4().hex}\r\n\r\n"
        )
        yield head.encode() + body


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def load(label: str, port: int, requests: list[bytes], concurrency: int) -> Result:
    queue = iter(requests)
    latencies: list[float] = []
    statuses: dict[int, int] = {}

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in queue:
                started = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                latencies.append((time.perf_counter() - started) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return Result(label, concurrency, len(requests), ok, statuses, elapsed, latencies)


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Heygen-Timestamp"] = "{timestamp}"
local deliveries = {{
{deliveries}
}}
local counter = 0
local run = "{run}"
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
request = function()
  counter = counter + 1
  local delivery = deliveries[(counter % #deliveries) + 1]
  wrk.headers["Heygen-Signature"] = delivery[2]
  wrk.headers["Heygen-Event-Id"] = "evt_" .. run .. "_" .. tostring(tid) .. "_" .. tostring(counter)
  return wrk.format(nil, nil, nil, delivery[1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.status, summary.duration, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
"""
WRK_JOBS = 256
"""Jobs the wrk deliveries rotate over, so the hints spread over every partition as in
production (each job's signed body is prepared here: wrk's Lua has no HMAC)."""


def wrk_load(
    label: str, port: int, jobs: list[uuid.UUID], concurrency: int, seconds: float, home: Path
) -> Result:
    """Signed deliveries for `WRK_SCRIPT`'s rotation of jobs, each request with its own
    Heygen-Event-Id (the event id is not signed), from wrk: a C load generator that leaves more
    of the two cores to the server."""
    deliveries = []
    for job in jobs[:WRK_JOBS]:
        body = json.dumps(
            {
                "event_type": "avatar_video.success",
                "event_data": {
                    "video_id": f"v_{job.hex[:12]}",
                    "url": "https://files.heygen.ai/v.mp4",
                    "callback_id": str(job),
                },
            }
        )
        signature = hmac.new(SECRET.encode(), body.encode(), hashlib.sha256).hexdigest()
        deliveries.append(f'  {{{json.dumps(body)}, "{signature}"}},')
    script = home / f"wrk_{label}_{concurrency}.lua"
    script.write_text(
        WRK_SCRIPT.format(
            deliveries="\n".join(deliveries),
            timestamp=int(time.time()),
            run=uuid.uuid4().hex[:12],
        )
    )
    threads = max(1, min(2, concurrency // 16))
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{concurrency}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/webhooks/heygen",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT"))
    requests, non_2xx, duration_us, p50, p99, worst = line.split()[1:]
    result = Result(
        label,
        concurrency,
        int(requests),
        int(requests) - int(non_2xx),
        {200: int(requests) - int(non_2xx)},
        int(duration_us) / 1e6,
        [],
    )
    result.wrk = (float(p50), float(p99), float(worst))
    return result


def machine_busy_seconds() -> float:
    """Non-idle CPU-seconds of all cores since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    """CPU-seconds of `root` and its direct children (PostgreSQL's backends) still running."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == root or int(fields[1]) == root:
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children_cpu_seconds() -> float:
    """CPU-seconds of this process's finished children (wrk)."""
    times = os.times()
    return times.children_user + times.children_system


def wait_ready(url: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code < 500:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{url} not ready")


async def seed_jobs(dsn: str) -> list[uuid.UUID]:
    jobs = [uuid.uuid4() for _ in range(JOBS)]
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "webhook,public"})
    try:
        view = {
            "tenant_id": "bench",
            "state": "rendering",
            "progress": 20,
            "created_at": "2026-01-01T00:00:00+00:00",
            "updated_at": "2026-01-01T00:00:00+00:00",
        }
        await conn.executemany(
            "INSERT INTO jobs (job_id, tenant_id, state, created_at, updated_at, view)"
            " VALUES ($1, 'bench', 'rendering', now(), now(), $2::jsonb) ON CONFLICT DO NOTHING",
            [(job, json.dumps({**view, "job_id": str(job)})) for job in jobs],
        )
    finally:
        await conn.close()
    return jobs


async def count_statuses(bootstrap: str) -> tuple[int, int]:
    """(messages, distinct event ids) on video.status, read back from the broker."""
    consumer = AIOKafkaConsumer(
        VIDEO_STATUS,
        bootstrap_servers=bootstrap,
        group_id=f"bench-count-{uuid.uuid4()}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    messages, event_ids = 0, set()
    try:
        await consumer.getmany(timeout_ms=1000)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(list(consumer.assignment()))
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            batch = await consumer.getmany(timeout_ms=2000, max_records=5000)
            if not batch:
                break
            for records in batch.values():
                for record in records:
                    messages += 1
                    event_ids.add(json.loads(record.value or b"{}").get("event_id"))
    finally:
        await consumer.stop()
    return messages, len(event_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="Approximate run per level.")
    parser.add_argument("--concurrency", default="16,32,64")
    parser.add_argument("--rate-guess", type=int, default=4000, help="Requests/s to size a run.")
    parser.add_argument("--log-level", default="INFO", help="The service's LOG_LEVEL.")
    parser.add_argument(
        "--load-generator",
        choices=("python", "wrk"),
        default="python",
        help="python: this process, every request with its own body; wrk: needs wrk installed.",
    )
    parser.add_argument(
        "--service-cmd",
        default=f"{sys.executable} -m reelforge.webhook",
        help="Command that runs the service (e.g. under a profiler).",
    )
    args = parser.parse_args()
    levels = [int(c) for c in args.concurrency.split(",")]
    home = Path(tempfile.mkdtemp(prefix="webhook-bench-"))
    kafka = postgres = None
    processes: list[subprocess.Popen[bytes]] = []
    try:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            kafka = EmbeddedKafka(log_path=home / "kafka.log").start()
            bootstrap = kafka.bootstrap_servers
        dsn = os.environ.get("DATABASE_URL")
        if not dsn:
            postgres = EmbeddedPostgres(home / "pg").start()
            dsn = postgres.dsn
        asyncio.run(create_topics(bootstrap, 6))
        service_port, bare_port = free_port(), free_port()
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "DATABASE_URL": dsn,
            "HTTP_PORT": str(service_port),
            "LOG_LEVEL": args.log_level,
            "WEBHOOK_HEYGEN_SECRETS": SECRET,
            "WEBHOOK_CALLBACK_TOKEN_SECRET": "bench-token-secret",
            "DB_POOL_MAX_SIZE": "20",
        }
        log = (home / "webhook.log").open("wb")
        processes.append(
            subprocess.Popen(args.service_cmd.split(), env=env, stdout=log, stderr=log)
        )
        (home / "bare_app.py").write_text(BARE_APP)
        processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bare_app:app",
                    "--port",
                    str(bare_port),
                    "--no-access-log",
                    "--log-level",
                    "warning",
                ],
                cwd=home,
            )
        )
        wait_ready(f"http://127.0.0.1:{service_port}/readyz")
        wait_ready(f"http://127.0.0.1:{bare_port}/webhooks/heygen")
        jobs = asyncio.run(seed_jobs(dsn))
        postmaster = (
            int((postgres.data_dir / "postmaster.pid").read_text().split()[0]) if postgres else None
        )

        def others_cpu() -> dict[str, float]:
            cpu = {}
            if kafka and kafka.process:
                cpu["broker"] = cpu_seconds(kafka.process.pid)
            if postmaster:
                cpu["postgres"] = tree_cpu_seconds(postmaster)
            if args.load_generator == "wrk":
                cpu["wrk"] = children_cpu_seconds()
            return cpu

        before, _ = asyncio.run(count_statuses(bootstrap))
        print(f"machine: {os.cpu_count()} cores (shared); service log: {home / 'webhook.log'}")
        accepted = 0
        for concurrency in levels:
            count = int(args.seconds * args.rate_guess)
            for label, port, process in (
                ("bare", bare_port, processes[1]),
                ("webhook", service_port, processes[0]),
            ):
                before_cpu = cpu_seconds(process.pid)
                machine_before = machine_busy_seconds()
                others_before = others_cpu()
                if args.load_generator == "wrk":
                    result = wrk_load(label, port, jobs, concurrency, args.seconds, home)
                else:
                    requests = list(signed_requests(port, jobs, count))
                    before_cpu = cpu_seconds(process.pid)
                    machine_before = machine_busy_seconds()
                    result = asyncio.run(load(label, port, requests, concurrency))
                result.cpu_s = cpu_seconds(process.pid) - before_cpu
                result.machine_cpu_s = machine_busy_seconds() - machine_before
                result.others_cpu_s = {
                    name: after - others_before[name] for name, after in others_cpu().items()
                }
                print(result.line(), flush=True)
                if label == "webhook":
                    accepted += result.statuses.get(200, 0)
        messages, distinct = asyncio.run(count_statuses(bootstrap))
        print(
            f"2xx answered by the service: {accepted}; video.status on Kafka: "
            f"{messages - before} messages, {distinct} distinct event ids"
        )
    finally:
        for process in processes:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(15)
        if kafka:
            kafka.stop()
        if postgres:
            postgres.stop()


if __name__ == "__main__":
    main()
