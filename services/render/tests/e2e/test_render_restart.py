"""Kill the render service (a real `python -m reelforge.render` process) mid-run and start it
again: submissions and polls resume from PostgreSQL, every job ends, none is billed twice."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer

from reelforge.contracts import VIDEO_REQUESTED, VIDEO_STATUS, VideoRequested
from reelforge.runtime.db import create_database
from reelforge.runtime.testing import EventWaiter, publish
from tests.support.fake_providers import FakeHeyGen
from tests.support.fake_providers import heygen as fake_heygen

pytestmark = pytest.mark.e2e

JOBS = 30


async def fresh_database(database_url: str) -> str:
    return await create_database(database_url, "render")


def job() -> VideoRequested:
    return VideoRequested(
        job_id=uuid.uuid4(),
        tenant_id="acme",
        scenes=[{"avatar_id": "Amy_public_look_1", "voice_id": "jenny_en_us", "script": "Hi!"}],
        render={"captions": False},
    )


async def start_render(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "reelforge.render",
            env={**os.environ, **env},
            stdout=out,
            stderr=asyncio.subprocess.STDOUT,
        )


async def test_killing_the_render_service_mid_run_loses_no_job_and_bills_none_twice(
    kafka_bootstrap: str,
    database_url: str,
    kafka_producer: AIOKafkaProducer,
    tmp_path: Path,
) -> None:
    dsn = await fresh_database(database_url)
    fake = FakeHeyGen(completion_delay_s=1.5, max_concurrent_renders=10)
    jobs = [job() for _ in range(JOBS)]
    ids = {str(j.job_id) for j in jobs}
    async with fake.serve():
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "DATABASE_URL": dsn,
            "HTTP_PORT": "0",
            "LOG_LEVEL": "WARNING",
            "RENDER_MEDIA_DIR": str(tmp_path / "media"),
            "RENDER_PROVIDER_ORDER": "heygen",
            "HEYGEN_API_KEY": fake_heygen.API_KEY,
            "RENDER_HEYGEN_BASE_URL": fake.base_url,
            "RENDER_RATE_LIMIT_PER_MIN": "60000",
            "RENDER_RATE_BURST": "50",
            "RENDER_POLL_INITIAL_S": "0.3",
            "RENDER_POLL_MAX_S": "1",
            "RENDER_POLL_LEASE_S": "1",
            "RENDER_SUBMIT_LEASE_S": "1",
            "RENDER_DISPATCH_INTERVAL_S": "0.2",
            "RENDER_KAFKA_SESSION_TIMEOUT_MS": "2000",
        }
        log = tmp_path / "render.log"
        async with EventWaiter(kafka_bootstrap, VIDEO_STATUS) as events:
            first = await start_render(env, log)
            try:
                for request in jobs:
                    await publish(kafka_producer, VIDEO_REQUESTED, request)
                submitted: set[str] = set()

                def ten_submitted(_: str, event: dict[str, Any]) -> bool:
                    if event.get("job_id") in ids and event.get("state") == "submitted":
                        submitted.add(event["job_id"])
                    return len(submitted) >= 10

                await events.wait_for(ten_submitted, 60)
            finally:
                first.kill()
                await first.wait()
            finals: dict[str, str] = {}

            def all_final(_: str, event: dict[str, Any]) -> bool:
                if (
                    event.get("job_id") in ids
                    and event.get("source") == "render"
                    and event.get("state") in ("rendered", "failed")
                ):
                    finals[event["job_id"]] = event["state"]
                return len(finals) == JOBS

            second = await start_render(env, log)
            try:
                await events.wait_for(all_final, 90)
            finally:
                second.terminate()
                await second.wait()

    assert set(finals.values()) == {"rendered"}, log.read_text()[-3000:]
    assert fake.max_in_flight_seen <= 10
    for request in jobs:
        assert fake.submissions_for(str(request.job_id)) == 1
