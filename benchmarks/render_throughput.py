"""Benchmark of the render service with a remote provider: 10,000 jobs in flight.

Starts (or uses, from KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL) a broker and PostgreSQL, a fake
HeyGen v3 server in this process whose renders complete after a delay, and the render service
as a real subprocess (``python -m reelforge.render``). Publishes N video.requested at once and
reports:

- the render service's peak RSS (VmHWM of the process),
- submissions per second as the provider saw them (steady state: the 5th to the 95th
  percentile submission) against the configured rate limit,
- the query plans of the poll lease and the queue lease (EXPLAIN while jobs are in flight),
- wall time until every job is rendered.

    .venv/bin/python benchmarks/render_throughput.py                        # 10,000 jobs, 6000/min
    .venv/bin/python benchmarks/render_throughput.py --jobs 2000 --rate-per-min 3000

Targets (issue 3): peak RSS < 300 MB; submissions/s within 5 % of the rate limit; polls served
by an index.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reelforge.contracts import VIDEO_REQUESTED, VIDEO_STATUS, VideoRequested  # noqa: E402
from reelforge.runtime.db import create_database  # noqa: E402
from reelforge.runtime.embedded import (  # noqa: E402
    EmbeddedKafka,
    EmbeddedPostgres,
    create_topics,
    free_port,
)
from tests.support.fake_providers import FakeHeyGen  # noqa: E402
from tests.support.fake_providers import heygen as fake_heygen  # noqa: E402

POLL_LEASE_SQL = (
    "SELECT job_id FROM render_jobs WHERE state IN ('submitted', 'rendering')"
    " AND next_poll_at IS NOT NULL AND next_poll_at <= now() ORDER BY next_poll_at LIMIT 100"
)
QUEUE_LEASE_SQL = (
    "SELECT job_id FROM render_jobs WHERE state = 'queued'"
    " AND (not_before IS NULL OR not_before <= now()) ORDER BY created_at LIMIT 100"
)


def job() -> VideoRequested:
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="bench",
        scenes=[
            {
                "avatar_id": "Amy_public_look_1",
                "voice_id": "jenny_en_us",
                "script": "Welcome to this four-bedroom home in Indian Wells.",
            }
        ],
        render={"captions": False},
    )


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def fresh_database(database_url: str) -> str:
    return await create_database(database_url, "render_bench")


async def explain(dsn: str) -> dict[str, Any]:
    conn = await asyncpg.connect(dsn, server_settings={"search_path": "render"})
    try:
        await conn.execute("ANALYZE render_jobs")
        counts = {
            r["state"]: r["n"]
            for r in await conn.fetch("SELECT state, count(*) n FROM render_jobs GROUP BY state")
        }
        plans = {}
        for name, sql in (("poll_lease", POLL_LEASE_SQL), ("queue_lease", QUEUE_LEASE_SQL)):
            rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            locking = await conn.fetch(f"EXPLAIN {sql} FOR UPDATE SKIP LOCKED")
            plans[name] = {
                "analyze": [r[0] for r in rows],
                "for_update_skip_locked": [r[0] for r in locking],
            }
        return {"jobs_by_state": counts, "plans": plans}
    finally:
        await conn.close()


async def run(args: argparse.Namespace, bootstrap: str, database_url: str, home: Path) -> dict:
    dsn = await fresh_database(database_url)
    fake = FakeHeyGen(
        completion_delay_s=args.completion_delay_s, max_concurrent_renders=args.jobs * 2
    )
    jobs = [job() for _ in range(args.jobs)]
    ids = {str(j.job_id) for j in jobs}
    async with fake.serve():
        port = free_port()
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "DATABASE_URL": dsn,
            "HTTP_PORT": str(port),
            "LOG_LEVEL": "WARNING",
            "RENDER_MEDIA_DIR": str(home / "media"),
            "RENDER_PROVIDER_ORDER": "heygen",
            "HEYGEN_API_KEY": fake_heygen.API_KEY,
            "RENDER_HEYGEN_BASE_URL": fake.base_url,
            "RENDER_RATE_LIMIT_PER_MIN": str(args.rate_per_min),
            "RENDER_RATE_BURST": str(args.burst),
            "RENDER_MAX_IN_FLIGHT": str(args.jobs * 2),
            "RENDER_POLL_INITIAL_S": str(args.poll_initial_s),
            "RENDER_POLL_MAX_S": str(args.poll_max_s),
            "RENDER_DEADLINE_S": "3600",
            "RENDER_KAFKA_SESSION_TIMEOUT_MS": "6000",
        }
        log = (home / "render.log").open("ab")
        service = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "reelforge.render", env=env, stdout=log, stderr=log
        )
        consumer = AIOKafkaConsumer(
            VIDEO_STATUS,
            bootstrap_servers=bootstrap,
            group_id=f"bench-{uuid.uuid4()}",
            auto_offset_reset="earliest",
        )
        producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5)
        await consumer.start()
        await producer.start()
        try:
            started = time.monotonic()
            futures = [
                await producer.send(VIDEO_REQUESTED, j.model_dump_json().encode(), key=j.key)
                for j in jobs
            ]
            await asyncio.gather(*futures)
            published_s = time.monotonic() - started
            rendered: set[str] = set()
            failed: dict[str, Any] = {}
            plans: dict[str, Any] | None = None
            while len(rendered) + len(failed) < len(ids):
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    for record in records:
                        event = json.loads(record.value or b"{}")
                        if event.get("job_id") not in ids or event.get("source") != "render":
                            continue
                        if event.get("state") == "rendered":
                            rendered.add(event["job_id"])
                        elif event.get("state") == "failed":
                            failed[event["job_id"]] = event.get("error")
                if plans is None and fake.submissions >= args.jobs // 2:
                    plans = await explain(dsn)
                if service.returncode is not None:
                    raise RuntimeError(f"render service exited: {service.returncode}")
                if time.monotonic() - started > args.timeout_s:
                    raise TimeoutError(f"{len(rendered)} rendered, {len(failed)} failed")
            wall_s = time.monotonic() - started
            rss = peak_rss_mb(service.pid)
        finally:
            service.terminate()
            await service.wait()
            await producer.stop()
            await consumer.stop()
            log.close()
    starts = sorted(r.started_at for r in fake.renders.values())
    lo, hi = int(len(starts) * 0.05), int(len(starts) * 0.95) - 1
    rate = (hi - lo) / (starts[hi] - starts[lo]) if hi > lo else float("nan")
    configured = args.rate_per_min / 60
    return {
        "jobs": args.jobs,
        "published_in_s": round(published_s, 2),
        "rendered": len(rendered),
        "failed": len(failed),
        "provider_submissions": fake.submissions,
        "status_requests": fake.requests["status"],
        "configured_rate_per_s": round(configured, 3),
        "burst": args.burst,
        "measured_submissions_per_s": round(rate, 3),
        "rate_deviation_pct": round((rate - configured) / configured * 100, 2),
        "render_service_peak_rss_mb": round(rss, 1),
        "wall_s": round(wall_s, 1),
        "explain_at_half": plans,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--rate-per-min", type=float, default=6000)
    parser.add_argument("--burst", type=int, default=20, help="RENDER_RATE_BURST")
    parser.add_argument("--completion-delay-s", type=float, default=20.0)
    parser.add_argument("--poll-initial-s", type=float, default=10.0)
    parser.add_argument("--poll-max-s", type=float, default=30.0)
    parser.add_argument("--timeout-s", type=float, default=1200.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="render-bench-") as tmp:
        home = Path(tmp)
        kafka = pg = None
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "")
        database_url = os.environ.get("DATABASE_URL", "")
        try:
            if not bootstrap:
                kafka = EmbeddedKafka(log_path=home / "kafka.log").start()
                bootstrap = kafka.bootstrap_servers
            if not database_url:
                pg = EmbeddedPostgres(home / "pg").start()
                database_url = pg.dsn
            asyncio.run(create_topics(bootstrap, 6))
            result = asyncio.run(run(args, bootstrap, database_url, home))
        finally:
            if kafka is not None:
                kafka.stop()
            if pg is not None:
                pg.stop()
    print(json.dumps(result, indent=2))
    ok = (
        result["render_service_peak_rss_mb"] < 300
        and abs(result["rate_deviation_pct"]) <= 5
        and result["rendered"] == result["jobs"]
    )
    print("targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
